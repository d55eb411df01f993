"""The application. The blueprints use `app` (logger, config), so they are imported
after it exists: importing a blueprint module first does not work."""
from flask import Flask

from app import settings
from app.extensions import db

app = Flask(__name__)
app.config.from_object(settings)
db.init_app(app)

from app.talks.views import blueprint as talks_blueprint  # noqa: E402
from app.user.views import blueprint as user_blueprint  # noqa: E402

app.register_blueprint(user_blueprint)
app.register_blueprint(talks_blueprint)
