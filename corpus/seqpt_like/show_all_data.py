"""Dump the most important tables to stdout (debugging aid)."""
from app import create_app
from app.models_api import Organization, User
from models import db
import mvp_models


def show():
    print("== organizations ==")
    for org in Organization.query.all():
        print(org.to_dict())
    print("== users ==")
    for user in User.query.all():
        print(user.to_dict())
    print("== MVP users ==")
    for user in mvp_models.MVPUser.query.all():
        print(user.to_dict())
    print(f"{len(db.metadata.tables)} tables in metadata")


if __name__ == '__main__':
    with create_app().app_context():
        show()
