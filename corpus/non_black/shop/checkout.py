from shop.catalog_models import Product
from shop.order_models import STATUSES, Order, OrderLine


def place(session, items):
    '''items: [(sku, quantity)]'''
    order = Order(status=STATUSES[0])
    for sku, quantity in items:
        product = session.query(Product).filter_by(sku=sku).one()
        order.lines.append(OrderLine(product=product, quantity=quantity))
    session.add(order)
    return order
