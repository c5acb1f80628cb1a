"""Readers: chat exports on disk -> :class:`~cslint.model.Message` records.

:func:`read_file` reads one file (csv, jsonl, Qianniu text, xlsx) and never
raises for anything the file's owner can cause: missing files, directories,
permission problems, bad bytes and bad rows all become
:class:`~cslint.model.InputError` records. Its counts always reconcile:
``rows_read == messages + rejected`` and every rejected row has exactly one
``kind="row"`` error. A file-level problem (``kind="file"``) marks the file
failed and contributes no rows.

File-level decisions:

- the format is ``options.input_format`` if given, else the extension, else
  sniffed (see :mod:`cslint.readers.discover`); a file of no known format is
  ``unknown file format`` (``not a Qianniu/Wangwang chat export …`` for a
  ``.txt``);
- a file of zero bytes, or whose text is only whitespace, is
  ``empty file`` (failed): an export with nothing in it is a mistake worth
  seeing, not a quiet zero. A CSV with a header and no rows is not an error;
- encodings: :mod:`cslint.readers.encoding`; rows: the reader modules.

A bug inside cslint while reading a file is reported as a file-level
``internal error …`` instead of stopping the whole run (one bad file never
stops the others); the tests make sure no input reaches that branch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cslint.model import FileStats, InputError, Message
from cslint.readers.columns import FileProblem, RowConverter
from cslint.readers.csv_reader import read_csv
from cslint.readers.discover import (
    BY_EXTENSION,
    HEAD_BYTES,
    KNOWN_EXTENSIONS,
    ZIP_MAGIC,
    discover,
    sniff_format,
    sniff_text,
)
from cslint.readers.encoding import UndecodableError, decode
from cslint.readers.jsonl_reader import read_jsonl
from cslint.readers.qianniu import NOT_QIANNIU, read_qianniu
from cslint.readers.roles import RoleResolver
from cslint.readers.xlsx_reader import read_xlsx

__all__ = [
    "FORMATS",
    "KNOWN_EXTENSIONS",
    "FileRead",
    "ReadOptions",
    "discover",
    "read_file",
    "sniff_format",
]

FORMATS = ("csv", "jsonl", "qianniu", "xlsx")
UNKNOWN_FORMAT = "unknown file format (expected a .csv, .jsonl, .xlsx or Qianniu .txt export)"
INTERNAL_ERROR = "internal error while reading"
UNKNOWN_FORMAT = "unknown file format (expected a .csv, .jsonl, .xlsx or Qianniu .txt export)"
INTERNAL_ERROR = "internal error while reading"


@dataclass(frozen=True)
class ReadOptions:
    """How to read chat exports."""

    shop_names: tuple[str, ...] = ()  # configured shop main-account names (=> agent)
    bot_names: tuple[str, ...] = ("服务助手",)  # nick equal to / ending with => agent
    input_format: str | None = None  # "csv"|"jsonl"|"qianniu"|"xlsx": overrides detection

    def __post_init__(self) -> None:
        if self.input_format is not None and self.input_format not in FORMATS:
            raise ValueError(
                f"unknown input format {self.input_format!r} (expected one of {', '.join(FORMATS)})"
            )


@dataclass
class FileRead:
    """What reading one file gave."""

    stats: FileStats  # rows_read == messages + rejected, always
    messages: list[Message]
    errors: list[InputError] = field(default_factory=list)


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or str(exc) or type(exc).__name__).lower()


def _failed(
    display: str, fmt: str | None, encoding: str | None, reason: str, line: int = 0
) -> FileRead:
    stats = FileStats(display, fmt or "unknown", encoding, 0, 0, 0, failed=True)
    return FileRead(stats, [], [InputError(display, line, reason, "file")])


def read_file(path: Path, options: ReadOptions, display_name: str | None = None) -> FileRead:
    """Read one chat export; never raises for a problem with the file itself."""
    display = str(path) if display_name is None else display_name
    path = Path(path)
    fmt = options.input_format
    encoding: str | None = None
    roles = RoleResolver(options.shop_names, options.bot_names)
    try:
        if path.is_dir():
            return _failed(display, fmt, None, "is a directory")
        if not path.exists():
            return _failed(display, fmt, None, "no such file or directory")
        if not path.is_file():
            return _failed(display, fmt, None, "not a regular file")
        if fmt is None:
            fmt = BY_EXTENSION.get(path.suffix.lower())
        if fmt is None:
            with path.open("rb") as fh:
                if fh.read(len(ZIP_MAGIC)) == ZIP_MAGIC:
                    fmt = "xlsx"
        if fmt == "xlsx":
            if path.stat().st_size == 0:
                return _failed(display, fmt, None, "empty file")
            messages, errors = read_xlsx(path, display, roles)
        else:
            data = path.read_bytes()
            if not data:
                return _failed(display, fmt, None, "empty file")
            decoded = decode(data)
            encoding = decoded.encoding
            text = decoded.text
            if not text.strip():
                return _failed(display, fmt, encoding, "empty file")
            if fmt is None:
                fmt = sniff_text(text[:HEAD_BYTES])
                if fmt is None:
                    txt = path.suffix.lower() == ".txt"
                    return _failed(display, None, encoding, NOT_QIANNIU if txt else UNKNOWN_FORMAT)
            if fmt == "qianniu":
                messages, errors = read_qianniu(text, decoded.bad_lines, display, roles)
            else:
                reader = read_csv if fmt == "csv" else read_jsonl
                converter = RowConverter(roles, display)
                messages, errors = reader(text, decoded.bad_lines, display, converter)
    except FileProblem as exc:
        return _failed(display, fmt, encoding, exc.reason, exc.line)
    except UndecodableError as exc:
        return _failed(display, fmt, None, exc.reason)
    except OSError as exc:
        return _failed(display, fmt, encoding, f"cannot read file: {_os_reason(exc)}")
    except (MemoryError, RecursionError) as exc:
        return _failed(
            display, fmt, encoding, f"file too large or too deeply nested ({type(exc).__name__})"
        )
    except Exception as exc:  # a cslint bug: report it, keep the run going
        return _failed(
            display,
            fmt,
            encoding,
            f"{INTERNAL_ERROR} (please report): {type(exc).__name__}: {exc}",
        )
    stats = FileStats(
        display,
        fmt,
        encoding,
        rows_read=len(messages) + len(errors),
        messages=len(messages),
        rejected=len(errors),
    )
    return FileRead(stats, messages, errors)
