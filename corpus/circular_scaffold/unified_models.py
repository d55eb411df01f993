# encoding: utf-8
"""Competency assessment models (Derik's module, merged in from the SE-Q fork)."""
from datetime import datetime

db = None


def _get_db():
    """Late access to the shared db (models.py imports this module back)."""
    global db
    if db is None:
        from models import db as models_db
        db = models_db
    return db


try:
    from models import db
except ImportError:
    pass


class Competency(db.Model):
    __tablename__ = "competencies"

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(20), unique=True, nullable=False)
    title = db.Column(db.String(200), nullable=False)


class Role(db.Model):
    __tablename__ = "roles"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), nullable=False)


class Assessment(db.Model):
    __tablename__ = "assessments"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    competency_id = db.Column(db.Integer, db.ForeignKey("competencies.id"), nullable=False)
    level = db.Column(db.Integer, default=0)
    taken_at = db.Column(db.DateTime, default=datetime.utcnow)

    user = db.relationship("User")
    competency = db.relationship("Competency")
