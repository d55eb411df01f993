"""Entry point: python run.py --port 5000"""
import argparse
import os

from app import create_app
from models import db

app = create_app(os.environ.get('FLASK_CONFIG', 'development'))


def main():
    parser = argparse.ArgumentParser(description='SE-QPT backend')
    parser.add_argument('--port', type=int, default=5000)
    parser.add_argument('--create-tables', action='store_true')
    args = parser.parse_args()
    if args.create_tables:
        with app.app_context():
            db.create_all()
    app.run(host='0.0.0.0', port=args.port, debug=os.environ.get('FLASK_DEBUG') == '1')


if __name__ == '__main__':
    main()
