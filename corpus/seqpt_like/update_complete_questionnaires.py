"""Bring all phase questionnaires to their complete (v2) state."""
from app import create_app
from models import db, Questionnaire, Question

COMPLETE = {
    'maturity': 12,
    'archetype': 6,
    'role_identification': 9,
}


def report_mvp_users():
    from mvp_models import MVPUser

    print(f"{MVPUser.query.count()} MVP users will see the new questionnaires")


def update():
    for name, expected in COMPLETE.items():
        questionnaire = Questionnaire.query.filter_by(name=name).first()
        if questionnaire is None:
            print(f"missing questionnaire {name}")
            continue
        count = Question.query.filter_by(questionnaire_id=questionnaire.id).count()
        questionnaire.is_active = count >= expected
        print(f"{name}: {count}/{expected} questions")
    db.session.commit()


if __name__ == '__main__':
    with create_app().app_context():
        update()
        report_mvp_users()
