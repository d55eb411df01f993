from flask import Blueprint, jsonify

from app.app import app
from app.extensions import db
from app.user.models import User

blueprint = Blueprint("user", __name__, url_prefix="/users")


@blueprint.route("/<int:user_id>")
def show(user_id):
    user = db.get_or_404(User, user_id)
    app.logger.info("showing %s", user)
    return jsonify(id=user.id, name=user.name, talks=[t.title for t in user.talks])
