"""Workspaces: the core tables of the planner.

:copyright: (c) 2021 by the Planner team.
:license: MIT, see LICENSE for more details.
"""
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

NAME_LENGTH = 80


def slugify(text):
    return "-".join(text.lower().split())


def next_free_name(base):
    """The first of base, base-2, base-3 ... that no workspace uses yet."""
    candidate, n = base, 1
    while Workspace.query.filter_by(name=candidate).first() is not None:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


class Workspace(db.Model):
    __tablename__ = "workspaces"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(NAME_LENGTH), unique=True, nullable=False)
    slug = db.Column(db.String(NAME_LENGTH))

    def __init__(self, name):
        self.name = next_free_name(name)
        self.slug = slugify(self.name)

    def __repr__(self):
        return f"<Workspace {self.name}>"
