"""MVP routes (registration, maturity assessment)."""
from flask import Blueprint, jsonify, request

from models import db

try:
    from mvp_models import MVPUser
except ImportError:  # MVP tables not deployed on this instance
    MVPUser = None

mvp_bp = Blueprint('mvp', __name__, url_prefix='/mvp')


@mvp_bp.route('/register', methods=['POST'])
def register():
    if MVPUser is None:
        return jsonify({'error': 'MVP disabled'}), 503
    data = request.get_json() or {}
    user = MVPUser(username=data['username'], email=data['email'],
                   user_role=data.get('role', 'employee'))
    user.set_password(data['password'])
    db.session.add(user)
    db.session.commit()
    return jsonify(user.to_dict()), 201


@mvp_bp.route('/maturity', methods=['POST'])
def save_maturity():
    from mvp_models import MaturityAssessment

    data = request.get_json() or {}
    assessment = MaturityAssessment(
        mvp_user_id=data.get('user_id'),
        maturity_level=data.get('maturity_level'),
        scope_score=data.get('scope_score'),
        process_score=data.get('process_score'),
    )
    db.session.add(assessment)
    db.session.commit()
    return jsonify({'id': assessment.id, 'label': assessment.maturity_label}), 201
