"""REST API for questionnaires and organizations."""
from flask import Blueprint, jsonify, request
from pydantic import ValidationError

from models import (
    db,
    Questionnaire,  # phase questionnaires
    Question,
    # responses are written by /api/responses
    PhaseQuestionnaireResponse,
)
from unified_models import Organization
from .schemas import CompanyContext, Organization as OrganizationSchema
from .utils import commit_or_rollback, json_error

api_bp = Blueprint('api', __name__, url_prefix='/api')


@api_bp.route('/questionnaires/<name>')
def get_questionnaire(name):
    questionnaire = Questionnaire.query.filter_by(name=name).first_or_404()
    return jsonify({
        'id': questionnaire.id,
        'title': questionnaire.title,
        'questions': [{'id': q.id, 'text': q.text, 'options': q.options}
                      for q in questionnaire.questions],
    })


@api_bp.route('/questions/<int:question_id>')
def get_question(question_id):
    question = db.session.get(Question, question_id)
    if question is None:
        return json_error('not found', 404)
    return jsonify({'id': question.id, 'text': question.text})


@api_bp.route('/responses', methods=['POST'])
def save_response():
    data = request.get_json() or {}
    response = PhaseQuestionnaireResponse(
        user_id=data.get('user_id'),
        questionnaire_id=data.get('questionnaire_id'),
        phase=data.get('phase'),
        responses=data.get('responses'),
    )
    db.session.add(response)
    commit_or_rollback()
    return jsonify({'id': response.id}), 201


@api_bp.route('/organizations', methods=['POST'])
def register_organization():
    try:
        payload = OrganizationSchema(**(request.get_json() or {}))
    except ValidationError as exc:
        return json_error(str(exc))
    org = Organization(
        organization_name=payload.name,
        organization_public_key=payload.public_key or Organization.generate_public_key(payload.name),
        size=payload.size,
    )
    db.session.add(org)
    commit_or_rollback()
    context = CompanyContext(organization_name=org.organization_name)
    return jsonify({'organization': org.to_dict(), 'context': context.model_dump()}), 201
