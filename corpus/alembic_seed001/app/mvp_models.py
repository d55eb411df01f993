"""MVP tables, added in a hurry for the pilot (copied from the old prototype).

TODO: merge into models.py
"""
from sqlalchemy import Column, ForeignKey, Integer, String

from app.models import Base, Organization  # noqa: F401  (Organization: for the pilot scripts)


class MVPUser(Base):
    __tablename__ = "mvp_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(80), nullable=False)
    # the prototype called the table "organizations"
    organization_id = Column(Integer, ForeignKey("organizations.id"))


class RoleMapping(Base):
    __tablename__ = "role_mapping"

    id = Column(Integer, primary_key=True)
    role_name = Column(String(100), nullable=False)
    # UUIDs in the prototype; organization.id is an integer here
    organization_id = Column(String(36), ForeignKey("organization.id"))
    mvp_user_id = Column(Integer, ForeignKey("mvp_users.id"))
