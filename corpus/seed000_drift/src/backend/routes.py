"""Phase 2 API: the organization's learning strategies."""
from flask import Blueprint, jsonify

from models import LearningStrategy, Organization

bp = Blueprint('phase2', __name__, url_prefix='/api/phase2')


@bp.route('/<int:org_id>/strategies')
def strategies(org_id):
    org = Organization.query.get_or_404(org_id)
    rows = LearningStrategy.query.filter_by(organization_id=org.id).order_by(
        LearningStrategy.priority
    )
    return jsonify([row.to_dict() for row in rows])
