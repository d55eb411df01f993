"""Module library API (learning modules and objectives)."""
from flask import Blueprint, jsonify, request

from models import LearningModule, LearningObjective, QualificationPlan
from .learning_objectives_generator import generate_objectives

module_bp = Blueprint('modules', __name__, url_prefix='/modules')


@module_bp.route('/')
def list_modules():
    modules = LearningModule.query.order_by(LearningModule.module_code).all()
    return jsonify([{'id': m.id, 'code': m.module_code, 'title': m.title} for m in modules])


@module_bp.route('/<int:module_id>/objectives')
def module_objectives(module_id):
    rows = LearningObjective.query.filter_by(module_id=module_id).all()
    return jsonify([{'id': o.id, 'text': o.text} for o in rows])


@module_bp.route('/plans/<int:plan_id>/generate', methods=['POST'])
def generate(plan_id):
    plan = QualificationPlan.query.get_or_404(plan_id)
    language = (request.get_json() or {}).get('language', 'en')
    objectives = generate_objectives(plan.organization_id, language=language)
    return jsonify({'plan': plan.id, 'generated': len(objectives)})
