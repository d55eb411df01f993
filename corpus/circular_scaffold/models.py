"""Core models of the competency tracker: organisations and their users.

:copyright: (c) 2020 SE-Q team.
:license: BSD-3-Clause
"""
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Organization(db.Model):
    __tablename__ = "organization"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False, unique=True)

    users = db.relationship("User", back_populates="organization")


class User(db.Model):
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), nullable=False, unique=True)
    organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"))

    organization = db.relationship("Organization", back_populates="users")


# The assessment models live in unified_models.py, which imports this module:
# re-export them late, so that `from models import SECompetency` works.
try:
    from unified_models import Competency as SECompetency, Role as SERole
except ImportError:  # unified_models is being imported right now
    SECompetency = None
    SERole = None
