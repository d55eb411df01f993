"""SE-QPT specific routes (competency catalogue, learning objectives)."""
from flask import Blueprint, jsonify

from models import Competency as SEQPTCompetency, LearningObjective
from unified_models import Competency as DerikCompetency

seqpt_bp = Blueprint('seqpt', __name__, url_prefix='/seqpt')


@seqpt_bp.route('/competencies')
def competencies():
    derik = [{'id': c.id, 'name': c.competency_name, 'area': c.competency_area}
             for c in DerikCompetency.query.all()]
    legacy = [{'code': c.code, 'name': c.name} for c in SEQPTCompetency.query.all()]
    return jsonify({'competencies': derik, 'legacy': legacy})


@seqpt_bp.route('/organizations/<int:org_id>/objectives')
def objectives(org_id):
    rows = LearningObjective.query.filter_by(organization_id=org_id).all()
    return jsonify([{'id': o.id, 'text': o.text, 'gap': o.gap} for o in rows])
