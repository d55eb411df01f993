"""Identity: users, stations (franchise locations) and station membership."""
import enum
from typing import List, Optional

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, TimestampMixin


class StationRole(str, enum.Enum):
    OWNER = "owner"
    MANAGER = "manager"
    CHEF = "chef"
    STAFF = "staff"


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(unique=True, index=True)
    full_name: Mapped[Optional[str]] = mapped_column(String(200))
    password_hash: Mapped[Optional[str]]
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))

    stations: Mapped[List["StationUser"]] = relationship(back_populates="user")

    def to_dict(self) -> dict:
        return {"id": self.id, "email": self.email, "full_name": self.full_name}


class Station(TimestampMixin, Base):
    """A franchise location; bookings and customers belong to one station."""

    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str]
    timezone: Mapped[str] = mapped_column(String(64), server_default=text("'America/Los_Angeles'"))

    members: Mapped[List["StationUser"]] = relationship(
        back_populates="station", cascade="all, delete-orphan"
    )

    def to_dict(self) -> dict:
        return {"id": self.id, "code": self.code, "name": self.name, "timezone": self.timezone}


class StationUser(Base):
    """Membership of a user in a station, with a role."""

    __tablename__ = "station_users"
    __table_args__ = (UniqueConstraint("station_id", "user_id"),)

    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[StationRole] = mapped_column(
        Enum(StationRole, name="station_role"), default=StationRole.STAFF
    )
    is_primary: Mapped[bool] = mapped_column(default=False)

    station: Mapped["Station"] = relationship(back_populates="members")
    user: Mapped["User"] = relationship(back_populates="stations")

    def can_manage(self) -> bool:
        return self.role in (StationRole.OWNER, StationRole.MANAGER)
