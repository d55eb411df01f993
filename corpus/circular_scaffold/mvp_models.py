"""MVP learning plans (the first prototype; still used by the plan pages)."""
from models import db, User

try:
    from unified_models import Competency as SECompetency
except ImportError:
    class SECompetency:  # placeholder so this module imports on its own
        __tablename__ = "competencies"
        id = None


class MVPPlan(db.Model):
    __tablename__ = "mvp_plans"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey(User.id), nullable=False)
    competency_id = db.Column(db.Integer, db.ForeignKey("competencies.id"))

    user = db.relationship(User)
    competency = db.relationship("Competency")


def plan_catalogue():
    """Competency codes a new plan can pick from."""
    return [c.code for c in SECompetency.query.order_by(SECompetency.code)]
