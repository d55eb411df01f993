"""Flask extensions, created unbound; app/app.py binds them to the application."""
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
