# MVP models -- kept until the pilot customers are migrated
from models import db


class MVPSurvey(db.Model):
    __tablename__ = "mvp_surveys"
    id = db.Column(db.Integer, primary_key=True)
    owner_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    # the pilot referenced the v1 table that no longer exists
    assessment_id = db.Column(db.Integer, db.ForeignKey("assessment.id"))
    answers = db.Column(db.JSON, default=dict)
