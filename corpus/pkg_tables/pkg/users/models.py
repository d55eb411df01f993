from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import relationship

from pkg.db import Base


class User(Base):
    __tablename__ = "users"

    id = Column(Integer, primary_key=True)
    email = Column(String(255), unique=True, nullable=False)

    roles = relationship("Role", secondary="user_roles", back_populates="users")
    orders = relationship("Order", back_populates="user")


class Role(Base):
    __tablename__ = "roles"

    id = Column(Integer, primary_key=True)
    name = Column(String(40), unique=True, nullable=False)

    users = relationship("User", secondary="user_roles", back_populates="roles")
