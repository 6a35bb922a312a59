"""Telegram's text formatting rules: parse modes, message entities and text normalisation.

The Bot API turns `parse_mode` markup (HTML, MarkdownV2, legacy Markdown) into plain text plus
a list of `MessageEntity` dicts whose offsets and lengths count UTF-16 code units. Malformed
markup is rejected with "Bad Request: can't parse entities: ...", which is exactly the kind of
bug (an unescaped `<` or `.`) that a fake API should catch before production does, so the
parsers here are strict in the same places Telegram is.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "EntityParseError",
    "bot_command_entities",
    "parse_formatted",
    "strip_text",
    "utf16_len",
]


class EntityParseError(ValueError):
    """Markup that Telegram would refuse; the message is the part after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _entity(kind: str, offset: int, length: int, **extra: Any) -> dict[str, Any]:
    entity: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
    entity.update({key: value for key, value in extra.items() if value is not None})
    return entity


def _sorted(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


# --------------------------------------------------------------------------------------------
# HTML

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME = re.compile(r"[A-Za-z0-9-]*")
_ATTRIBUTE = re.compile(r"""\s*([A-Za-z0-9_-]+)\s*(?:=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_CHAR_REF = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]+);")


def _unescape_html(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        ref = match.group(1)
        if ref.startswith(("#x", "#X")):
            code = int(ref[2:], 16)
        elif ref.startswith("#"):
            code = int(ref[1:])
        else:
            # Telegram only knows four named entities and leaves any other `&name;` as text.
            return _NAMED_HTML_ENTITIES.get(ref.lower(), match.group(0))
        try:
            return chr(code)
        except (ValueError, OverflowError):
            return match.group(0)

    return _CHAR_REF.sub(replace, text)


def _parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    out: list[str] = []
    position = 0  # UTF-16 offset in the output
    entities: list[dict[str, Any]] = []
    extra: dict[str, Any]
    # (tag name, entity type, start offset, extra entity fields)
    stack: list[tuple[str, str, int, dict[str, Any]]] = []
    i = 0
    while i < len(source):
        lt = source.find("<", i)
        chunk = source[i:] if lt < 0 else source[i:lt]
        if chunk:
            plain = _unescape_html(chunk)
            out.append(plain)
            position += utf16_len(plain)
        if lt < 0:
            break
        gt = source.find(">", lt)
        if gt < 0:
            raise EntityParseError(
                f"Can't find end of the tag starting at byte offset {_byte_offset(source, lt)}"
            )
        body = source[lt + 1 : gt]
        i = gt + 1
        if body.startswith("/"):
            name = body[1:].strip().lower()
            if not stack:
                raise EntityParseError(
                    f'Unexpected end tag "{name}" at byte offset {_byte_offset(source, lt)}'
                )
            tag, kind, start, extra = stack.pop()
            if name != tag:
                raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
            if position > start and kind != "_code_in_pre":
                entities.append(_entity(kind, start, position - start, **extra))
            continue
        name_match = _TAG_NAME.match(body)
        name = name_match.group(0).lower() if name_match else ""
        if name not in _HTML_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, lt)}'
            )
        attributes = {
            key.lower(): _unescape_html(value.strip("\"'")) if value else ""
            for key, value in _ATTRIBUTE.findall(body[len(name) :].rstrip("/"))
        }
        kind = _HTML_TAGS[name]
        extra = {}
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise EntityParseError(f'Unsupported start tag "span" at byte offset {_byte_offset(source, lt)}')
        if kind == "text_link":
            extra["url"] = attributes.get("href", "")
        elif kind == "custom_emoji":
            extra["custom_emoji_id"] = attributes.get("emoji-id", "")
        elif kind == "blockquote" and "expandable" in attributes:
            kind = "expandable_blockquote"
        elif kind == "code" and stack and stack[-1][1] == "pre":
            # <pre><code class="language-x"> is one pre entity with a language, not two.
            language = attributes.get("class", "")
            if language.startswith("language-"):
                stack[-1][3]["language"] = language.removeprefix("language-")
            kind = "_code_in_pre"
        stack.append((name, kind, position, extra))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), entities


# --------------------------------------------------------------------------------------------
# MarkdownV2

_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
}


def _parse_markdown_v2(source: str) -> tuple[str, list[dict[str, Any]]]:
    out: list[str] = []
    position = 0
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, int, int]] = []  # (entity type, start offset, source index)
    quote_start: int | None = None
    i = 0
    n = len(source)

    def emit(text: str) -> None:
        nonlocal position
        out.append(text)
        position += utf16_len(text)

    def toggle(kind: str, index: int) -> None:
        if stack and stack[-1][0] == kind:
            _, start, _ = stack.pop()
            if position > start:
                entities.append(_entity(kind, start, position - start))
        elif any(entry[0] == kind for entry in stack):
            open_kind, _, open_index = stack[-1]
            raise EntityParseError(
                f"Can't find end of {_MDV2_NAMES[open_kind]} entity at byte offset "
                f"{_byte_offset(source, open_index)}"
            )
        else:
            stack.append((kind, position, index))

    while i < n:
        char = source[i]
        at_line_start = i == 0 or source[i - 1] == "\n"
        if at_line_start and quote_start is not None and char != ">":
            # The quote ends with the previous line; its newline is not part of it.
            end = position - 1 if i > 0 else position
            if end > quote_start:
                entities.append(_entity("blockquote", quote_start, end - quote_start))
            quote_start = None
        if char == "\\" and i + 1 < n and 0 < ord(source[i + 1]) < 127:
            emit(source[i + 1])
            i += 2
        elif char == "`":
            fence = source.startswith("```", i)
            marker = "```" if fence else "`"
            body_start = i + len(marker)
            language = None
            if fence:
                newline = source.find("\n", body_start)
                first_line = source[body_start:newline] if newline >= 0 else ""
                if newline >= 0 and first_line and " " not in first_line:
                    language = first_line
                    body_start = newline + 1
            j = body_start
            text: list[str] = []
            while j < n and not source.startswith(marker, j):
                if source[j] == "\\" and j + 1 < n and source[j + 1] in "`\\":
                    text.append(source[j + 1])
                    j += 2
                else:
                    text.append(source[j])
                    j += 1
            if j >= n:
                name = "Pre" if fence else "Code"
                raise EntityParseError(
                    f"Can't find end of {name} entity at byte offset {_byte_offset(source, i)}"
                )
            start = position
            emit("".join(text))
            if position > start:
                kind = "pre" if fence else "code"
                entities.append(_entity(kind, start, position - start, language=language))
            i = j + len(marker)
        elif char == "*":
            toggle("bold", i)
            i += 1
        elif char == "_":
            if source.startswith("__", i):
                toggle("underline", i)
                i += 2
            else:
                toggle("italic", i)
                i += 1
        elif char == "~":
            toggle("strikethrough", i)
            i += 1
        elif char == "|" and source.startswith("||", i):
            toggle("spoiler", i)
            i += 2
        elif char == "[":
            stack.append(("text_link", position, i))
            i += 1
        elif char == "]" and stack and stack[-1][0] == "text_link":
            _, start, _ = stack.pop()
            if not source.startswith("(", i + 1):
                raise EntityParseError(f"Can't find end of a URL at byte offset {_byte_offset(source, i)}")
            j = i + 2
            url: list[str] = []
            while j < n and source[j] != ")":
                if source[j] == "\\" and j + 1 < n:
                    url.append(source[j + 1])
                    j += 2
                else:
                    url.append(source[j])
                    j += 1
            if j >= n:
                raise EntityParseError(f"Can't find end of a URL at byte offset {_byte_offset(source, i)}")
            if position > start:
                entities.append(_entity("text_link", start, position - start, url="".join(url)))
            i = j + 1
        elif char == ">" and at_line_start:
            if quote_start is None:
                quote_start = position
            i += 1
        elif char in _MDV2_RESERVED:
            raise EntityParseError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        else:
            emit(char)
            i += 1
    if stack:
        kind, _, index = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MDV2_NAMES[kind]} entity at byte offset {_byte_offset(source, index)}"
        )
    if quote_start is not None:
        entities.append(_entity("blockquote", quote_start, position - quote_start))
    return "".join(out), entities


# --------------------------------------------------------------------------------------------
# Legacy Markdown

_MD_MARKERS = {"*": "bold", "_": "italic"}


def _parse_markdown(source: str) -> tuple[str, list[dict[str, Any]]]:
    out: list[str] = []
    position = 0
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(source)

    def fail(index: int) -> EntityParseError:
        return EntityParseError(
            f"Can't find end of the entity starting at byte offset {_byte_offset(source, index)}"
        )

    while i < n:
        char = source[i]
        if char == "\\" and i + 1 < n and source[i + 1] in "_*`[":
            out.append(source[i + 1])
            position += 1
            i += 2
        elif char in _MD_MARKERS or char == "`":
            fence = source.startswith("```", i)
            marker = "```" if fence else char
            end = source.find(marker, i + len(marker))
            if end < 0:
                raise fail(i)
            body = source[i + len(marker) : end]
            language = None
            if fence and "\n" in body:
                first_line, rest = body.split("\n", 1)
                if first_line and " " not in first_line:
                    language, body = first_line, rest
            kind = "pre" if fence else "code" if char == "`" else _MD_MARKERS[char]
            if body:
                length = utf16_len(body)
                entities.append(_entity(kind, position, length, language=language))
                out.append(body)
                position += length
            i = end + len(marker)
        elif char == "[":
            close = source.find("]", i + 1)
            if close < 0:
                raise fail(i)
            label = source[i + 1 : close]
            if source.startswith("(", close + 1):
                end = source.find(")", close + 2)
                if end < 0:
                    raise fail(i)
                url = source[close + 2 : end]
                i = end + 1
            else:
                url, i = "", close + 1
            length = utf16_len(label)
            if label and url:
                entities.append(_entity("text_link", position, length, url=url))
            out.append(label)
            position += length
        else:
            out.append(char)
            position += utf16_len(char)
            i += 1
    return "".join(out), entities


# --------------------------------------------------------------------------------------------
# Public helpers


def parse_formatted(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    """Return Telegram's (text, entities) for `text` sent with `parse_mode` or `entities`.

    Explicit `entities` win over `parse_mode`, as in the Bot API. Raises `EntityParseError`
    for markup Telegram would reject and `ValueError` for an unknown parse mode.
    """
    if entities is not None:
        return text, _sorted([dict(entity) for entity in entities])
    mode = (parse_mode or "").lower()
    if not mode:
        return text, []
    if mode == "html":
        plain, found = _parse_html(text)
    elif mode == "markdownv2":
        plain, found = _parse_markdown_v2(text)
    elif mode == "markdown":
        plain, found = _parse_markdown(text)
    else:
        raise ValueError(f"unsupported parse_mode {parse_mode!r}")
    return plain, _sorted(found)


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace like Telegram does, shifting and clipping the entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    kept: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def bot_command_entities(text: str) -> list[dict[str, Any]]:
    """The `bot_command` entity Telegram adds to a message that starts with `/command`."""
    match = re.match(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?", text)
    if not match:
        return []
    return [_entity("bot_command", 0, utf16_len(match.group(0)))]
