import secrets

from app.extensions import db


def new_token():
    return secrets.token_hex(16)


class Token(db.Model):
    __tablename__ = "tokens"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    value = db.Column(db.String(32), nullable=False, default=new_token, unique=True)
    user = db.relationship("User", back_populates="tokens")
