"""Replace the placeholder questions by the real ones from the thesis."""
from app import create_app
from app.questionnaire_seed import REAL_QUESTIONS
from models import db, Question, Questionnaire


def update():
    for name, texts in REAL_QUESTIONS.items():
        questionnaire = Questionnaire.query.filter_by(name=name).first()
        if questionnaire is None:
            continue
        Question.query.filter_by(questionnaire_id=questionnaire.id).delete()
        for number, text in enumerate(texts, start=1):
            db.session.add(Question(questionnaire_id=questionnaire.id,
                                    question_number=str(number), text=text, sort_order=number))
    db.session.commit()


if __name__ == '__main__':
    with create_app().app_context():
        update()
