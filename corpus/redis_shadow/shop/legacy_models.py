# Orders imported from the 2021 shop, read-only until the migration is done
from shop.extensions import db


class LegacyOrder(db.Model):
    __tablename__ = "legacy_orders"
    id = db.Column(db.Integer, primary_key=True)
    customer_id = db.Column(db.Integer, db.ForeignKey("customer.id"))
    amount = db.Column(db.Numeric(10, 2))
