# -*- coding: utf-8 -*-
"""User models."""
from app.database import Column, PkModel, TimestampMixin, reference_col, relationship
from app.extensions import db


class User(TimestampMixin, PkModel):
    """A user of the app."""

    __tablename__ = "users"
    username = Column(db.String(80), unique=True, nullable=False)
    email = Column(db.String(80), unique=True, nullable=False)
    active = Column(db.Boolean(), default=False)

    profile = relationship("Profile", back_populates="user", uselist=False)
    posts = relationship(
        "Post", back_populates="author", lazy="dynamic", foreign_keys="Post.author_id"
    )

    def __repr__(self):
        return f"<User({self.username!r})>"


class Role(PkModel):
    """A role for a user."""

    __tablename__ = "roles"
    name = Column(db.String(80), unique=True, nullable=False)
    user_id = reference_col("users", nullable=True)
    user = relationship("User", backref="roles")
