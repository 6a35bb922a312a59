"""One codec for the data behind inline buttons, in the spirit of aiogram's `CallbackData`.

A family of buttons is a frozen class with typed fields, declared with its prefix:

    class NudgeButton(CallbackData, prefix="n"):
        nudge_id: Annotated[int, Range(0, 10**18 - 1)]
        action: Action
        value: Annotated[int, Range(0, 99)] | None = None

`NudgeButton(7, Action.DONE).pack()` is "n:7:done"; `NudgeButton.unpack(data)` reads data back, or
returns None for anything no button of the family carries (forged, garbled, from an older bot);
`NudgeButton.pattern()` is the regex its `CallbackQueryHandler` listens to.

The data is the prefix and then the fields in order, joined by ":": ints in ASCII decimal, StrEnum
members and literals by their value, bools as yes/no, None as nothing. Trailing fields that hold
their default are left out, so an optional end costs no bytes. A family with `prefix=None` starts
with its first field, which must then be a StrEnum or Literal: its values lead the data.
Data is read back only in the one spelling `pack` writes ("n:07:done" is refused), so every button
has exactly one data string.
"""

from __future__ import annotations

import dataclasses
import re
import types
from collections.abc import Callable
from enum import Enum
from typing import (
    Annotated,
    Any,
    ClassVar,
    Literal,
    Self,
    Union,
    cast,
    dataclass_transform,
    get_args,
    get_origin,
    get_type_hints,
)

SEPARATOR = ":"
# Telegram's limit for callback_data, in UTF-8 bytes.
MAX_BYTES = 64
BOOL_WORDS = {True: "yes", False: "no"}
_BOOLS = {word: value for value, word in BOOL_WORDS.items()}


class CallbackDataError(ValueError):
    """A button the codec cannot write: a value it would not read back, or fields that do not go together."""


class CallbackDataTooLong(CallbackDataError):
    """A button whose data would not fit Telegram's 64 bytes."""


@dataclasses.dataclass(frozen=True)
class Range:
    """`Annotated[int, Range(low, high)]`: the values an int field takes, both ends included."""

    low: int
    high: int


@dataclasses.dataclass(frozen=True)
class Matches:
    """`Annotated[str, Matches(regex)]`: a str field takes only words the whole regex matches."""

    regex: str


# Reads one field's word; ValueError for a word the field does not take.
_Reader = Callable[[str], object]


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    read: _Reader
    # Every word the field takes, when there are few (enums, literals, bools).
    words: frozenset[str] | None
    has_default: bool
    default: object


def _int_reader(limits: Range | None) -> _Reader:
    def read(word: str) -> int:
        # isdigit() alone also takes other scripts' digits ("١"), which int() reads.
        digits = word.removeprefix("-")
        if not (digits.isascii() and digits.isdigit()):
            raise ValueError(word)
        value = int(word)
        if limits is not None and not limits.low <= value <= limits.high:
            raise ValueError(word)
        return value

    return read


def _str_reader(matches: Matches | None) -> _Reader:
    def read(word: str) -> str:
        if matches is not None and re.fullmatch(matches.regex, word) is None:
            raise ValueError(word)
        return word

    return read


def _bool_reader(word: str) -> bool:
    if word not in _BOOLS:
        raise ValueError(word)
    return _BOOLS[word]


def _literal_reader(values: frozenset[str]) -> _Reader:
    def read(word: str) -> str:
        if word not in values:
            raise ValueError(word)
        return word

    return read


def _union_reader(readers: list[_Reader], optional: bool) -> _Reader:
    def read(word: str) -> object:
        if optional and word == "":
            return None
        for reader in readers:
            try:
                return reader(word)
            except ValueError:
                continue
        raise ValueError(word)

    return read


def _reader(hint: object, where: str) -> tuple[_Reader, frozenset[str] | None]:
    """How a field of this type reads its word, and the words it takes when there are few."""
    origin, arguments = get_origin(hint), get_args(hint)
    if origin is Annotated:
        base, *metadata = arguments
        limits = next((item for item in metadata if isinstance(item, Range)), None)
        matches = next((item for item in metadata if isinstance(item, Matches)), None)
        if base is int:
            return _int_reader(limits), None
        if base is str:
            return _str_reader(matches), None
        return _reader(base, where)
    if origin in (Union, types.UnionType):
        members = [member for member in arguments if member is not type(None)]
        parts = [_reader(member, where) for member in members]
        optional = len(members) < len(arguments)
        words: frozenset[str] | None = frozenset()
        for _, member_words in parts:
            words = None if words is None or member_words is None else words | member_words
        return _union_reader([read for read, _ in parts], optional), words
    if origin is Literal:
        if not all(isinstance(value, str) for value in arguments):
            raise TypeError(f"{where}: only literals of str are supported")
        values = frozenset(arguments)
        return _literal_reader(values), values
    if hint is bool:
        return _bool_reader, frozenset(_BOOLS)
    if hint is int:
        return _int_reader(None), None
    if hint is str:
        return _str_reader(None), None
    if isinstance(hint, type) and issubclass(hint, Enum) and issubclass(hint, str):
        return hint, frozenset(member.value for member in hint)
    raise TypeError(f"{where}: unsupported field type {hint!r}")


