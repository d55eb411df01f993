from sqlalchemy import select

from app.accounts.models import Account
from app.billing.models import Invoice


def open_invoices(session, email):
    query = select(Invoice).join(Invoice.account).where(Account.email == email)
    return session.scalars(query).all()
