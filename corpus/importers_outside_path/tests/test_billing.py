from decimal import Decimal

from app.accounts.models import Account
from app.billing.models import Invoice, Refund
from app.service import open_invoices


def test_open_invoices(session):
    account = Account(email="a@example.com")
    session.add(Invoice(account=account, total=Decimal("12.50")))
    session.commit()
    assert [i.total for i in open_invoices(session, "a@example.com")] == [Decimal("12.50")]


def test_refund_keeps_its_invoice(session):
    invoice = Invoice(account=Account(email="b@example.com"))
    session.add(invoice)
    session.flush()
    session.add(Refund(invoice_id=invoice.id, amount=Decimal("2.00")))
    session.commit()
    assert session.get(Refund, 1).invoice_id == invoice.id
