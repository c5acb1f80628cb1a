"""Which files to read, and in which format.

:func:`discover`:

- paths are taken in the order given; a folder is walked recursively, its
  entries sorted by name, hidden files and folders (``.name``) and Excel lock
  files (``~$book.xlsx``) skipped, and only ``.csv``, ``.jsonl``, ``.txt`` and
  ``.xlsx`` files (any case) taken. Symlinked files are followed, symlinked
  folders are not (no loops). A symbolic link with such a name (or named
  explicitly) that leads to no file is reported, not skipped: ``cannot read:
  broken symbolic link (its target does not exist)``, or the system's reason
  (``cannot read: too many levels of symbolic links`` for a loop of links).
- a file named explicitly is always taken, whatever its name or extension;
  its format is then sniffed.
- a path that does not exist: ``no such file or directory``; something that is
  neither a file nor a folder (a FIFO, a device): ``not a regular file``; a
  folder (or sub-folder) that cannot be listed: ``cannot read folder: …``; a
  folder in which nothing is found: ``no chat export found in folder``. All
  are ``kind="file"`` errors at line 0, named as the user wrote the path (or
  the sub-folder's path).
- a file reached twice (named twice, or named and inside a named folder) is
  read once, at its first place.

:func:`sniff_format`: the extension decides for ``.csv``, ``.jsonl``
(``.ndjson``) and ``.xlsx``. Anything else (``.txt`` above all) is sniffed:
a zip => ``xlsx``; a first non-blank line that starts with ``{`` => ``jsonl``;
a first non-blank line naming all required columns (comma, tab or semicolon
separated) => ``csv``; a Qianniu header among the first 50 non-blank lines =>
``qianniu``; else ``None``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from cslint.model import InputError
from cslint.readers.csv_reader import first_line, sniff_delimiter
from cslint.readers.encoding import HEAD_BYTES, decode_head
from cslint.readers.qianniu import is_header

KNOWN_EXTENSIONS = frozenset({".csv", ".jsonl", ".txt", ".xlsx"})
BY_EXTENSION = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "xlsx"}
ZIP_MAGIC = b"PK\x03\x04"
_SNIFF_LINES = 50


def sniff_text(text: str) -> str | None:
    """The format a decoded text looks like (``jsonl``, ``csv``, ``qianniu``) or ``None``."""
    text = text[:HEAD_BYTES]
    first = first_line(text)
    if first.lstrip().startswith("{"):
        return "jsonl"
    _, header = sniff_delimiter(first)
    if header is not None and not header.missing:
        return "csv"
    seen = 0
    for line in text.split("\n"):
        if not line.strip():
            continue
        if is_header(line):
            return "qianniu"
        seen += 1
        if seen >= _SNIFF_LINES:
            break
    return None


def sniff_format(path: Path, head: bytes) -> str | None:
    """The format of a file from its extension, else from its first bytes."""
    fmt = BY_EXTENSION.get(path.suffix.lower())
    if fmt is not None:
        return fmt
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    return sniff_text(decode_head(head[:HEAD_BYTES]))


def _skipped(name: str) -> bool:
    return name.startswith(".") or name.startswith("~$")


def _walk(folder: Path, files: list[Path], errors: list[InputError]) -> None:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        errors.append(InputError(str(folder), 0, f"cannot read folder: {reason}", "file"))
        return
    for entry in entries:
        if _skipped(entry.name):
            continue
        path = folder / entry.name
        try:
            if entry.is_dir(follow_symlinks=False):
                _walk(path, files, errors)
            elif path.suffix.lower() not in KNOWN_EXTENSIONS:
                continue
            elif entry.is_file():
                files.append(path)
            elif entry.is_symlink() and not entry.is_dir():
                errors.append(InputError(str(path), 0, _link_problem(path), "file"))
        except OSError as exc:
            reason = (exc.strerror or str(exc)).lower()
            errors.append(InputError(str(path), 0, f"cannot read: {reason}", "file"))


def _link_problem(path: Path) -> str:
    """Why a symbolic link that leads to no file cannot be read."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return "cannot read: broken symbolic link (its target does not exist)"
    except OSError as exc:
        return f"cannot read: {(exc.strerror or str(exc)).lower()}"
    return "not a regular file"


def discover(paths: Sequence[str | Path]) -> tuple[list[Path], list[InputError]]:
    """The files to read under ``paths``, and the paths that gave nothing."""
    files: list[Path] = []
    errors: list[InputError] = []
    seen: set[str] = set()

    def add(path: Path) -> None:
        key = os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            files.append(path)

    for given in paths:
        path = Path(given)
        name = str(given)
        try:
            if path.is_dir():
                found: list[Path] = []
                _walk(path, found, errors)
                if not found:
                    errors.append(InputError(name, 0, "no chat export found in folder", "file"))
                for f in found:
                    add(f)
            elif path.is_file():
                add(path)
            elif path.exists():
                errors.append(InputError(name, 0, "not a regular file", "file"))
            elif path.is_symlink():
                errors.append(InputError(name, 0, _link_problem(path), "file"))
            else:
                errors.append(InputError(name, 0, "no such file or directory", "file"))
        except OSError as exc:
            reason = (exc.strerror or str(exc)).lower()
            errors.append(InputError(name, 0, f"cannot read: {reason}", "file"))
    return files, errors
