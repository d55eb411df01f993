from flask import Blueprint, jsonify

from .models import Token

blueprint = Blueprint("accounts", __name__, url_prefix="/tokens")


@blueprint.route("/<int:token_id>")
def show(token_id):
    token = Token.query.get_or_404(token_id)
    return jsonify(user=token.user.username)
