from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from shop.api import orders, reports  # noqa: E402,F401
