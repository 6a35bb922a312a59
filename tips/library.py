"""Load and validate content/tips.yaml, and choose which tip a member sees next.

The file is a mapping of group name to a list of tips (see the header of content/tips.yaml).
Every problem is reported as a `TipFileError` naming the file, the 1-based line and the
field (`water[3].nl`: the fourth tip of the water group, counting from 0), so that an admin
can fix a typo without reading a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from tips.schema import MAX_TIP_LENGTH, SlotKind, Tip, TipGroup

# The fields a tip may have in the file; `group` comes from the list the tip is in.
FILE_FIELDS = ("id", "nl", "en", "source", "fits", "enabled")
REQUIRED_FIELDS = ("id", "nl", "en")
GROUP_VALUES = tuple(group.value for group in TipGroup)
GROUP_NAMES = ", ".join(GROUP_VALUES)
# A tip is never shown to the same member again within this time, even after a full cycle.
TIP_REPEAT_GAP = timedelta(days=7)
# A slot kind with fewer fitting tips than days in TIP_REPEAT_GAP would repeat within the week.
SMALL_GROUP = 7


class TipFileError(Exception):
    """A problem in the tip file, located as precisely as the YAML allows.

    `reason` is one English line for logs and the start-up message; `code` and `details` say the
    same for the admins' messages, which explain it in their language (bot/admin/file_errors.py).
    """

    def __init__(
        self,
        path: Path,
        reason: str,
        *,
        line: int | None = None,
        field: str | None = None,
        code: str = "other",
        details: Mapping[str, object] | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.reason = reason
        self.code = code
        self.details: Mapping[str, object] = details or {}
        super().__init__(str(self))

    def __str__(self) -> str:
        """`content/tips.yaml, line 14, field water[3].nl: text is 231 characters, ...`."""
        where = [str(self.path)]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field is not None:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.reason}"


@dataclass(frozen=True)
class TipLibrary:
    """All tips of the file, in file order (groups in file order, then tips within a group)."""

    tips: tuple[Tip, ...] = ()
    _by_id: dict[str, Tip] = field(init=False, repr=False, compare=False)
    # Worked out once: the dispatcher asks for every nudge it sends.
    _by_kind: dict[SlotKind, tuple[Tip, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Tip] = {}
        for tip in self.tips:
            if tip.id in by_id:
                raise ValueError(f"duplicate tip id {tip.id!r}")
            by_id[tip.id] = tip
        object.__setattr__(self, "_by_id", by_id)
        by_kind = {
            kind: tuple(tip for tip in self.tips if tip.enabled and tip.fits_kind(kind)) for kind in SlotKind
        }
        object.__setattr__(self, "_by_kind", by_kind)

    def get(self, tip_id: str) -> Tip | None:
        """The tip with this id, enabled or not; None if there is none."""
        return self._by_id.get(tip_id)

    def enabled(self, group: str) -> list[Tip]:
        """The enabled tips of a group, in file order (empty for an unknown group)."""
        return [tip for tip in self.tips if tip.group == group and tip.enabled]

    def fitting(self, kind: SlotKind) -> list[Tip]:
        """The enabled tips that fit a slot of this kind (all of its group's), in file order."""
        return list(self._by_kind[kind])

    def groups(self) -> list[TipGroup]:
        """The groups that have at least one tip (enabled or not), in `TipGroup` order."""
        present = {tip.group for tip in self.tips}
        return [group for group in TipGroup if group in present]


def load_tip_library(path: Path) -> TipLibrary:
    """Read and validate the tip file at `path`; raise `TipFileError` on any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TipFileError(path, f"cannot read the file: {exc}", code="unreadable") from exc
    return parse_tip_library(text, path)


def parse_tip_library(text: str, path: Path) -> TipLibrary:
    """Validate tip-file text that is not (yet) on disk; `path` is only used in messages."""
    document = _parse_yaml(text, path)
    tips: list[Tip] = []
    first_use: dict[str, str] = {}
    for group, entries in _groups(document, path):
        for index, entry in enumerate(entries):
            where = f"{group.value}[{index}]"
            tip = _tip(entry, group, index, _item_line(entries, index), path)
            if tip.id in first_use:
                raise TipFileError(
                    path,
                    f"duplicate id {tip.id!r}, already used by {first_use[tip.id]}",
                    line=_key_line(entry, "id"),
                    field=f"{where}.id",
                    code="duplicate_id",
                    details={"group": group.value, "index": index, "tip_id": tip.id},
                )
            first_use[tip.id] = f"{where} (line {_key_line(entry, 'id')})"
            tips.append(tip)
    return TipLibrary(tuple(tips))


def choose_tip(
    library: TipLibrary,
    kind: SlotKind,
    recent_tip_ids: Sequence[str],
    *,
    shown_within_repeat_gap: Collection[str] = (),
) -> Tip | None:
    """The tip a member should see next with a slot of `kind`, or None if there is none to show now.

    The candidates are the enabled tips of the kind's group that fit it (`Tip.fits_kind`: a tip
    without `fits` fits every slot of its group). `recent_tip_ids` are the ids of the tips this
    member was sent for that group, with any kind, newest first. The rule is least-recently-seen
    rotation over the candidates:

    1. a candidate the member has never been sent comes first, in file order (so a newly added
       or newly enabled tip is shown at the next nudge it fits);
    2. when every candidate has been seen, the one seen longest ago is chosen;
    3. and, for a small kind (fewer than `SMALL_GROUP` candidates), never a tip in
       `shown_within_repeat_gap` (the ids sent to this member in the last `TIP_REPEAT_GAP`):
       such a nudge then goes without a tip rather than repeating one within the week.

    So a member never gets a tip twice with slots of one kind before they have seen every tip
    that fits it (a send with another kind counts as seen), and a small kind's tips not within
    7 days, whatever the history was. A kind with enough tips always has one to show, so daily
    nudges never lose their tip. Ids of disabled, removed or unfitting tips in the history are
    ignored. The history must reach back to the last send of every candidate; a shorter one
    makes older tips look never-seen (once a day, a kind needs as many days of the group's sends
    as it has candidates).
    """
    if isinstance(recent_tip_ids, str) or isinstance(shown_within_repeat_gap, str):
        raise TypeError("tip histories must be sequences of ids, not one string")
    fitting = library.fitting(SlotKind(kind))
    if len(fitting) >= SMALL_GROUP:
        shown_within_repeat_gap = ()
    candidates = [tip for tip in fitting if tip.id not in shown_within_repeat_gap]
    if not candidates:
        return None
    age: dict[str, int] = {}
    for position, tip_id in enumerate(recent_tip_ids):
        age.setdefault(tip_id, position)
    for tip in candidates:
        if tip.id not in age:
            return tip
    return max(candidates, key=lambda tip: age[tip.id])


def _parse_yaml(text: str, path: Path) -> Any:
    """The YAML document as ruamel round-trip objects, which remember their line numbers."""
    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        kind, key = _yaml_kind(exc)
        raise TipFileError(
            path, _yaml_reason(exc), line=line, code=f"yaml_{kind}", details={"key": key}
        ) from exc
    except YAMLError as exc:
        raise TipFileError(path, f"not valid YAML: {exc}", code="yaml_other") from exc


def _yaml_reason(exc: MarkedYAMLError) -> str:
    """The parser's complaint in one line, with where the unfinished construct started."""
    reason = f"not valid YAML: {exc.problem or exc.context or 'cannot parse'}"
    if exc.problem and exc.context:
        started = f", line {exc.context_mark.line + 1}" if exc.context_mark is not None else ""
        reason += f" ({exc.context}{started})"
    if "'\\t'" in reason:
        reason += "; indent with spaces, not tabs"
    return reason


