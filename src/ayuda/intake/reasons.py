"""Why an incoming mail became what it did.

The poller writes the reason once, in no particular language; administrators read it later,
each in their own. So a reason is kept untranslated, as a message id with its values (JSON,
as Django's admin log keeps its change messages), and translated when it is shown. Text that
is not such a record (an exception's message, rows written before) is shown as it is.
"""

import json

from django.utils.translation import gettext


def reason(message: str, /, **values) -> str:
    """``message`` is an untranslated message id (mark it with ``gettext_noop``) with
    ``%(name)s`` placeholders for ``values``."""
    return json.dumps({"reason": message, "values": values}, ensure_ascii=False)


def reason_text(stored: str) -> str:
    """The reason in the active language."""
    if not stored.startswith("{"):
        return stored
    try:
        record = json.loads(stored)
    except ValueError:
        return stored
    if not isinstance(record, dict):
        return stored
    message, values = record.get("reason"), record.get("values")
    if not isinstance(message, str) or not isinstance(values, dict):
        return stored
    for text in (gettext(message), message):  # a broken translation falls back to English
        try:
            return text % values if values else text
        except (KeyError, TypeError, ValueError):
            continue
    return stored
