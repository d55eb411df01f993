"""Auth models of the old OAuth stack.

StationUser is also defined in db/models/identity.py; this copy has the
OAuth scopes the token endpoint still reads.
"""
from datetime import datetime, timedelta

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from db.models.base import Base

REFRESH_TTL = timedelta(days=30)


class StationUser(Base):
    __tablename__ = "station_users"
    __table_args__ = {"extend_existing": True}

    station_id = Column(Integer, ForeignKey("stations.id"), primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id"), primary_key=True)
    role = Column(String(20), nullable=False, default="staff")
    scopes = Column(String(500), nullable=False, default="bookings:read")
    granted_at = Column(DateTime, default=datetime.utcnow)

    station = relationship("Station", back_populates="members")
    user = relationship("User", back_populates="stations")

    def has_scope(self, scope):
        return scope in (self.scopes or "").split()


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    token_hash = Column(String(128), nullable=False, unique=True)
    issued_at = Column(DateTime, default=datetime.utcnow)
    revoked = Column(Boolean, default=False)

    def expired(self, now=None):
        now = now or datetime.utcnow()
        return self.revoked or now - self.issued_at > REFRESH_TTL

    def __repr__(self):
        return "<RefreshToken user=%s revoked=%s>" % (self.user_id, self.revoked)
