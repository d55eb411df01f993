"""Phase 2 / task 3: instantiate qualification plans for an organization."""
import sys

from app import create_app
from models import LearningObjective, QualificationPlan, StrategyTemplate
from unified_models import Organization


def setup(org_id):
    org = Organization.query.get(org_id)
    for template in StrategyTemplate.query.filter_by(is_active=True):
        plan = QualificationPlan(organization_id=org.id, strategy=template.strategy_name)
        plan.plan_data = {
            'objectives': [o.id for o in LearningObjective.query.filter_by(organization_id=org.id)],
        }
        print("created plan", plan.strategy)


if __name__ == '__main__':
    with create_app().app_context():
        setup(int(sys.argv[1]))
