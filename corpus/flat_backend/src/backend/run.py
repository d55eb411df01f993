#!/usr/bin/env python
"""Start the dev server: cd src/backend && python run.py"""
from app import create_app
from models import db

app = create_app()

if __name__ == "__main__":
    with app.app_context():
        db.create_all()
    app.run(debug=True)
