"""Checkout: turns a cart into an order."""
from sqlalchemy import insert

from pkg.catalog.models import Product
from pkg.db import Session
from pkg.models import order_products
from pkg.orders.models import Order


def checkout(user_id, cart):
    """``cart``: {sku: quantity}."""
    with Session() as session:
        order = Order(user_id=user_id)
        session.add(order)
        session.flush()
        for sku, quantity in cart.items():
            product = session.query(Product).filter_by(sku=sku).one()
            session.execute(insert(order_products).values(
                order_id=order.id, product_id=product.id, quantity=quantity))
        session.commit()
        return order.id
