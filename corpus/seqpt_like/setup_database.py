"""Create all tables of the three model files (development only)."""
import sys

import models, unified_models, mvp_models  # noqa: F401  (registers every table)
from models import db
from app import create_app


def main(drop=False):
    app = create_app('development')
    with app.app_context():
        if drop:
            db.drop_all()
        db.create_all()
        print(f"Created {len(db.metadata.tables)} tables")


if __name__ == '__main__':
    main(drop='--drop' in sys.argv)
