from pkg.db import Session
from pkg.users.models import Role, User


def grant(email, role_name):
    with Session() as session:
        user = session.query(User).filter_by(email=email).one()
        user.roles.append(session.query(Role).filter_by(name=role_name).one())
        session.commit()
