"""The live tip library: swapped in one step on a reload or an edit, kept when a new file is bad.

The dispatcher and the handlers read `TipStore.library` whenever they need tips, so a reload
takes effect at the next nudge. Reloads and edits are plain synchronous code run on the bot's
event loop, so no handler or job ever sees a half-applied change; the library itself is
immutable and replaced by a single assignment.

While the file on disk is invalid (a hand edit gone wrong), the last valid version stays live.
Switching a tip on or off still works then: the switch is made live at once on that version
and kept as *pending*; it is written into the file as soon as the file is valid again (unless
the fixed file itself changed that tip's switch, or no longer has the tip: the file wins). Every
other edit is refused until then, because it would have to be written into a file that cannot
be read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from tips.editing import (
    EditedFile,
    EditProblem,
    FieldChange,
    SetEnabled,
    TipEdit,
    TipEditError,
    diff_libraries,
    edit_tip_text,
    write_atomically,
)
from tips.library import TipFileError, TipLibrary, parse_tip_library


class ReloadStatus(StrEnum):
    UNCHANGED = "unchanged"  # the file is as it was last loaded (or refused)
    RELOADED = "reloaded"  # read and validated again; `changes` may be empty (say, a comment)
    REFUSED = "refused"  # the file on disk is invalid; the last valid tips stay live


@dataclass(frozen=True)
class ReloadResult:
    status: ReloadStatus
    # What changed in the file by hand since it was last loaded.
    changes: tuple[FieldChange, ...] = ()
    error: TipFileError | None = None
    # Pending switches now written into the file, and those the fixed file overruled.
    written_back: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()


@dataclass(frozen=True)
class Applied:
    """An edit made live: `edited.changes` are the admin's; `reload` is what was found first."""

    edited: EditedFile
    # The file as found just before the edit: hand edits made since the last look are live now too.
    reload: ReloadResult
    # The file is invalid: the switch is live but written only once the file is valid again.
    pending: bool = False


