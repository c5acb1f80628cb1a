"""``cslint phrases --fix`` / ``--diff``: rewrite phrases with the rules' replacements.

What is fixable (decided):

- Only a violation whose ``suggestion`` is a *replacement* of its rule's
  ``replacements`` map (W001 不行→无法办到, W002 不能→无法, 不好意思→非常抱歉 …,
  W005 你→您) and whose matched text, normalized, *is* that map's key. Free
  advice text (W003's 「至少三个字…」, P001's example wording) is never
  applied, and neither is a replacement whose key is not what the span holds
  (W005 hit on 妳, which has no entry).
- Replacements are applied right to left on the violation spans (spans index
  the raw phrase), one at a time; after each one the phrase is linted again
  and the replacement is kept only if no rule finds more than before and the
  total went down. So a fix never introduces a new finding; a refused one is
  reported as a notice and its finding stays in the report.
- Phrases with a baselined finding are left alone: the baseline is keyed on
  the phrase's text, and rewriting the phrase would turn the accepted
  finding into a new one.

What is kept (decided):

- ``.txt``/``.csv``: only the characters of the fixed phrases change. The
  rest of the file — comments, blank lines, order, other columns, the
  quoting of untouched cells, line ends (CRLF, LF or mixed), the encoding
  and its BOM — is written back byte for byte. A fixed CSV cell keeps its
  quotes, and gains some only when the new text needs them. A file with
  undecodable bytes, or one whose text would not re-encode to the very same
  bytes, is not fixed (notice).
- ``.xlsx``: the workbook is rewritten with openpyxl: values, styles, other
  sheets, column widths, merged cells survive; formula cells are not
  touched (notice). openpyxl cannot carry drawings, charts, pivot tables or
  macros, so a workbook with any of those is not fixed (notice).

Writing: each file is checked first (still there, unchanged since it was
read, writable, and its folder writable for the temporary file) and then
written atomically (:func:`cslint.output.write_atomic`: a temporary file in
the same folder, then :func:`os.replace`), so a file is either fully fixed
or untouched. A read-only or locked file gives a clear error and exit 2.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import stat
import warnings
import zipfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cslint.baseline import Notice
from cslint.model import Violation
from cslint.phrases import Library, Phrase, PhraseLinter, physical_lines
from cslint.rules.base import Rule
from cslint.text.normalize import normalize_phrase

if TYPE_CHECKING:
    from openpyxl import Workbook

# Parts of a workbook that openpyxl drops on save.
_UNSAFE_PARTS = re.compile(
    r"^xl/(drawings|charts|pivotTables|pivotCache|vbaProject|embeddings|media)/|^xl/vbaProject\.bin$"
)


_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


class FixError(Exception):
    """A file could not be fixed; the message names it and says why. Nothing was written."""


@dataclass(frozen=True, slots=True)
class Replacement:
    """Replace ``text[start:end]`` (``old``) with ``new``, fixing one violation."""

    start: int
    end: int
    old: str
    new: str
    code: str


@dataclass(frozen=True, slots=True)
class PhraseFix:
    phrase: Phrase
    new_text: str
    applied: tuple[Replacement, ...]


@dataclass
class FilePlan:
    """What ``--fix`` would do to one library."""

    library: Library
    fixes: list[PhraseFix] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    blocked: str | None = None  # why this file cannot be fixed at all

    @property
    def fixed_findings(self) -> int:
        return sum(len(f.applied) for f in self.fixes)

    @property
    def changed(self) -> bool:
        return bool(self.fixes) and self.blocked is None


def replacement_for(v: Violation, rule: Rule | None) -> Replacement | None:
    """The safe replacement that fixes ``v``, or None (see the module docstring)."""
    if rule is None or v.span is None or not v.suggestion:
        return None
    replacements = rule.spec.replacements
    if not replacements or v.suggestion not in replacements.values():
        return None
    start, end = v.span
    old = v.text[start:end]
    key = normalize_phrase(old)
    if not key:
        return None
    for k, new in replacements.items():
        if new == v.suggestion and normalize_phrase(k) == key:
            return Replacement(start, end, old, new, v.code)
    return None


def fix_text(
    text: str, violations: Sequence[Violation], linter: PhraseLinter, rules: Mapping[str, Rule]
) -> tuple[str, list[Replacement], list[tuple[Replacement, str]]]:
    """Apply the safe replacements of ``violations`` to ``text``.

    Returns the new text, the replacements applied, and the refused ones with
    why. A replacement is applied only if, linted again, no code is found more
    often than before and fewer findings remain.
    """
    candidates = [r for v in violations if (r := replacement_for(v, rules.get(v.code))) is not None]
    candidates.sort(key=lambda r: (r.start, r.end), reverse=True)
    current = text
    before = Counter(v.code for v in linter.findings(text))
    applied: list[Replacement] = []
    refused: list[tuple[Replacement, str]] = []
    left_edge = len(text) + 1
    for rep in candidates:
        if rep.end > left_edge:
            refused.append((rep, "it overlaps another fix"))
            continue
        candidate = current[: rep.start] + rep.new + current[rep.end :]
        after = Counter(v.code for v in linter.findings(candidate))
        added = sorted(code for code in after if after[code] > before[code])
        if added:
            refused.append((rep, "it would add " + ", ".join(added)))
            continue
        if after.total() >= before.total():
            refused.append((rep, "the finding would stay"))
            continue
        current, before, left_edge = candidate, after, rep.start
        applied.append(rep)
    applied.reverse()
    return current, applied, refused


def plan_fixes(
    libraries: Sequence[Library],
    violations: Sequence[Violation],
    linter: PhraseLinter,
    *,
    baselined: Sequence[Violation] = (),
) -> list[FilePlan]:
    """One :class:`FilePlan` per library that has something fixable."""
    rules = {r.code: r for r in linter.pack.rules}
    by_place: dict[tuple[str, int], list[Violation]] = {}
    for v in violations:
        by_place.setdefault((v.file, v.line), []).append(v)
    held = {(v.file, v.line) for v in baselined}
    plans: list[FilePlan] = []
    for lib in libraries:
        plan = FilePlan(lib)
        for phrase in lib.phrases:
            found = by_place.get((phrase.file, phrase.line))
            if not found or not any(replacement_for(v, rules.get(v.code)) for v in found):
                continue
            if (phrase.file, phrase.line) in held:
                plan.notices.append(
                    Notice(
                        phrase.file,
                        phrase.line,
                        "not fixed: the phrase has baselined findings (fix it by hand, then --write-baseline)",
                        "fix",
                    )
                )
                continue
            new_text, applied, refused = fix_text(phrase.text, found, linter, rules)
            for rep, why in refused:
                plan.notices.append(
                    Notice(
                        phrase.file,
                        phrase.line,
                        f"{rep.code} fix 「{rep.old}」→「{rep.new}」 not applied: {why}",
                        "fix",
                    )
                )
            if applied:
                plan.fixes.append(PhraseFix(phrase, new_text, tuple(applied)))
        if plan.fixes:
            plan.blocked = _blocked(lib)
            if plan.blocked:
                plan.notices.append(Notice(lib.display, 0, f"not fixed: {plan.blocked}", "fix"))
            elif lib.format == "xlsx":
                _vet_xlsx(plan)
        if plan.fixes or plan.notices:
            plans.append(plan)
    return plans


def _blocked(lib: Library) -> str | None:
    if lib.failed:
        return "the file could not be read"
    if lib.format == "xlsx":
        try:
            with zipfile.ZipFile(io.BytesIO(lib.data)) as z:
                unsafe = sorted(
                    {m.group(1) or "macros" for n in z.namelist() if (m := _UNSAFE_PARTS.match(n))}
                )
        except zipfile.BadZipFile:
            return "not a valid .xlsx workbook"
        if unsafe:
            return f"the workbook has {', '.join(unsafe)}, which openpyxl would drop"
        return None
    if lib.bad_bytes:
        return "the file has undecodable bytes; fix its encoding first"
    if not lib.round_trip:
        return "its text would not be written back byte for byte"
    return None


# -- new content --------------------------------------------------------------


def _csv_cell(value: str, quoted: bool, delimiter: str, newline: str) -> str:
    if newline != "\n":
        value = value.replace("\n", newline)
    if quoted or any(ch in value for ch in (delimiter, '"', "\r", "\n")):
        return '"' + value.replace('"', '""') + '"'
    return value


def _newline_of(raw_cell: str) -> str:
    m = re.search(r"\r\n|\r|\n", raw_cell)
    return m.group() if m else "\n"


def new_text(plan: FilePlan) -> str:
    """The fixed text of a ``.txt``/``.csv`` library."""
    lib = plan.library
    raw = lib.raw
    pieces: list[str] = []
    pos = 0
    for fix in sorted(plan.fixes, key=lambda f: f.phrase.start):
        p = fix.phrase
        if lib.format == "csv":
            cell = _csv_cell(
                fix.new_text, p.quoted, lib.delimiter, _newline_of(raw[p.start : p.end])
            )
        else:
            cell = fix.new_text
        pieces += [raw[pos : p.start], cell]
        pos = p.end
    pieces.append(raw[pos:])
    return "".join(pieces)


def new_content(plan: FilePlan) -> bytes:
    """The bytes ``--fix`` writes for ``plan`` (same encoding and BOM as read)."""
    lib = plan.library
    if lib.format == "xlsx":
        return _xlsx_bytes(plan)
    return lib.bom + new_text(plan).encode(lib.codec)


def _load_book(lib: Library) -> Workbook:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(io.BytesIO(lib.data))


def _vet_xlsx(plan: FilePlan) -> None:
    """Drop fixes of cells that hold a formula or no longer hold the phrase."""
    try:
        book = _load_book(plan.library)
    except Exception as exc:
        plan.blocked = f"openpyxl cannot open the workbook for writing ({type(exc).__name__})"
        plan.notices.append(Notice(plan.library.display, 0, f"not fixed: {plan.blocked}", "fix"))
        return
    kept: list[PhraseFix] = []
    for fix in plan.fixes:
        p = fix.phrase
        cell = book[p.sheet or book.sheetnames[0]].cell(row=p.line, column=p.column)
        if cell.data_type == "f":
            plan.notices.append(
                Notice(p.file, p.line, "not fixed: the phrase cell holds a formula", "fix")
            )
        elif cell.value != p.text:
            plan.notices.append(
                Notice(p.file, p.line, "not fixed: the phrase cell is not plain text", "fix")
            )
        else:
            kept.append(fix)
    plan.fixes = kept


def _xlsx_bytes(plan: FilePlan) -> bytes:
    book = _load_book(plan.library)
    for fix in plan.fixes:
        p = fix.phrase
        book[p.sheet or book.sheetnames[0]].cell(row=p.line, column=p.column).value = fix.new_text
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- diff and write -------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [text[s:e] for _, s, e in physical_lines(text)]


def diff(plan: FilePlan) -> str:
    """A unified diff of what ``--fix`` would change (cells for ``.xlsx``)."""
    if not plan.changed:
        return ""
    lib = plan.library
    absolute = Path(lib.display).is_absolute()
    old = lib.display if absolute else f"a/{lib.display}"
    new = lib.display if absolute else f"b/{lib.display}"
    if lib.format == "xlsx":
        out = [f"--- {old}", f"+++ {new}"]
        for fix in plan.fixes:
            p = fix.phrase
            out += [
                f"@@ {p.sheet}!{_column_letter(p.column)}{p.line} @@",
                f"-{p.text}",
                f"+{fix.new_text}",
            ]
        return "\n".join(out) + "\n"
    lines = difflib.unified_diff(_lines(lib.raw), _lines(new_text(plan)), old, new, lineterm="")
    return "\n".join(lines) + "\n"


def _column_letter(n: int) -> str:
    letters = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def write_fixes(plan: FilePlan) -> None:
    """Write the fixed library over the original, atomically; :class:`FixError` if not possible."""
    from cslint.output import OutputError, write_atomic

    if not plan.changed:
        return
    lib = plan.library
    path = lib.path
    name = lib.display
    if not path.is_file():
        raise FixError(f"cannot fix {name}: it is gone")
    if not os.access(path, os.W_OK) or not path.stat().st_mode & _WRITE_BITS:
        # (the mode check also holds for root, whom os.access lets write anything)
        raise FixError(f"cannot fix {name}: the file is read-only; nothing was written")
    folder = path.resolve().parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise FixError(
            f"cannot fix {name}: its folder {folder} is not writable (the fix is written to a temporary file there first); nothing was written"
        )
    try:
        payload = new_content(plan)
    except Exception as exc:
        raise FixError(
            f"cannot fix {name}: {type(exc).__name__}: {exc}; nothing was written"
        ) from exc
    try:
        if path.read_bytes() != lib.data:
            raise FixError(
                f"cannot fix {name}: it changed on disk since it was read; nothing was written"
            )
    except OSError as exc:
        raise FixError(
            f"cannot fix {name}: {exc.strerror or exc} (is it open in another program?); nothing was written"
        ) from exc
    try:
        write_atomic(Path(path), payload)
    except OutputError as exc:
        raise FixError(f"{exc} (is it open in another program?); nothing was written") from exc
