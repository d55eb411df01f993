"""Nightly jobs, run from cron: `python -m tasks.nightly`."""
from sqlalchemy import func, select

from app.billing.models import *  # noqa: F403 - the job uses every billing model


def refunded_total(session):
    return session.scalar(select(func.coalesce(func.sum(Refund.amount), 0)))  # noqa: F405
