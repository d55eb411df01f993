# -*- coding: utf-8 -*-
# Boards were added by the kanban team in 2022, in a file of their own.
"""Kanban boards and their cards (one workspace has many boards)."""
from datetime import datetime

from models import db

NAME_LENGTH = 64


def slugify(text):
    return "-".join(text.lower().split())


def next_free_name(base):
    """The first of base, base (2), base (3) ... that no board uses yet."""
    candidate, n = base, 1
    while Board.query.filter_by(name=candidate).first() is not None:
        n += 1
        candidate = f"{base} ({n})"
    return candidate


class Board(db.Model):
    __tablename__ = "boards"

    id = db.Column(db.Integer, primary_key=True)
    workspace_id = db.Column(db.Integer, db.ForeignKey("workspaces.id"), nullable=False)
    name = db.Column(db.String(NAME_LENGTH), unique=True, nullable=False)
    created = db.Column(db.DateTime, default=datetime.utcnow)

    workspace = db.relationship("Workspace", backref="boards")

    def __init__(self, name, workspace):
        self.name = next_free_name(name)
        self.workspace = workspace


class Card(db.Model):
    __tablename__ = "cards"

    id = db.Column(db.Integer, primary_key=True)
    board_id = db.Column(db.Integer, db.ForeignKey("boards.id"), nullable=False)
    title = db.Column(db.String(NAME_LENGTH * 2), nullable=False)  # longer than a name

    board = db.relationship("Board", backref="cards")

    @property
    def slug(self):
        return slugify(self.title)
