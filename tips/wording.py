"""Which words of a tip's text changed: the history marks them, in the chat and on the web page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

Operation = Literal["equal", "replace", "delete", "insert"]
# Words and punctuation, each with the spaces after it, so joining the pieces gives the text back.
_PIECES = re.compile(r"\w+\s*|[^\w\s]+\s*|\s+")
_NO_SPACE_BEFORE = re.compile(r"^[.,!?;:)\]…]")


@dataclass(frozen=True)
class Piece:
    operation: Operation
    before: str  # the old words ("" for an insert)
    after: str  # the new words ("" for a delete)


def word_diff(before: str, after: str) -> list[Piece]:
    """`before` → `after` as runs of equal, replaced, deleted and inserted words (spacing kept)."""
    old, new = _PIECES.findall(before), _PIECES.findall(after)
    matcher = SequenceMatcher(
        a=[part.strip() for part in old], b=[part.strip() for part in new], autojunk=False
    )
    return [
        Piece(operation, "".join(old[old_start:old_end]), "".join(new[new_start:new_end]))
        for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes()
    ]


def marked(before: str, after: str) -> str:
    """One line a phone shows well: unchanged words as they are, changes in brackets.

    `Drink [een → twee] glazen water[+, elke dag].`: replaced, inserted ([+ ]) and deleted ([− ]) words.
    """
    parts: list[str] = []
    for piece in word_diff(before, after):
        old, new = _words(piece.before), _words(piece.after)
        if piece.operation == "equal":
            parts.append(new)
        elif piece.operation == "replace":
            parts.append(f"[{old} → {new}]")
        elif piece.operation == "insert":
            parts.append(f"[+{new}]")
        else:
            parts.append(f"[−{old}]")
    line = ""
    for part in parts:
        bare = part.lstrip("[+−")
        if line and not _NO_SPACE_BEFORE.match(bare):
            line += " "
        line += part
    return line


def _words(text: str) -> str:
    """The words of a piece on one line, with no space before punctuation."""
    line = ""
    for part in _PIECES.findall(text):
        part = part.strip()
        if not part:
            continue
        if line and not _NO_SPACE_BEFORE.match(part):
            line += " "
        line += part
    return line
