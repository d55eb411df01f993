from app.extensions import db


class User(db.Model):
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), unique=True, nullable=False)
    tokens = db.relationship("Token", back_populates="user", cascade="all, delete-orphan")

    def __repr__(self):
        return "<User %r>" % self.username
