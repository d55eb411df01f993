'''Catalog: products and the categories they are listed under.'''
from sqlalchemy import Column, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import relationship

from shop.base import Base


class Category(Base):
    '''A shelf of the shop.'''
    __tablename__ = 'categories'

    id = Column(Integer, primary_key=True)
    name = Column(String(60), nullable=False, unique=True)
    products = relationship('Product', back_populates='category',
                            order_by='Product.name')

    def __str__(self):
        return self.name


class Product(Base):
    __tablename__ = 'products'

    id    = Column(Integer, primary_key=True)
    sku   = Column(String(20), nullable=False, unique=True)
    name  = Column(String(120), nullable=False)
    notes = Column(Text, default='')
    price = Column(Numeric(8, 2), nullable=False)
    category_id = Column(Integer, ForeignKey('categories.id'),
                         nullable=True)

    category = relationship('Category', back_populates='products')

    @property
    def label(self):
        return '%s (%s)' % (self.name, self.sku)
