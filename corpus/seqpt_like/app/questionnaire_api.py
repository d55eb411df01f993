"""Questionnaire API (phase 1-4 questionnaires)."""
from typing import TYPE_CHECKING, Optional

from flask import Blueprint, jsonify, request

from models import db, Questionnaire, PhaseQuestionnaireResponse

if TYPE_CHECKING:
    from models import User

questionnaire_bp = Blueprint('questionnaires', __name__, url_prefix='/questionnaires')


def _latest_response(user: "User", questionnaire: Questionnaire) -> Optional[PhaseQuestionnaireResponse]:
    return (PhaseQuestionnaireResponse.query
            .filter_by(user_id=user.id, questionnaire_id=questionnaire.id)
            .order_by(PhaseQuestionnaireResponse.created_at.desc())
            .first())


@questionnaire_bp.route('/')
def list_questionnaires():
    rows = Questionnaire.query.filter_by(is_active=True).all()
    return jsonify([{'id': q.id, 'name': q.name, 'phase': q.phase} for q in rows])


@questionnaire_bp.route('/<int:questionnaire_id>', methods=['DELETE'])
def deactivate(questionnaire_id):
    questionnaire = db.session.get(Questionnaire, questionnaire_id)
    if questionnaire is None:
        return jsonify({'error': 'not found'}), 404
    questionnaire.is_active = bool(request.args.get('keep'))
    db.session.commit()
    return jsonify({'id': questionnaire.id, 'is_active': questionnaire.is_active})
