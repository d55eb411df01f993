from flask import Flask, jsonify

from models import SECompetency, User, db

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
db.init_app(app)


@app.route("/users/<int:user_id>/competencies")
def competencies(user_id):
    user = db.session.get(User, user_id)
    names = {c.id: c.name for c in SECompetency.query.all()}
    return jsonify({names[a.competency_id]: a.level for a in user.assessments})
