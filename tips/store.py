"""The live tip library: swapped in one step on a reload or an edit, kept when a new file is bad.

The dispatcher and the handlers read `TipStore.library` whenever they need tips, so a reload
takes effect at the next nudge. Reloads and edits are plain synchronous code run on the bot's
event loop, so no handler or job ever sees a half-applied change; the library itself is
immutable and replaced by a single assignment.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from tips.editing import (
    EditedFile,
    EditProblem,
    FieldChange,
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
    changes: tuple[FieldChange, ...] = ()
    error: TipFileError | None = None


class TipStore:
    """Holds the tips in use and the file they came from."""

    def __init__(self, path: Path, library: TipLibrary) -> None:
        """`library` must be what `path` holds now (as loaded at start-up)."""
        self._path = path
        self._library = library
        self._loaded_digest = _digest(_read_bytes(path))
        # The digest of a bad file already reported, so the file watch reports it only once.
        self._refused_digest: str | None = None

    @property
    def path(self) -> Path:
        return self._path

    @property
    def library(self) -> TipLibrary:
        return self._library

    def reload(self) -> ReloadResult:
        """Read and validate the file now; keep the current tips if it is invalid."""
        return self._load(report_known_failure=True)

    def reload_if_changed(self) -> ReloadResult:
        """Reload when the file's content differs from what was last loaded or refused."""
        return self._load(report_known_failure=False)

    def apply(self, edit: TipEdit) -> EditedFile:
        """Apply an admin's edit to the file on disk and make it live; `TipEditError` if refused."""
        data = _read_bytes(self._path)
        if data is None:
            raise TipEditError(EditProblem.FILE_INVALID, f"{self._path}: cannot read the file")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise TipEditError(EditProblem.FILE_INVALID, f"{self._path}: not UTF-8 text") from error
        edited = edit_tip_text(text, self._path, edit)
        if edited.changes:
            try:
                write_atomically(self._path, edited.text)
            except OSError as error:
                raise TipEditError(EditProblem.WRITE_FAILED, f"{self._path}: {error}") from error
            self._loaded_digest = _digest(edited.text.encode("utf-8"))
        self._library = edited.library
        self._refused_digest = None
        return edited

    def _load(self, *, report_known_failure: bool) -> ReloadResult:
        data = _read_bytes(self._path)
        digest = _digest(data)
        if not report_known_failure:
            if digest == self._refused_digest:
                return ReloadResult(ReloadStatus.UNCHANGED)
            if digest == self._loaded_digest:
                if self._refused_digest is None:
                    return ReloadResult(ReloadStatus.UNCHANGED)
                # A reported mistake was undone: the live tips are that file again.
                self._refused_digest = None
                return ReloadResult(ReloadStatus.RELOADED)
        try:
            if data is None:
                raise TipFileError(self._path, "cannot read the file")
            library = parse_tip_library(_decode(data, self._path), self._path)
        except TipFileError as error:
            self._refused_digest = digest
            return ReloadResult(ReloadStatus.REFUSED, error=error)
        previous, self._library = self._library, library
        self._loaded_digest, self._refused_digest = digest, None
        return ReloadResult(ReloadStatus.RELOADED, tuple(diff_libraries(previous, library)))


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TipFileError(path, f"cannot read the file: {error}") from error


def _digest(data: bytes | None) -> str:
    return "missing" if data is None else hashlib.sha256(data).hexdigest()
