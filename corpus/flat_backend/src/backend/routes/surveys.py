from flask import Blueprint, jsonify

bp = Blueprint("surveys", __name__, url_prefix="/surveys")


@bp.get("/")
def index():
    from mvp_models import MVPSurvey  # lazy: the MVP tables are optional
    return jsonify([s.id for s in MVPSurvey.query.all()])
