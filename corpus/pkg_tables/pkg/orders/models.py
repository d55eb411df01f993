from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from pkg.db import Base
from pkg.models import order_products


class Order(Base):
    __tablename__ = "orders"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id"), nullable=False)
    gift_product_id = Column(Integer, ForeignKey("product.id"))  # free item of a promotion
    status = Column(String(20), default="open")
    placed_at = Column(DateTime, default=datetime.utcnow)

    user = relationship("User", back_populates="orders")
    products = relationship("Product", secondary=order_products)
