import redis.asyncio as aioredis
from flask import jsonify

from shop.api import bp
from shop.legacy_models import LegacyOrder
from shop.models import Order


@bp.get("/orders/<int:order_id>")
def show(order_id):
    order = Order.query.get(order_id) or LegacyOrder.query.get_or_404(order_id)
    return jsonify({"id": order.id})


async def warm(url):
    client = aioredis.from_url(url)
    await client.ping()
