"""Small helpers shared by the views and the models."""
import re
from datetime import datetime, timezone

from pkg.utils.settings import get_setting

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


def slugify(text):
    limit = int(get_setting("slug.max_length", "60"))
    return _NOT_WORD.sub("-", text.lower()).strip("-")[:limit]
