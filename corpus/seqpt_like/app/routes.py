"""Main SE-QPT routes (auth + assessments)."""
from datetime import datetime

from flask import Blueprint, jsonify, request

from models import User, Assessment, AssessmentStatus
from .utils import commit_or_rollback, json_error
from .competency_service import CompetencyService

main_bp = Blueprint('main', __name__)


@main_bp.route('/health')
def health():
    return jsonify({'status': 'ok'})


@main_bp.route('/login', methods=['POST'])
def login():
    data = request.get_json() or {}
    user = User.find_by_email(data.get('email', ''))
    if user is None or not user.check_password(data.get('password', '')):
        return json_error('invalid credentials', 401)
    return jsonify(user.to_dict())


@main_bp.route('/assessments/<int:assessment_id>/complete', methods=['POST'])
def complete_assessment(assessment_id):
    assessment = Assessment.query.get_or_404(assessment_id)
    assessment.status = AssessmentStatus.COMPLETED
    assessment.completed_at = datetime.utcnow()
    if not commit_or_rollback():
        return json_error('could not save assessment', 500)
    return jsonify(assessment.to_dict())


@main_bp.route('/organizations/<int:org_id>/matrix')
def role_matrix(org_id):
    return jsonify(CompetencyService.get_role_competency_matrix(org_id))
