"""Order service: one sub-package per feature, each with its own models.py."""
