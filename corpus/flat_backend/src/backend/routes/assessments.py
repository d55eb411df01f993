from flask import Blueprint, jsonify

from unified_models import Assessment, User

bp = Blueprint("assessments", __name__, url_prefix="/assessments")


@bp.get("/<int:user_id>")
def for_user(user_id):
    user = User.query.get_or_404(user_id)
    rows = Assessment.query.filter_by(user_id=user.id).all()
    return jsonify([{"id": a.id, "score": a.score} for a in rows])
