"""Writing output files so that a crash never leaves half a report.

A report is written to a temporary file in the target's own folder (so the
final rename never crosses a file system), flushed and fsynced, then moved
over the target with :func:`os.replace`, which is atomic on POSIX and Windows.
Readers of the target see the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


class OutputError(Exception):
    """An output file could not be written; the message says which and why."""


def _new_file_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give a new file (0666 less the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, data: str | bytes, encoding: str = "utf-8") -> None:
    """Write ``data`` to ``path`` atomically: all of it or, on any error, nothing.

    ``str`` data is encoded with ``encoding`` (``"utf-8-sig"`` adds a BOM).
    An existing target keeps its permission bits; a new one gets the usual
    ``0666 & ~umask``. Raises :class:`OutputError` when the folder is missing
    or the file cannot be written; the temporary file is removed in every case.
    """
    path = Path(path)
    parent = path.parent
    if not parent.is_dir():
        raise OutputError(f"cannot write {path}: folder {parent} does not exist")
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder")
    try:
        payload = data if isinstance(data, bytes) else data.encode(encoding)
    except (UnicodeEncodeError, LookupError) as exc:
        raise OutputError(f"cannot write {path}: {exc}") from exc
    try:
        info = path.stat()
    except OSError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        # /dev/null, /dev/stdout, a named pipe: a rename would replace the
        # device itself (as root it can), so write into it as it is.
        _write_in_place(path, payload)
        return
    mode = stat.S_IMODE(info.st_mode) if info is not None else _new_file_mode()
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
        raise
    _fsync_dir(parent)


def _write_in_place(path: Path, payload: bytes) -> None:
    try:
        with path.open("wb") as handle:
            handle.write(payload)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it (POSIX)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