def _yaml_kind(exc: MarkedYAMLError) -> tuple[str, str | None]:
    """Which everyday mistake the parser's complaint comes from, and the key it names, if any."""
    problem = str(exc.problem or exc.context or "")
    if "'\\t'" in problem:
        return "tab", None
    if "duplicate key" in problem:
        found = re.search(r'duplicate key "([^"]*)"', problem)
        return "duplicate_key", found[1] if found else None
    if "mapping values are not allowed" in problem:
        return "colon", None
    if "but found '<scalar>'" in problem:
        return "quote", None
    if "but found '<block mapping start>'" in problem:
        return "indent", None
    if "flow" in str(exc.context or ""):
        return "bracket", None
    return "other", None


def _groups(document: Any, path: Path) -> Iterator[tuple[TipGroup, CommentedSeq]]:
    """The (group, list of tip entries) pairs of the document, in file order."""
    if document is None:
        raise TipFileError(
            path, f"the file has no tips; expected groups such as {GROUP_NAMES}", code="empty_file"
        )
    if not isinstance(document, CommentedMap):
        raise TipFileError(
            path,
            f"the top level must be a mapping of groups ({GROUP_NAMES}), not {_kind(document)}",
            line=_start_line(document),
            code="top_not_mapping",
        )
    for key, entries in document.items():
        name = str(key)
        line = _key_line(document, key)
        if name not in GROUP_VALUES:
            raise TipFileError(
                path,
                f"unknown group {name!r}; the groups are {GROUP_NAMES}",
                line=line,
                field=name,
                code="unknown_group",
                details={"group": name},
            )
        if not isinstance(entries, CommentedSeq):
            raise TipFileError(
                path,
                f"a group must be a list of tips (each one starting with '- id:'), not {_kind(entries)}",
                line=line,
                field=name,
                code="group_not_list",
                details={"group": name},
            )
        yield TipGroup(name), entries


