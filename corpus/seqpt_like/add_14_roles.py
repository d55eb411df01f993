"""Insert Derik's 14 SE role clusters."""
from app import create_app
import unified_models as um
from models import db

ROLES = [
    'Customer', 'Customer Representative', 'Project Manager', 'System Engineer',
    'Specialist Developer', 'Production Planner/Coordinator', 'Production Employee',
    'Quality Engineer/Manager', 'Verification and Validation (V&V) Operator',
    'Service Technician', 'Process and Policy Manager', 'Internal Support',
    'Innovation Management', 'Management',
]


def add_roles():
    added = 0
    for name in ROLES:
        if um.RoleCluster.query.filter_by(role_cluster_name=name).first():
            continue
        db.session.add(um.RoleCluster(role_cluster_name=name))
        added += 1
    db.session.commit()
    return added


if __name__ == '__main__':
    with create_app().app_context():
        print(f"added {add_roles()} role clusters")
