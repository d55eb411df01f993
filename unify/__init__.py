"""unify: merge overlapping ORM model files into one sectioned models module."""

__version__ = "0.1.0.dev0"