class TipStore:
    """Holds the tips in use and the file they came from."""

    def __init__(self, path: Path, library: TipLibrary) -> None:
        """`library` must be what `path` holds now (as loaded at start-up)."""
        self._path = path
        # The last valid version of the file, and the live tips: that version plus pending switches.
        self._file_library = library
        self._library = library
        self._pending: dict[str, bool] = {}
        self._loaded_digest = _digest(_read_bytes(path))
        # The digest of a bad file already reported, so the file watch reports it only once.
        self._refused_digest: str | None = None
        self._error: TipFileError | None = None

    @property
    def path(self) -> Path:
        return self._path

    @property
    def library(self) -> TipLibrary:
        return self._library

    @property
    def error(self) -> TipFileError | None:
        """What is wrong with the file on disk, as of the last look; None while it is valid."""
        return self._error

    @property
    def pending(self) -> Mapping[str, bool]:
        """Switches made while the file was invalid, not yet in the file: tip id -> enabled."""
        return dict(self._pending)

    def set_pending(self, switches: Mapping[str, bool]) -> None:
        """The pending switches as stored (another process may have made some); live at once."""
        if dict(switches) != self._pending:
            self._pending = dict(switches)
            self._library = _with_switches(self._file_library, self._pending)

    def reload(self) -> ReloadResult:
        """Read and validate the file now; keep the current tips if it is invalid."""
        return self._load(report_known_failure=True)

    def reload_if_changed(self) -> ReloadResult:
        """Reload when the file's content differs from what was last loaded or refused."""
        return self._load(report_known_failure=False)

    def apply(self, edit: TipEdit, *, reserved_ids: Collection[str] = ()) -> Applied:
        """Apply an admin's edit to the file on disk and make it live; `TipEditError` if refused.

        Hand edits made since the file was last loaded are picked up first (`Applied.reload`), so
        they are never made live without being reported.
        """
        found = self._load(report_known_failure=False)
        if self._error is not None:
            if isinstance(edit, SetEnabled):
                return self._switch_pending(edit, found)
            raise TipEditError(EditProblem.FILE_INVALID, str(self._error), file_error=self._error)
        data = _read_bytes(self._path)
        if data is None:  # pragma: no cover - the look just now found the file readable
            raise TipEditError(EditProblem.FILE_INVALID, f"{self._path}: cannot read the file")
        edited = edit_tip_text(_decode(data, self._path), self._path, edit, reserved_ids=reserved_ids)
        if edited.changes:
            try:
                write_atomically(self._path, edited.text)
            except OSError as error:
                raise TipEditError(EditProblem.WRITE_FAILED, f"{self._path}: {error}") from error
            self._loaded_digest = _digest(edited.text.encode("utf-8"))
        self._file_library = self._library = edited.library
        return Applied(edited, found)

    def _switch_pending(self, edit: SetEnabled, found: ReloadResult) -> Applied:
        tip = self._library.get(edit.tip_id)
        if tip is None:
            raise TipEditError(EditProblem.UNKNOWN_TIP, edit.tip_id)
        changes: tuple[FieldChange, ...] = ()
        if tip.enabled != edit.enabled:
            changes = (FieldChange(tip.id, "enabled", _flag(tip.enabled), _flag(edit.enabled)),)
        in_file = self._file_library.get(tip.id)
        if in_file is not None and in_file.enabled == edit.enabled:
            self._pending.pop(tip.id, None)
        else:
            self._pending[tip.id] = edit.enabled
        self._library = _with_switches(self._file_library, self._pending)
        return Applied(EditedFile("", self._library, tip.id, changes), found, pending=True)

    def _load(self, *, report_known_failure: bool) -> ReloadResult:
        data = _read_bytes(self._path)
        digest = _digest(data)
        if not report_known_failure:
            if digest == self._refused_digest:
                return ReloadResult(ReloadStatus.UNCHANGED)
            if digest == self._loaded_digest and not self._pending:
                if self._refused_digest is None:
                    return ReloadResult(ReloadStatus.UNCHANGED)
                # A reported mistake was undone: the live tips are that file again.
                self._refused_digest = self._error = None
                return ReloadResult(ReloadStatus.RELOADED)
        try:
            if data is None:
                raise TipFileError(self._path, "cannot read the file", code="unreadable")
            text = _decode(data, self._path)
            library = parse_tip_library(text, self._path)
        except TipFileError as error:
            self._refused_digest, self._error = digest, error
            return ReloadResult(ReloadStatus.REFUSED, error=error)
        changes = tuple(diff_libraries(self._file_library, library))
        self._file_library = library
        self._loaded_digest, self._refused_digest, self._error = digest, None, None
        written, dropped = self._write_back(text, library, changes)
        return ReloadResult(ReloadStatus.RELOADED, changes, written_back=written, dropped=dropped)

    def _write_back(
        self, text: str, library: TipLibrary, changes: tuple[FieldChange, ...]
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Write the pending switches into the (valid) file; the file wins where it changed them."""
        if not self._pending:
            self._library = library
            return (), ()
        switched_by_hand = {change.tip_id for change in changes if change.field in ("enabled", "tip")}
        written: list[str] = []
        dropped: list[str] = []
        new_text, new_library = text, library
        for tip_id, enabled in self._pending.items():
            if new_library.get(tip_id) is None or tip_id in switched_by_hand:
                dropped.append(tip_id)
                continue
            edited = edit_tip_text(new_text, self._path, SetEnabled(tip_id, enabled))
            new_text, new_library = edited.text, edited.library
            written.append(tip_id)
        if new_text != text:
            try:
                write_atomically(self._path, new_text)
            except OSError:
                # Still live from memory; the next reload tries again.
                self._library = _with_switches(library, self._pending)
                return (), ()
            self._loaded_digest = _digest(new_text.encode("utf-8"))
        self._file_library = self._library = new_library
        self._pending = {}
        return tuple(written), tuple(dropped)


def _with_switches(library: TipLibrary, switches: Mapping[str, bool]) -> TipLibrary:
    if not switches:
        return library
    return TipLibrary(
        tuple(
            tip.model_copy(update={"enabled": switches[tip.id]}) if tip.id in switches else tip
            for tip in library.tips
        )
    )


def _flag(enabled: bool) -> str:
    return "true" if enabled else "false"


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TipFileError(path, f"cannot read the file: {error}", code="unreadable") from error


def _digest(data: bytes | None) -> str:
    return "missing" if data is None else hashlib.sha256(data).hexdigest()
