"""Seed the pilot's role mappings: python scripts/seed_roles.py"""
import os

from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from app.mvp_models import RoleMapping

ROLES = ["engineer", "reviewer", "lead"]


def main():
    engine = create_engine(os.environ["DATABASE_URL"])
    with Session(engine) as session:
        for name in ROLES:
            session.add(RoleMapping(role_name=name))
        session.commit()


if __name__ == "__main__":
    main()
