from models import Organization, User, db
from unified_models import Assessment


def test_user_belongs_to_organization(app):
    org = Organization(name="acme")
    user = User(email="a@acme.test", organization=org)
    db.session.add_all([org, user])
    db.session.commit()
    assert user.organization_id == org.id


def test_assessment_score(app):
    assert Assessment(score=3.5).score == 3.5
