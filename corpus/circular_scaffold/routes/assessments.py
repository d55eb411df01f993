from models import SECompetency, User
from unified_models import Assessment


def levels(user_id):
    user = User.query.get(user_id)
    rows = Assessment.query.filter_by(user_id=user.id).all()
    return {row.competency.code: row.level for row in rows}


def catalogue():
    return [c.code for c in SECompetency.query.order_by(SECompetency.code)]
