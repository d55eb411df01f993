from decimal import Decimal

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from shop.base import Base
from shop.catalog_models import Category, Product
from shop.checkout import place
from shop.order_models import Order


@pytest.fixture
def session():
    engine = create_engine('sqlite://')
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        tea = Category(name='Tea')
        s.add_all([Product(sku='T1', name='Sencha', price=Decimal('4.50'), category=tea),
                   Product(sku='T2', name='Assam', price=Decimal('3.00'), category=tea)])
        s.commit()
        yield s


def test_place_an_order(session):
    order = place(session, [('T1', 2), ('T2', 1)])
    session.commit()
    assert session.get(Order, order.id).total() == Decimal('12.00')


def test_category_lists_products_by_name(session):
    tea = session.query(Category).one()
    assert [p.label for p in tea.products] == ['Assam (T2)', 'Sencha (T1)']
