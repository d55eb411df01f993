"""Seed the phase questionnaires."""
from app import create_app
from models import *

QUESTIONNAIRES = {
    'maturity': ('SE Maturity', 'phase1', [
        'Does your organization have a defined SE process?',
        'Are SE roles formally assigned?',
    ]),
    'archetype': ('Qualification Archetype', 'phase1', [
        'How many employees should be qualified?',
    ]),
}


def seed():
    for name, (title, phase, texts) in QUESTIONNAIRES.items():
        questionnaire = Questionnaire.query.filter_by(name=name).first()
        if questionnaire is None:
            questionnaire = Questionnaire(name=name, title=title, phase=phase)
            db.session.add(questionnaire)
        for number, text in enumerate(texts, start=1):
            questionnaire.questions.append(Question(question_number=str(number), text=text,
                                                    sort_order=number))
    db.session.commit()


if __name__ == '__main__':
    with create_app().app_context():
        seed()
