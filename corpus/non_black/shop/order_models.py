'''Orders and their lines.'''
import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from shop.base import Base

STATUSES = ('new', 'paid', 'shipped')


class Order(Base):
    __tablename__ = 'orders'

    id = Column(Integer, primary_key=True)
    status = Column(String(10), default='new', nullable=False)
    placed_at = Column(DateTime, default=datetime.datetime.utcnow)
    lines = relationship('OrderLine', back_populates='order',
                         cascade='all, delete-orphan')

    def total(self):
        return sum((l.quantity * l.product.price for l in self.lines), 0)


class OrderLine(Base):
    __tablename__ = 'order_lines'

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey('orders.id'), nullable=False)
    product_id = Column(Integer, ForeignKey('products.id'), nullable=False)
    quantity = Column(Integer, nullable=False, default=1)

    order = relationship('Order', back_populates='lines')
    product = relationship('Product')
