"""SE-QPT main models: users and their assessments.

Derik's competency models live in unified_models.py; they are re-exported here
under SE-QPT's names (SECompetency, SERole) for the routes and the tests.
"""
from datetime import datetime

from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

MAX_LEVEL = 6


def level_label(level):
    """'3/6' for a level on SE-QPT's scale."""
    return f"{min(level, MAX_LEVEL)}/{MAX_LEVEL}"


class User(db.Model):
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), unique=True, nullable=False)
    role_id = db.Column(db.Integer, db.ForeignKey("role.id"))

    assessments = db.relationship("Assessment", back_populates="user")


class Assessment(db.Model):
    __tablename__ = "assessments"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    competency_id = db.Column(db.Integer, db.ForeignKey("competency.id"), nullable=False)
    level = db.Column(db.Integer, default=0)
    taken_at = db.Column(db.DateTime, default=datetime.utcnow)

    user = db.relationship("User", back_populates="assessments")


# Derik's models need `db` from this module first: imported at the bottom.
from unified_models import Competency as SECompetency  # noqa: E402
from unified_models import Role as SERole  # noqa: E402
