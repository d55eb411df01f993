from sqlalchemy import Column, Integer, Numeric, String

from pkg.db import Base

CURRENCY = "EUR"


class Product(Base):
    __tablename__ = "products"

    id = Column(Integer, primary_key=True)
    sku = Column(String(32), unique=True, nullable=False)
    title = Column(String(200), nullable=False)
    price = Column(Numeric(10, 2), nullable=False)
