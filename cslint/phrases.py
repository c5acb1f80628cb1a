"""Phrase libraries (快捷短语): read them, and lint each phrase as a one-message chat.

``cslint phrases FILE...`` runs the rules that look at one message on its own
(W001–W005, P001, P003 when the shop declares free shipping, P005, P006; see
:func:`applies_to_phrases`) over every canned reply, through the same
:class:`~cslint.engine.Engine` as ``cslint check``: each phrase becomes an
agent :class:`~cslint.model.Message` (sender ``(library)``, buyer
``(phrase)``) alone in its own :class:`~cslint.model.Session`, so every
reporter works unchanged and ``line`` is the phrase's line in the library.

Formats (FORMATS.md, "Phrase libraries"):

- ``.txt``: one phrase per line; blank lines and lines whose first non-blank
  character is ``#`` are skipped; the phrase is the line without its outer
  whitespace.
- ``.csv`` (also ``.tsv``): a header row naming a phrase column ``phrase``
  (aliases 短语, 内容, 快捷短语, 回复内容), optional ``group`` (分组) and
  ``shortcut`` (快捷编码); header cells compared as the chat readers do (BOM,
  outer whitespace, ASCII case ignored). The delimiter is sniffed on the
  header (``,``, TAB, ``;``). A quoted cell may span lines; a row's line is
  the line where it starts.
- ``.xlsx``: the same columns; every sheet whose first non-empty row names a
  phrase column counts (``book.xlsx[Sheet2]`` in reports when several do);
  the line is the sheet row.
- Encodings as for chat logs (:mod:`cslint.readers.encoding`); the encoding,
  BOM and line ends are remembered so that ``--fix`` writes them back.

Bad input, decided:

- No phrase column (or two columns that both name it) is a file-level input
  error at the header's line (exit 2); so is an unknown extension, a folder,
  an undecodable or unreadable file.
- A row that cannot be read (malformed quotes, undecodable bytes, a row with
  more non-blank cells than the header, which is what an unquoted ASCII comma
  inside a phrase gives, or fewer cells than the columns it needs) is
  rejected with an input error at its line: ``rows_read == phrases +
  rejected`` always.
- A row whose phrase cell is empty is not a phrase; it is reported as a
  *notice* (``empty phrase``) and does not change the exit code. An empty
  file, or one with comments only, is a library with no phrases (a notice
  for a file with no content at all), not an error.
- **Duplicates** are a smell, not a rule violation (no chat rule code is
  spent on them): a phrase whose text (outer whitespace off, inner runs of
  whitespace as one space) already appeared in the same file gets a notice
  ``duplicate phrase (same text as line N)``; two rows with the same
  shortcut code get ``duplicate shortcut 'xx' (also on line N)`` (Qianniu
  would make one of them unreachable). Notices are printed after the text
  report (on stderr for the other formats) and listed in the summary under
  ``notices``; they do not fail the run.
- An emoticon-only phrase is linted like any other (W003 already exempts it).

Time: a phrase has no time; it is checked as if sent at 00:00 on the first
day of the shop's declared free-shipping period (so that P003 applies
whenever ``[shop] free_shipping`` is declared, with or without dates), or at
2000-01-01 00:00 when none is declared.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cslint import __version__
from cslint.baseline import NotedResult, Notice
from cslint.model import FileStats, InputError, Message, Role, Session, SessionResult, Violation
from cslint.readers.columns import FileProblem, cell_text, normalize_name, resolve_header
from cslint.readers.encoding import UndecodableError, decode

if TYPE_CHECKING:
    from cslint.config import Config
    from cslint.engine import Engine
    from cslint.rules.base import Rule, ShopFacts
    from cslint.ruleset import RulePack

PHRASE_BUYER = "(phrase)"
PHRASE_SENDER = "(library)"
DEFAULT_TIME = datetime(2000, 1, 1)
FIELDS = ("phrase", "group", "shortcut")
ALIASES: dict[str, tuple[str, ...]] = {
    "phrase": ("phrase", "短语", "内容", "快捷短语", "回复内容"),
    "group": ("group", "分组"),
    "shortcut": ("shortcut", "快捷编码"),
}
_ALIAS = {normalize_name(a): f for f, aliases in ALIASES.items() for a in aliases}
EXTENSIONS = {".txt": "txt", ".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx"}
NO_PHRASE_COLUMN = (
    "no phrase column (expected a header cell named " + ", ".join(ALIASES["phrase"]) + ")"
)
UNKNOWN_FORMAT = "unknown phrase library format (expected .txt, .csv or .xlsx)"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_DELIMITERS = (",", "\t", ";")
_MAX_RESTARTS = 100
_CODECS = {"utf-8-sig": ("utf-8", 3), "utf-16-le": ("utf-16-le", 2), "utf-16-be": ("utf-16-be", 2)}


@dataclass(frozen=True, slots=True)
class Phrase:
    """One canned reply and where it sits in its library.

    For ``.txt``/``.csv`` libraries ``start``/``end`` delimit the text a fix
    rewrites in :attr:`Library.raw` (the stripped line; the whole cell with
    its quotes). For ``.xlsx``, ``sheet`` and ``column`` name the cell.
    """

    file: str
    line: int
    text: str
    start: int = 0
    end: int = 0
    quoted: bool = False
    sheet: str | None = None
    column: int = 0
    group: str | None = None
    shortcut: str | None = None


@dataclass
class Library:
    """A phrase library as read: phrases, rejected rows, notices, and what --fix needs."""

    path: Path
    display: str
    format: str
    encoding: str | None = None
    data: bytes = b""  # the bytes read
    raw: str = ""  # txt/csv: the text with its line ends as in the file
    round_trip: bool = False  # raw re-encodes to exactly ``data``
    delimiter: str = ","
    phrases: list[Phrase] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    bad_bytes: bool = False
    failed: bool = False

    @property
    def rejected(self) -> int:
        return sum(1 for e in self.errors if e.kind == "row")

    @property
    def stats(self) -> FileStats:
        return FileStats(
            file=self.display,
            format=f"phrases-{self.format}",
            encoding=self.encoding,
            rows_read=len(self.phrases) + self.rejected,
            messages=len(self.phrases),
            rejected=self.rejected,
            failed=self.failed,
        )

    def fail(self, reason: str, line: int = 0) -> Library:
        self.phrases = []
        self.errors = [e for e in self.errors if e.kind == "file"]
        self.errors.append(InputError(self.display, line, reason, "file"))
        self.failed = True
        return self

    @property
    def bom(self) -> bytes:
        return self.data[: _CODECS[self.encoding][1]] if self.encoding in _CODECS else b""

    @property
    def codec(self) -> str:
        return _CODECS[self.encoding][0] if self.encoding in _CODECS else (self.encoding or "utf-8")


# -- reading ----------------------------------------------------------------


def read_library(path: str | Path, display: str | None = None) -> Library:
    """Read one library; never raises for a problem with the file itself."""
    path = Path(path)
    display = str(path) if display is None else display
    fmt = EXTENSIONS.get(path.suffix.lower(), "unknown")
    lib = Library(path=path, display=display, format=fmt)
    try:
        if path.is_dir():
            return lib.fail("is a directory (give the library files themselves)")
        if not path.exists():
            return lib.fail("no such file or directory")
        if not path.is_file():
            return lib.fail("not a regular file")
        if fmt == "unknown":
            return lib.fail(UNKNOWN_FORMAT)
        lib.data = path.read_bytes()
        if not lib.data.strip():
            lib.notices.append(Notice(display, 0, "empty phrase library (no phrases)"))
            return lib
        if fmt == "xlsx":
            _read_xlsx(lib)
        else:
            _decode(lib)
            if fmt == "txt":
                _read_txt(lib)
            else:
                _read_csv(lib)
    except FileProblem as exc:
        return lib.fail(exc.reason, exc.line)
    except UndecodableError as exc:
        return lib.fail(exc.reason)
    except OSError as exc:
        return lib.fail(f"cannot read file: {(exc.strerror or str(exc)).lower()}")
    except Exception as exc:  # a cslint bug: report it, keep the run going
        return lib.fail(
            f"internal error while reading (please report): {type(exc).__name__}: {exc}"
        )
    _duplicates(lib)
    return lib


def _decode(lib: Library) -> None:
    """Detect the encoding (as for chat logs) and keep the text with its own line ends."""
    decoded = decode(lib.data)
    lib.encoding = decoded.encoding
    lib.bad_bytes = bool(decoded.bad_lines)
    body = lib.data[len(lib.bom) :]
    codec = lib.codec
    if not decoded.bad_lines:
        raw = body.decode(codec)
    elif codec in ("utf-8", "gb18030"):  # line by line, so a bad byte never eats a line end
        raw = "\n".join(part.decode(codec, "replace") for part in body.split(b"\n"))
    else:
        raw = body.decode(codec, "replace")
    if _NEWLINES.sub("\n", raw) != decoded.text:  # never seen; be safe and lint what decode saw
        raw = decoded.text
    lib.raw = raw
    lib.round_trip = not decoded.bad_lines and lib.bom + raw.encode(codec) == lib.data
    for line, reason in sorted(decoded.bad_lines.items()):
        lib.errors.append(InputError(lib.display, line, reason))


def physical_lines(raw: str) -> Iterator[tuple[int, int, int]]:
    """``(line, start, end)`` of each line of ``raw`` (end before the line end; CRLF, CR, LF)."""
    for number, m in enumerate(_LINE.finditer(raw), start=1):
        if m.start() == len(raw):
            break
        content = m.group().rstrip("\r\n")
        yield number, m.start(), m.start() + len(content)


def _read_txt(lib: Library) -> None:
    bad = {e.line for e in lib.errors}
    raw = lib.raw
    for line, start, end in physical_lines(raw):
        if line in bad:
            continue  # rejected: counted by its input error
        content = raw[start:end]
        text = content.strip()
        if not text or text.startswith("#"):
            continue
        lead = len(content) - len(content.lstrip())
        lib.phrases.append(Phrase(lib.display, line, text, start + lead, start + lead + len(text)))


# -- csv ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cell:
    value: str
    start: int
    end: int
    quoted: bool


@dataclass(frozen=True, slots=True)
class _Record:
    line: int
    last_line: int
    cells: tuple[_Cell, ...]
    error: str | None = None


def _count_lines(text: str) -> int:
    return len(_NEWLINES.findall(text))


def csv_records(raw: str, delimiter: str) -> Iterator[_Record]:
    """The records of a CSV text with the raw span of every cell.

    RFC 4180 with the csv module's leniency: a quote inside an unquoted cell
    is text; after a closing quote only a delimiter or a line end may follow
    (else the row is malformed and reading goes on at the next line); a
    quoted field never closed rejects its row and reading restarts on the line
    after the row's first line (at most 100 times, then the rest is one
    rejected row).
    """
    n = len(raw)
    pos, line, restarts = 0, 1, 0
    stop = re.compile(f"[{re.escape(delimiter)}\r\n]")
    while pos < n:
        row_line, row_pos = line, pos
        cells: list[_Cell] = []
        error: str | None = None
        while True:
            if pos < n and raw[pos] == '"':
                start, q = pos, pos + 1
                while True:
                    q = raw.find('"', q)
                    if q < 0 or q + 1 >= n or raw[q + 1] != '"':
                        break
                    q += 2
                if q < 0:  # never closed: reject the row, go on after its first line
                    restarts += 1
                    first_end = _NEWLINES.search(raw, row_pos)
                    if restarts > _MAX_RESTARTS:
                        last = row_line + _count_lines(raw[row_pos:].rstrip("\r\n"))
                        yield _Record(
                            row_line,
                            last,
                            (),
                            f"too many unbalanced quotes: lines {row_line}-{last} not read",
                        )
                        return
                    yield _Record(
                        row_line,
                        row_line,
                        (),
                        f"unbalanced quote: a quoted field opened on line {row_line} is never closed",
                    )
                    if first_end is None:
                        return
                    pos, line = first_end.end(), row_line + 1
                    break
                pos = q + 1
                cells.append(_Cell(raw[start + 1 : q].replace('""', '"'), start, pos, True))
                line += _count_lines(raw[start:pos])
                if pos < n and raw[pos] not in (delimiter, "\r", "\n"):
                    error = f"malformed CSV row: text after the closing quote of a field ({raw[pos : pos + 10]!r})"
                    m = _NEWLINES.search(raw, pos)
                    pos = m.start() if m else n
            else:
                m = stop.search(raw, pos)
                end = m.start() if m else n
                cells.append(_Cell(raw[pos:end], pos, end, False))
                pos = end
            if pos < n and raw[pos] == delimiter:
                pos += 1
                continue
            last_line = line
            if pos < n:
                pos += 2 if raw.startswith("\r\n", pos) else 1
                line += 1
            yield _Record(row_line, last_line, tuple(cells), error)
            break


def _sniff_delimiter(raw: str, suffix: str) -> str:
    first = next((raw[s:e] for _, s, e in physical_lines(raw) if raw[s:e].strip()), "")
    order = ("\t", ",", ";") if suffix == ".tsv" else _DELIMITERS
    best, best_count = order[0], -1
    for delimiter in order:
        try:
            cells = next(csv.reader([first], delimiter=delimiter), [])
        except csv.Error:
            continue
        count = len(resolve_header(cells, _ALIAS).index)
        if count > best_count:
            best, best_count = delimiter, count
    return best


def _read_csv(lib: Library) -> None:
    raw = lib.raw
    lib.delimiter = _sniff_delimiter(raw, lib.path.suffix.lower())
    bad = {e.line: e.reason for e in lib.errors}
    lib.errors = []  # re-added per rejected row below, one error per row
    header: dict[str, int] | None = None
    width = 0
    for record in csv_records(raw, lib.delimiter):
        reason = next((bad[n] for n in range(record.line, record.last_line + 1) if n in bad), None)
        if header is None:
            if record.error is None and not any(c.value.strip() for c in record.cells):
                continue
            if reason is not None or record.error is not None:
                raise FileProblem(f"{reason or record.error} in the header row", record.line)
            found = resolve_header([c.value for c in record.cells], _ALIAS)
            header, duplicate, width = found.index, found.duplicate, found.width
            if duplicate:
                raise FileProblem(duplicate, record.line)
            if "phrase" not in header:
                raise FileProblem(NO_PHRASE_COLUMN, record.line)
            continue
        if (
            record.error is None
            and reason is None
            and not any(c.value.strip() for c in record.cells)
        ):
            continue
        cells = record.cells
        reason = record.error or reason
        if reason is None:
            need = max(header.values()) + 1
            if len(cells) < need:
                reason = f"too few fields ({len(cells)}, the header has {width})"
            elif len(cells) > width and any(c.value.strip() for c in cells[width:]):
                reason = (
                    f"too many fields ({len(cells)}, the header has {width}): "
                    "a phrase with an ASCII comma must be in double quotes"
                )
        if reason is not None:
            lib.errors.append(InputError(lib.display, record.line, reason))
            continue
        cell = cells[header["phrase"]]
        group = cells[header["group"]].value.strip() if "group" in header else ""
        shortcut = cells[header["shortcut"]].value.strip() if "shortcut" in header else ""
        _add(
            lib,
            record.line,
            _NEWLINES.sub("\n", cell.value),
            group,
            shortcut,
            start=cell.start,
            end=cell.end,
            quoted=cell.quoted,
        )
    if header is None:
        raise FileProblem(NO_PHRASE_COLUMN + "; the file has no header row", 1)


def _add(
    lib: Library,
    line: int,
    text: str,
    group: str,
    shortcut: str,
    *,
    file: str | None = None,
    **where: Any,
) -> None:
    file = file or lib.display
    if not text.strip():
        label = f" (shortcut '{shortcut}')" if shortcut else ""
        lib.notices.append(Notice(file, line, f"empty phrase{label}: row skipped", "empty-phrase"))
        return
    lib.phrases.append(
        Phrase(file, line, text, group=group or None, shortcut=shortcut or None, **where)
    )


# -- xlsx ---------------------------------------------------------------------


def _read_xlsx(lib: Library) -> None:
    try:
        import openpyxl
    except ImportError:
        raise FileProblem(
            "reading .xlsx needs the excel extra: pip install 'cslint[excel]'"
        ) from None
    lib.encoding = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(io.BytesIO(lib.data), read_only=True, data_only=True)
        except Exception as exc:
            raise FileProblem(f"not a valid .xlsx workbook ({type(exc).__name__})") from None
        try:
            sheets: list[tuple[str, int, dict[str, int], list[tuple[int, tuple[Any, ...]]]]] = []
            first_problem: tuple[str, int] | None = None
            for sheet in book.worksheets:
                header: dict[str, int] | None = None
                header_row = 0
                rows: list[tuple[int, tuple[Any, ...]]] = []
                for number, cells in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
                    if header is None:
                        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                            continue
                        found = resolve_header(cells, _ALIAS)
                        header, duplicate = found.index, found.duplicate
                        header_row = number
                        if duplicate:
                            raise FileProblem(f"sheet '{sheet.title}': {duplicate}", number)
                        if "phrase" not in header:
                            if first_problem is None:
                                first_problem = (
                                    f"sheet '{sheet.title}': {NO_PHRASE_COLUMN}",
                                    number,
                                )
                            break
                        continue
                    rows.append((number, tuple(cells)))
                if header is not None and "phrase" in header:
                    sheets.append((str(sheet.title), header_row, header, rows))
        except FileProblem:
            raise
        except Exception as exc:
            raise FileProblem(f"corrupt .xlsx workbook ({type(exc).__name__}: {exc})") from None
        finally:
            book.close()
    if not sheets:
        reason, line = first_problem or (NO_PHRASE_COLUMN + "; the workbook has no header row", 1)
        raise FileProblem(reason, line)
    several = len(sheets) > 1
    for title, _, header, rows in sheets:
        file = f"{lib.display}[{title}]" if several else lib.display
        for number, cells in rows:
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            _add(
                lib,
                number,
                _xcell(cells, header, "phrase"),
                _xcell(cells, header, "group").strip(),
                _xcell(cells, header, "shortcut").strip(),
                file=file,
                sheet=title,
                column=header["phrase"] + 1,
            )


def _xcell(cells: tuple[Any, ...], header: dict[str, int], name: str) -> str:
    i = header.get(name)
    if i is None or i >= len(cells):
        return ""
    try:
        return cell_text(cells[i])
    except TypeError:
        return ""


# -- duplicates ---------------------------------------------------------------


def duplicate_key(text: str) -> str:
    return " ".join(text.split())


def _duplicates(lib: Library) -> None:
    seen: dict[str, Phrase] = {}
    shortcuts: dict[str, Phrase] = {}
    for p in lib.phrases:
        first = seen.setdefault(duplicate_key(p.text), p)
        if first is not p:
            where = f"line {first.line}" if first.file == p.file else f"{first.file}:{first.line}"
            lib.notices.append(
                Notice(
                    p.file, p.line, f"duplicate phrase (same text as {where})", "duplicate-phrase"
                )
            )
        if p.shortcut:
            other = shortcuts.setdefault(p.shortcut, p)
            if other is not p:
                where = (
                    f"line {other.line}" if other.file == p.file else f"{other.file}:{other.line}"
                )
                lib.notices.append(
                    Notice(
                        p.file,
                        p.line,
                        f"duplicate shortcut '{p.shortcut}' (also on {where})",
                        "duplicate-shortcut",
                    )
                )
    lib.notices.sort(key=lambda n: (n.file, n.line))


# -- linting ------------------------------------------------------------------


def phrase_time(shop: ShopFacts) -> datetime:
    """When a phrase is taken to be sent (see the module docstring)."""
    day = shop.free_shipping_from or shop.free_shipping_until
    return datetime.combine(day, time()) if day is not None else DEFAULT_TIME


def applies_to_phrases(rule: Rule) -> bool:
    """Whether ``rule`` judges one message on its own (RULES.md, "Phrase libraries").

    In the bundled rulesets: W001–W005, P001, P003, P005 and P006; the phrase
    rules that compare a message with earlier ones (C001, C002, P004) and
    every session rule are left out (:meth:`Rule.judges_one_message`).
    """
    return rule.judges_one_message()


def message_pack(pack: RulePack) -> RulePack:
    """``pack`` with only the rules that apply to phrases (:func:`applies_to_phrases`)."""
    from cslint.ruleset import RulePack

    return RulePack(
        rules=[r for r in pack.rules if applies_to_phrases(r)],
        shop=pack.shop,
        session_gap_s=pack.session_gap_s,
        files=list(pack.files),
    )


class PhraseLinter:
    """Lints phrases with one engine (analyses cached across phrases and re-lints)."""

    def __init__(self, pack: RulePack) -> None:
        from cslint.engine import Engine

        self.pack = message_pack(pack)
        self.engine: Engine = Engine(self.pack)
        self.time = phrase_time(pack.shop)

    def session(self, file: str, line: int, text: str) -> Session:
        message = Message(
            time=self.time,
            buyer=PHRASE_BUYER,
            sender=PHRASE_SENDER,
            text=text,
            role=Role.AGENT,
            file=file,
            line=line,
        )
        return Session(id=f"{file}:{line}", buyer=PHRASE_BUYER, shop=None, messages=(message,))

    def run(self, phrases: Sequence[Phrase]) -> tuple[list[SessionResult], list[Violation]]:
        return self.engine.run([self.session(p.file, p.line, p.text) for p in phrases])

    def findings(self, text: str, file: str = "", line: int = 0) -> list[Violation]:
        """The violations of one phrase text (used to vet fixes)."""
        outcome = self.engine.check_session(self.session(file, line, text))
        return outcome.violations


def read_libraries(paths: Sequence[str | Path]) -> list[Library]:
    """Read each library once (a path given twice is read once)."""
    from cslint.api import display_name

    seen: set[Path] = set()
    libraries: list[Library] = []
    for p in paths:
        key = Path(p).resolve()
        if key not in seen:
            seen.add(key)
            libraries.append(read_library(p, display_name(Path(p))))
    return libraries


def lint_libraries(
    libraries: Sequence[Library], config: Config, pack: RulePack, linter: PhraseLinter | None = None
) -> NotedResult:
    """One :class:`NotedResult` for the phrases of ``libraries``."""
    linter = linter if linter is not None else PhraseLinter(pack)
    phrases = [p for lib in libraries for p in lib.phrases]
    sessions, violations = linter.run(phrases)
    return NotedResult(
        violations=violations,
        input_errors=[e for lib in libraries for e in lib.errors],
        sessions=sessions,
        files=[lib.stats for lib in libraries],
        rules=linter.pack.infos(),
        meta={
            "version": __version__,
            "mode": "phrases",
            "rulesets": list(config.extends),
            "config_files": list(config.sources),
        },
        notices=[n for lib in libraries for n in lib.notices],
        extra={"phrases": len(phrases)},
    )


def lint_phrase_files(
    paths: Sequence[str | Path], config: Config, *, pack: RulePack | None = None
) -> NotedResult:
    """Read and lint phrase libraries (what :func:`cslint.api.lint_phrases` does)."""
    from cslint.ruleset import load_pack

    pack = pack if pack is not None else load_pack(config)
    return lint_libraries(read_libraries(paths), config, pack)
