"""Site settings, stored in the settings table (per user, or global with user=None)."""
from pkg.user import models as user_models  # the models module, not its names: it may be mid-import

DEFAULTS = {"slug.max_length": "60", "blog.teaser_length": "120"}
_session = None


def use_session(session):
    global _session
    _session = session


def get_setting(name, default=None, user=None):
    if _session is not None:
        query = _session.query(user_models.Setting).filter_by(name=name, user_id=getattr(user, "id", None))
        row = query.first()
        if row is not None:
            return row.value
    return DEFAULTS.get(name, default)


class SettingsCache:
    def __init__(self):
        self._values = {}

    def get(self, name, default=None):
        if name not in self._values:
            self._values[name] = get_setting(name, default)
        return self._values[name]
