import fakeredis
import redis.client

from shop.common.cache import cache_order
from shop.models import Order


def test_cache_order_sets_a_key():
    client = fakeredis.FakeRedis()
    assert isinstance(client, redis.client.Redis)
    cache_order(Order(id=7, total_cents=1250), client)
    assert client.get("order:7") is not None
