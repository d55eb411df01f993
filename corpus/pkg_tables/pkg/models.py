"""Association tables shared by the feature packages (no classes here)."""
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, Table, func

from pkg.db import Base

order_products = Table(
    "order_products",
    Base.metadata,
    Column("order_id", Integer, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", Integer, ForeignKey("products.id"), primary_key=True),
    Column("quantity", Integer, nullable=False, default=1),
)

user_roles = Table(
    "user_roles",
    Base.metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("role_id", Integer, ForeignKey("roles.id"), primary_key=True),
    Column("granted_at", DateTime, server_default=func.now()),
)

Index("ix_order_products_product", order_products.c.product_id)
Index("ix_user_roles_role", user_roles.c.role_id)
