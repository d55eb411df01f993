from unified_models import db


class MVPSurvey(db.Model):
    __tablename__ = "mvp_surveys"
    id = db.Column(db.Integer, primary_key=True)
    owner_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    assessment_id = db.Column(db.Integer, db.ForeignKey("assessment.id"))
