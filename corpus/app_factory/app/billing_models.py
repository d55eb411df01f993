"""Billing: invoices and the payments made against them."""
from decimal import Decimal

from app import db

VAT_RATE = Decimal("0.19")


class Invoice(db.Model):
    __tablename__ = "invoices"

    id = db.Column(db.Integer, primary_key=True)
    customer_id = db.Column(db.Integer, db.ForeignKey("customers.id"), nullable=False)
    number = db.Column(db.String(20), unique=True, nullable=False)
    net = db.Column(db.Numeric(10, 2), nullable=False)

    payments = db.relationship("Payment", backref="invoice", lazy="dynamic")

    @property
    def gross(self):
        return (self.net * (1 + VAT_RATE)).quantize(Decimal("0.01"))


class Payment(db.Model):
    __tablename__ = "payments"

    id = db.Column(db.Integer, primary_key=True)
    invoice_id = db.Column(db.Integer, db.ForeignKey("invoices.id"), nullable=False)
    amount = db.Column(db.Numeric(10, 2), nullable=False)