def _tip(entry: Any, group: TipGroup, index: int, line: int | None, path: Path) -> Tip:
    """Validate one tip entry of the file."""
    where = f"{group.value}[{index}]"
    details: dict[str, object] = {"group": group.value, "index": index}
    if not isinstance(entry, CommentedMap):
        raise TipFileError(
            path,
            f"a tip must be a mapping with id, nl and en, not {_kind(entry)}",
            line=line,
            field=where,
            code="tip_not_mapping",
            details=details,
        )
    if isinstance(entry.get("id"), str):
        details["tip_id"] = entry["id"]
    for key in entry:
        if key not in FILE_FIELDS:
            raise TipFileError(
                path,
                f"unknown field {str(key)!r}; a tip has {', '.join(FILE_FIELDS)}",
                line=_key_line(entry, key),
                field=f"{where}.{key}",
                code="unknown_field",
                details={**details, "key": str(key)},
            )
    if "fits" in entry and entry["fits"] is None:
        # In the file, an empty `fits:` is more likely a list left out than a wish to fit everywhere.
        raise TipFileError(
            path,
            "an empty list fits no slot; leave fits out to fit every slot",
            line=_key_line(entry, "fits"),
            field=f"{where}.fits",
        )
    values = {str(key): _plain(value) for key, value in entry.items()}
    try:
        return Tip.model_validate({**values, "group": group})
    except ValidationError as exc:
        errors = [_located(error, entry, where, line, path, details) for error in exc.errors()]
        raise min(errors, key=lambda error: error.line or 0) from exc


def _located(
    error: ErrorDetails,
    entry: CommentedMap,
    where: str,
    line: int | None,
    path: Path,
    details: Mapping[str, object],
) -> TipFileError:
    """A pydantic error about one field, turned into a message with file, line and field."""
    name = str(error["loc"][0]) if error["loc"] else None
    if name is None:
        return TipFileError(path, error["msg"], line=line, field=where, details=details)
    field_line = _key_line(entry, name) if name in entry else line
    code = _CODES.get(error["type"], "invalid")
    if error["type"] == "string_type" and error["input"] is None:
        code = "empty_text"
    more: dict[str, object] = {"field": name, "value": error["input"]}
    more.update(error.get("ctx") or {})
    index = error.get("ctx", {}).get("index")
    value = entry.get(name)
    if isinstance(index, int) and isinstance(value, CommentedSeq):
        # One word of a list such as `fits`: name the word, on its own line in a block list.
        return TipFileError(
            path,
            _reason(error),
            line=_item_line(value, index),
            field=f"{where}.{name}[{index}]",
            code=code,
            details={**details, **more},
        )
    return TipFileError(
        path,
        _reason(error),
        line=field_line,
        field=f"{where}.{name}",
        code=code,
        details={**details, **more},
    )


# pydantic's error types, as the codes the admins' messages explain.
_CODES = {
    "missing": "missing",
    "bool_type": "not_bool",
    "too_long": "too_long",
    "string_too_short": "empty_text",
    "string_pattern_mismatch": "bad_id",
    "string_type": "not_text",
    "control_characters": "control_characters",
}


def _reason(error: ErrorDetails) -> str:
    """An admin-readable reason for one pydantic error."""
    kind, value = error["type"], error["input"]
    if kind == "missing":
        return f"missing; every tip needs {', '.join(REQUIRED_FIELDS)}"
    if kind == "bool_type":
        return f"must be true or false, not {_kind(value)}"
    if kind == "too_long":
        context = error.get("ctx", {})
        limit = context.get("limit", MAX_TIP_LENGTH)
        return f"text is {context.get('length')} characters, the limit is {limit}"
    if kind == "string_too_short" or (kind == "string_type" and value is None):
        return "text is empty"
    if kind == "string_pattern_mismatch":
        return (
            f"bad id {value!r}: use 2 to 64 lowercase letters, digits and hyphens, "
            "starting with a letter or digit (like water-first-glass)"
        )
    if kind == "string_type":
        return f"must be text, not {_kind(value)}"
    return str(error["msg"])


def _plain(value: Any) -> Any:
    """ruamel's string subclasses (block scalars and the like) as plain str."""
    return str(value) if isinstance(value, str) else value


def _kind(value: Any) -> str:
    """How a YAML value looks to someone editing the file."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value!r}"
    return f"{value!r}"


def _start_line(node: Any) -> int | None:
    """The 1-based line where a mapping or list starts, if ruamel recorded it."""
    lc = getattr(node, "lc", None)
    return lc.line + 1 if lc is not None and lc.line is not None else None


def _key_line(mapping: CommentedMap, key: Any) -> int | None:
    """The 1-based line of a key in a mapping."""
    try:
        return int(mapping.lc.key(key)[0]) + 1
    except (KeyError, TypeError, AttributeError):
        return _start_line(mapping)


def _item_line(sequence: CommentedSeq, index: int) -> int | None:
    """The 1-based line of an item in a list."""
    try:
        return int(sequence.lc.item(index)[0]) + 1
    except (KeyError, TypeError, AttributeError):
        return _start_line(sequence)
