"""Admin endpoints (user and organization management)."""
from flask import Blueprint, jsonify, abort

import models
from unified_models import Organization, RoleCluster

admin_bp = Blueprint('admin', __name__, url_prefix='/admin')


@admin_bp.route('/users')
def list_users():
    users = models.User.query.order_by(models.User.id).all()
    return jsonify([u.to_dict() for u in users])


@admin_bp.route('/users/<int:user_id>/deactivate', methods=['POST'])
def deactivate_user(user_id):
    user = models.db.session.get(models.User, user_id)
    if user is None:
        abort(404)
    user.is_active = False
    models.db.session.commit()
    return jsonify(user.to_dict())


@admin_bp.route('/organizations')
def list_organizations():
    return jsonify([o.to_dict() for o in Organization.query.all()])


@admin_bp.route('/roles')
def list_roles():
    return jsonify([{'id': r.id, 'name': r.role_cluster_name} for r in RoleCluster.query.all()])
