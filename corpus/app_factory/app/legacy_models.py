"""Legacy models of the first shop version (kept for the old monthly reports)."""
from app import db


class Customer(db.Model):
    __tablename__ = "customers"
    __table_args__ = {"extend_existing": True}

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), unique=True, nullable=False)
    name = db.Column(db.String(120))
    fax = db.Column(db.String(40))  # still filled in by the 2019 import


class LegacyReport(db.Model):
    __tablename__ = "legacy_reports"

    id = db.Column(db.Integer, primary_key=True)
    month = db.Column(db.String(7), nullable=False)  # "2019-04"
    customer_id = db.Column(db.Integer, db.ForeignKey("customer.id"))  # pre-2020 table name
    body = db.Column(db.Text)
