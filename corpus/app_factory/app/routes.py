from flask import Blueprint, jsonify

from app import db
from app.billing_models import Invoice
from app.mvp_models import Customer, Subscription

shop = Blueprint("shop", __name__)


@shop.route("/customers/<int:customer_id>")
def customer(customer_id):
    found = db.session.get(Customer, customer_id)
    active = Subscription.query.filter_by(customer_id=customer_id, active=True).count()
    invoices = Invoice.query.filter_by(customer_id=customer_id).count()
    return jsonify(email=found.email, subscriptions=active, invoices=invoices)