def _word(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return BOOL_WORDS[value]
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, int | str):
        return str(value)
    raise CallbackDataError(f"cannot write {value!r} into callback data")


# Which family claims data that starts with a word, so that no two families' patterns overlap.
_FAMILIES: dict[str, str] = {}


@dataclass_transform(frozen_default=True)
class CallbackData:
    """Base of every family of button data; a subclass is a frozen dataclass (see the module docstring)."""

    prefix: ClassVar[str | None]
    _fields: ClassVar[tuple[_Field, ...]]
    _pattern: ClassVar[re.Pattern[str]]

    def __init_subclass__(cls, *, prefix: str | None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True)(cls)
        hints = get_type_hints(cls, include_extras=True)
        fields = []
        for field in dataclasses.fields(cast(Any, cls)):
            read, words = _reader(hints[field.name], f"{cls.__qualname__}.{field.name}")
            has_default = field.default is not dataclasses.MISSING
            fields.append(_Field(field.name, read, words, has_default, field.default))
        if prefix is not None:
            if not prefix or SEPARATOR in prefix:
                raise TypeError(f"{cls.__qualname__}: a prefix is a non-empty word without {SEPARATOR!r}")
            leading = frozenset({prefix})
        elif not fields or fields[0].words is None or fields[0].has_default:
            raise TypeError(f"{cls.__qualname__}: without a prefix, the first field must be a required enum")
        else:
            leading = fields[0].words
        name = f"{cls.__module__}.{cls.__qualname__}"
        taken = {word for word in leading if _FAMILIES.get(word, name) != name}
        if taken:
            raise TypeError(f"{cls.__qualname__}: data starting with {sorted(taken)} is another family's")
        _FAMILIES.update(dict.fromkeys(leading, name))
        cls.prefix, cls._fields = prefix, tuple(fields)
        alternatives = "|".join(re.escape(word) for word in sorted(leading))
        start = alternatives if len(leading) == 1 else f"(?:{alternatives})"
        cls._pattern = re.compile(f"^{start}{re.escape(SEPARATOR)}")

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        """What this family's `CallbackQueryHandler` matches: data that starts like its buttons'."""
        return cls._pattern

    def pack(self) -> str:
        """The callback data for this button; CallbackDataError when it cannot be written or read back."""
        words = self._words()
        for field, word in zip(self._fields, words, strict=False):
            if SEPARATOR in word:
                raise CallbackDataError(f"{type(self).__qualname__}.{field.name} may not hold {SEPARATOR!r}")
        data = self._join(words)
        try:
            size = len(data.encode())
        except UnicodeEncodeError as error:
            raise CallbackDataError(f"{data!r} is not valid UTF-8") from error
        if size > MAX_BYTES:
            raise CallbackDataTooLong(f"{data!r} is {size} bytes, Telegram takes at most {MAX_BYTES}")
        if type(self).unpack(data) != self:
            raise CallbackDataError(f"{self!r} would not be read back from {data!r}")
        return data

    @classmethod
    def unpack(cls, data: str | None) -> Self | None:
        """The button behind callback data, or None for anything no button of this family carries."""
        if data is None:
            return None
        try:
            if len(data.encode()) > MAX_BYTES:
                return None
        except UnicodeEncodeError:
            return None
        words = data.split(SEPARATOR)
        if cls.prefix is not None:
            if words[0] != cls.prefix:
                return None
            words = words[1:]
        fields = cls._fields
        if len(words) > len(fields) or not all(field.has_default for field in fields[len(words) :]):
            return None
        try:
            values = {field.name: field.read(word) for field, word in zip(fields, words, strict=False)}
            # A family's __post_init__ refuses fields that do not go together with a ValueError.
            button: Self = cls(**values)
        except ValueError:
            return None
        return button if button._join(button._words()) == data else None

    def _words(self) -> list[str]:
        fields = self._fields
        values = [getattr(self, field.name) for field in fields]
        end = len(fields)
        while end and fields[end - 1].has_default and values[end - 1] == fields[end - 1].default:
            end -= 1
        return [_word(value) for value in values[:end]]

    def _join(self, words: list[str]) -> str:
        return SEPARATOR.join(words if self.prefix is None else [self.prefix, *words])
