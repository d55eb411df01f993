"""Load the learning module library."""
import json
import sys

from models import db, LearningModule

DEFAULT_MODULES = [
    {'module_code': 'SE-101', 'title': 'Systems Thinking Basics', 'competency': 'Systems Thinking', 'target_level': 2},
    {'module_code': 'SE-201', 'title': 'Requirements Engineering', 'competency': 'Requirements Definition', 'target_level': 4},
]


def load(modules):
    from unified_models import Competency

    for spec in modules:
        competency = Competency.query.filter_by(competency_name=spec['competency']).first()
        db.session.add(LearningModule(module_code=spec['module_code'], title=spec['title'],
                                      competency_id=competency.id if competency else None,
                                      target_level=spec['target_level']))
    db.session.commit()


if __name__ == '__main__':
    from app import create_app

    data = json.load(open(sys.argv[1])) if len(sys.argv) > 1 else DEFAULT_MODULES
    with create_app().app_context():
        load(data)
