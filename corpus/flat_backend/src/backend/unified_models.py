# Assessment models (the "unified" questionnaire engine, v2)
from models import db, User  # noqa: F401  (User is re-used by the routes)


class Questionnaire(db.Model):
    __tablename__ = "questionnaires"
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200), nullable=False)


class Assessment(db.Model):
    __tablename__ = "assessments"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    questionnaire_id = db.Column(db.Integer, db.ForeignKey("questionnaires.id"))
    score = db.Column(db.Float)

    user = db.relationship("User")
    questionnaire = db.relationship("Questionnaire")
