"""Shell helpers: python -i manage.py"""
from app import create_app
from models import *  # noqa: F403  (db, Workspace ... for the shell)
from board_models import Board, Card

app = create_app("sqlite:///planner.db")

if __name__ == "__main__":
    with app.app_context():
        db.create_all()  # noqa: F405
        print(Board.query.count(), "boards,", Card.query.count(), "cards")
