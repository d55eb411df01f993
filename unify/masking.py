"""Database passwords never leave unify: mask every form of them in any text.

Forms: ``scheme://user:password@host`` (also with a raw ``@`` inside the password,
where the host starts after the last ``@``) and query parameters such as
``?password=...`` or ``&sslpassword=...``. Used for messages, JSON and crash logs.
"""

from __future__ import annotations

import re

_USERINFO = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/?#@\"']*:)"
                       r"(?P<secret>[^\s/?#\"']*)@(?P<host>[^\s@/?#\"']*)(?=[\s/?#\"']|$)")
_QUERY = re.compile(r"(?P<key>[?&;](?:[a-z_]*pass(?:word|wd)?|pwd|secret)=)[^&#\s\"']*",
                    re.IGNORECASE)


def mask(text: str) -> str:
    """``text`` with every URL password replaced by ``***``."""
    text = _USERINFO.sub(lambda m: f"{m['head']}***@{m['host']}", text)
    return _QUERY.sub(lambda m: f"{m['key']}***", text)
