"""Derik's competency assessment models (shared with the survey tool)."""
from models import MAX_LEVEL, db

__all__ = ["Competency", "Role", "competency_code", "AREAS"]

AREAS = ("Core", "Social / Personal", "Management", "Technical")


def competency_code(name):
    """'SYSTEMS_THINKING' for 'Systems thinking'."""
    return name.upper().replace(" ", "_")


class Competency(db.Model):
    __tablename__ = "competency"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False)
    area = db.Column(db.String(40), default=AREAS[0])
    max_level = db.Column(db.Integer, default=MAX_LEVEL)


class Role(db.Model):
    __tablename__ = "role"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), unique=True, nullable=False)
