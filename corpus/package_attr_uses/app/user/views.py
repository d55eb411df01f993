from flask import Blueprint, jsonify

from .models import User

blueprint = Blueprint("user", __name__, url_prefix="/users")


@blueprint.route("/")
def index():
    return jsonify(sorted(u.username for u in User.query.all()))
