"""Legacy (pre-2.0) models.

DEPRECATED: new code imports from ``app.models``. This tree is still loaded
by the webhook worker and the v1 endpoints; import its modules directly.
"""
