"""Free-form tags (``vegan``, ``corporate``, ``birthday`` ...)."""
from sqlalchemy import Column, ForeignKey, Integer, String, Table

from app.db.base import Base

# Association table for Booking.tags
booking_tags = Table(
    "booking_tags",
    Base.metadata,
    Column("booking_id", ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class Tag(Base):
    __tablename__ = "tags"

    id = Column(Integer, primary_key=True)
    name = Column(String(50), nullable=False, unique=True)
    color = Column(String(7), nullable=False, default="#999999")

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "color": self.color}

    def __repr__(self) -> str:
        return f"<Tag {self.name!r}>"
