"""Admin screens: list everything in the shop."""
from pkg.shop.models import *  # noqa: F401,F403


def catalogue(session):
    return session.query(Product).order_by(Product.name).all()  # noqa: F405
