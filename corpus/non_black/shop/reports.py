'''Back-office reports.'''
from shop.order_models import *  # noqa: F401,F403


def open_orders(session):
    return (session.query(Order)  # noqa: F405
                   .filter(Order.status != 'shipped')  # noqa: F405
                   .all())
