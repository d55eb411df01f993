"""MVP models: customers and their subscriptions."""
from datetime import datetime

from app import db


class Customer(db.Model):
    __tablename__ = "customers"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), unique=True, nullable=False)
    name = db.Column(db.String(120))
    created_at = db.Column(db.DateTime, default=datetime.utcnow)

    subscriptions = db.relationship("Subscription", back_populates="customer")

    def __repr__(self):
        return f"<Customer {self.email}>"


class Subscription(db.Model):
    __tablename__ = "subscriptions"

    id = db.Column(db.Integer, primary_key=True)
    customer_id = db.Column(db.Integer, db.ForeignKey("customers.id"), nullable=False)
    plan = db.Column(db.String(40), default="starter")
    active = db.Column(db.Boolean, default=True)

    customer = db.relationship("Customer", back_populates="subscriptions")
