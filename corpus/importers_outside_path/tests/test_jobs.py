from decimal import Decimal

import migrations.env as env
from tasks import nightly


def test_metadata_is_complete():
    assert env.table_names() == ["accounts", "invoices", "refunds"]


def test_refunded_total(session):
    assert nightly.refunded_total(session) == 0
    session.add(nightly.Refund(invoice_id=1, amount=Decimal("3.00")))
    session.commit()
    assert nightly.refunded_total(session) == Decimal("3.00")
