import json

import redis.client
from redis.exceptions import TimeoutError as RedisTimeout

from shop.common.redis import get_client
from shop.models import Order


def cache_order(order: Order, client: redis.client.Redis | None = None) -> None:
    client = client or get_client()
    try:
        client.setex(f"order:{order.id}", 300, json.dumps({"total": order.total_cents}))
    except RedisTimeout:
        pass
