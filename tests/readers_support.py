"""Shared helpers of the reader tests: read a file and check its counts reconcile."""

from __future__ import annotations

from pathlib import Path

from cslint.readers import FileRead, ReadOptions, read_file


def reconciled(fr: FileRead) -> FileRead:
    s = fr.stats
    assert s.rows_read == s.messages + s.rejected
    assert s.messages == len(fr.messages)
    assert s.rejected == sum(1 for e in fr.errors if e.kind == "row")
    assert s.failed == any(e.kind == "file" for e in fr.errors)
    return fr


def read(path: Path, **opts: object) -> FileRead:
    return reconciled(read_file(path, ReadOptions(**opts), display_name=path.name))  # type: ignore[arg-type]
