import logging
import logging.config


def setup(level="INFO"):
    logging.basicConfig(level=level, format="%(asctime)s %(name)s %(message)s")
    return logging.getLogger("shop")
