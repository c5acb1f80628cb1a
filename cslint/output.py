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
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


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
    Raises :class:`OutputError` as :func:`atomic_output` does.
    """
    try:
        payload = data if isinstance(data, bytes) else data.encode(encoding)
    except (UnicodeEncodeError, LookupError) as exc:
        raise OutputError(f"cannot write {path}: {exc}") from exc
    with atomic_output(path) as handle:
        handle.write(payload)


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write ``path``'s new content into; it replaces ``path``
    atomically when the ``with`` block ends without an error, and is removed otherwise.

    An existing target keeps its permission bits; a new one gets the usual
    ``0666 & ~umask``. A target that is not a regular file (``/dev/null``, a
    pipe) is written in place. Raises :class:`OutputError` when the folder is
    missing or the file cannot be written.
    """
    path = Path(path)
    parent = path.parent
    if not parent.is_dir():
        raise OutputError(f"cannot write {path}: folder {parent} does not exist")
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder")
    try:
        info = path.stat()
    except OSError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        # /dev/null, /dev/stdout, a named pipe: a rename would replace the
        # device itself (as root it can), so write into it as it is.
        try:
            with path.open("wb") as handle:
                yield handle
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
        return
    mode = stat.S_IMODE(info.st_mode) if info is not None else _new_file_mode()
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
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
