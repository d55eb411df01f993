"""shop: orders, customers and the Redis-backed order cache."""

__version__ = "0.9.2"
