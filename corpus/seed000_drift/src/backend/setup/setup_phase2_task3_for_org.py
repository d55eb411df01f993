"""
Phase 2 / task 3: give an organization the global strategy templates.

Creates one learning_strategy row per active strategy template (seed 000) and
copies the template's competency target levels.

    PYTHONPATH=src/backend python src/backend/setup/setup_phase2_task3_for_org.py 28
"""
import sys

from app import create_app
from models import db
# The templates live in the database since the 2025-11-05 migration
# (strategy_template, strategy_template_competency).
from models import StrategyTemplate, LearningStrategy, Organization


def setup_phase2_task3(org_id):
    org = db.session.get(Organization, org_id)
    created = []
    for template in StrategyTemplate.query.filter_by(is_active=True):
        strategy = LearningStrategy(
            organization_id=org.id,
            strategy_name=template.strategy_name,
            strategy_description=template.strategy_description,
            strategy_template_id=template.id,
        )
        db.session.add(strategy)
        created.append(strategy)
    db.session.commit()
    return created


if __name__ == '__main__':
    with create_app().app_context():
        for row in setup_phase2_task3(int(sys.argv[1])):
            print('created', row.strategy_name)
