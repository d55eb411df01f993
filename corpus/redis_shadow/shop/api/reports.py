from flask import jsonify

from shop.api import bp
from shop.reporting import weekly_totals  # the reporting module was never committed


@bp.get("/reports/weekly")
def weekly():
    return jsonify(weekly_totals())
