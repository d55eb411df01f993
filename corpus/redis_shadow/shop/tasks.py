from logging.handlers import RotatingFileHandler

import redis.client
from redis import Redis
from redis.lock import Lock

from shop.common.logging import setup
from shop.models import Customer, Order

log = setup()
log.addHandler(RotatingFileHandler("tasks.log", maxBytes=1_000_000))


def recompute_totals(client: Redis) -> int:
    with Lock(client, "recompute-totals", timeout=60):
        pipe: redis.client.Pipeline = client.pipeline()
        for customer in Customer.query.all():
            pipe.set(f"customer:{customer.id}:orders", Order.query.filter_by(customer_id=customer.id).count())
        return len(pipe.execute())
