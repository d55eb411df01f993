"""Query helpers the web layer calls."""

from app.models import Organization, User
from app.mvp_models import MVPUser, RoleMapping


def members(session, org_id):
    return session.query(User).filter(User.organization_id == org_id).all()


def pilot_roles(session, org: Organization):
    return (session.query(RoleMapping)
            .filter(RoleMapping.organization_id == org.id)
            .all())


def pilot_users(session):
    return session.query(MVPUser).order_by(MVPUser.username).all()
