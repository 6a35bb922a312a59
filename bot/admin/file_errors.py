"""A problem in the tip file, said to an admin in their language: what is wrong, where, how to fix it.

The parser's own English (`TipFileError.reason`) stays in the logs and the start-up message; here
the error's `code` and `details` pick a plain sentence for each everyday mistake.
"""

from __future__ import annotations

from bot.admin.texts import ADMIN_TEXTS, admin_text
from tips.library import TipFileError
from tips.schema import MAX_TIP_LENGTH


def explain(language: str, error: TipFileError) -> str:
    """Three short lines (what, where, fix), without the header."""
    details = error.details
    code = error.code if f"what_{error.code}" in ADMIN_TEXTS["nl"] else "other"
    field_name = str(details.get("field", ""))
    field = (
        admin_text(language, f"field_{field_name}")
        if f"field_{field_name}" in ADMIN_TEXTS["nl"]
        else field_name
    )
    length = details.get("length", 0)
    limit = details.get("limit", MAX_TIP_LENGTH)
    values = {
        "field": field,
        "name": details.get("key", ""),
        "group": details.get("group", ""),
        "tip_id": details.get("tip_id", ""),
        "value": details.get("value", ""),
        "length": length,
        "limit": limit,
        "over": int(str(length)) - int(str(limit))
        if isinstance(length, int) and isinstance(limit, int)
        else "",
    }
    what = admin_text(language, f"what_{code}", **values)
    lines = [admin_text(language, "file_what", what=_capital(what))]
    where = _where(language, error)
    if where:
        lines.append(admin_text(language, "file_where", where=where))
    lines.append(
        admin_text(language, "file_fix", fix=_capital(admin_text(language, f"fix_{code}", **values)))
    )
    return "\n".join(lines)


def refused_message(language: str, error: TipFileError, *, file: str) -> str:
    """The whole message admins get when the file on disk turns out to be invalid."""
    return "\n".join(
        [
            admin_text(language, "file_head", file=file),
            explain(language, error),
            "",
            admin_text(language, "file_meanwhile"),
        ]
    )


def _where(language: str, error: TipFileError) -> str:
    details = error.details
    parts = []
    if error.line is not None:
        parts.append(admin_text(language, "where_line", line=error.line))
    tip_id = details.get("tip_id")
    if tip_id and error.code not in ("duplicate_id", "bad_id"):
        parts.append(admin_text(language, "where_tip", tip_id=tip_id))
    elif "index" in details and "group" in details:
        index = details["index"]
        number = index + 1 if isinstance(index, int) else index
        parts.append(admin_text(language, "where_nth", number=number, group=details["group"]))
    field = details.get("field")
    if field and f"field_{field}" in ADMIN_TEXTS["nl"] and error.code not in ("missing",):
        parts.append(admin_text(language, f"field_{field}"))
    return ", ".join(str(part) for part in parts)


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]
