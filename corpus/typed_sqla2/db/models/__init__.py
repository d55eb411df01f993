"""ORM models, one module per bounded context.

Import the module you need (``from db.models import core`` or
``from db.models.core import Booking``); nothing is re-exported here, so that
importing ``db.models`` stays cheap for the CLI tools.
"""
