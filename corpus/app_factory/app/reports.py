from flask import Blueprint, jsonify

from app import db
from app.legacy_models import LegacyReport

reports = Blueprint("reports", __name__)


@reports.route("/<month>")
def month(month):
    rows = db.session.query(LegacyReport).filter_by(month=month).all()
    return jsonify([r.body for r in rows])
