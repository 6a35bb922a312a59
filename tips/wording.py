"""Which words of a tip's text changed: the history marks them, in the chat and on the web page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

Operation = Literal["equal", "replace", "delete", "insert"]
# Words with the spaces after them, so that joining the pieces gives the texts back exactly.
_WORDS = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class Piece:
    operation: Operation
    before: str  # the old words ("" for an insert)
    after: str  # the new words ("" for a delete)


def word_diff(before: str, after: str) -> list[Piece]:
    """`before` → `after` as runs of equal, replaced, deleted and inserted words."""
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    matcher = SequenceMatcher(
        a=[word.strip() for word in old], b=[word.strip() for word in new], autojunk=False
    )
    pieces: list[Piece] = []
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        pieces.append(Piece(operation, "".join(old[old_start:old_end]), "".join(new[new_start:new_end])))
    return pieces


def marked(before: str, after: str) -> str:
    """One line a phone shows well: unchanged words as they are, changes in brackets.

    `Drink [een → twee] glazen [+water ]per dag` : replaced, inserted ([+ ]) and deleted ([− ]) words.
    """
    parts: list[str] = []
    for piece in word_diff(before, after):
        if piece.operation == "equal":
            parts.append(piece.after)
            continue
        trailing = " " if (piece.after or piece.before).endswith((" ", "\n")) else ""
        old, new = piece.before.strip(), piece.after.strip()
        if piece.operation == "replace":
            parts.append(f"[{old} → {new}]{trailing}")
        elif piece.operation == "insert":
            parts.append(f"[+{new}]{trailing}")
        else:
            parts.append(f"[−{old}]{trailing}")
    return "".join(parts).strip()
