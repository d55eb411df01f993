"""`flask --app wsgi seed`: demo data."""
import click

from app import create_app, db


@click.command("seed")
def seed():
    from app.mvp_models import Customer

    with create_app().app_context():
        db.create_all()
        db.session.add(Customer(email="demo@example.com", name="Demo"))
        db.session.commit()
