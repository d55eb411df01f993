from flask import Blueprint, jsonify

from app.app import app
from app.extensions import db
from app.talks.models import Review, Talk

blueprint = Blueprint("talks", __name__, url_prefix="/talks")


@blueprint.route("/")
def index():
    per_page = app.config["TALKS_PER_PAGE"]
    talks = db.session.scalars(db.select(Talk).order_by(Talk.id).limit(per_page)).all()
    return jsonify([{"id": t.id, "title": t.title, "speaker": t.speaker.name} for t in talks])


@blueprint.route("/<int:talk_id>/score")
def score(talk_id):
    scores = db.session.scalars(db.select(Review.score).filter_by(talk_id=talk_id)).all()
    return jsonify(talk=talk_id, score=sum(scores) / len(scores) if scores else None)
