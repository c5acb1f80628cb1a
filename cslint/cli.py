"""The ``cslint`` command: parse flags, call :mod:`cslint.api`, pick a reporter, exit.

Exit codes (also in ``cslint --help``):

* 0: no violations;
* 1: violations found;
* 2: a usage, config or input error (a broken ruleset, a path that does not
  exist, a file or row that could not be read). Input errors win over
  violations, so CI notices a broken export; the good rows are still linted
  and reported.

Heavy modules (jieba, pandas, the rule engine) are imported inside the
commands that need them, so ``cslint --help`` stays fast for pre-commit hooks.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import click

from cslint import __version__

if TYPE_CHECKING:
    from cslint.baseline import Notice
    from cslint.config import Config
    from cslint.model import RunResult, Violation
    from cslint.reporters.base import ReportOptions
    from cslint.ruleset import RulePack

EXIT_CLEAN = 0
EXIT_VIOLATIONS = 1
EXIT_ERROR = 2

FORMATS = ("text", "json", "jsonl", "csv", "sarif", "github", "junit")
INPUT_FORMATS = ("csv", "jsonl", "qianniu", "xlsx")

EXIT_HELP = """\b
Exit codes:
  0  no violations
  1  violations found
  2  usage, config or input error (broken ruleset or config, missing path,
     unreadable file or row); the rest of the input is still checked
"""


def _fail(message: str) -> NoReturn:
    click.echo(f"cslint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _echo_errors(errors: Iterable[Any], show_pii: bool = False) -> None:
    """Input errors on stderr, ``FILE:LINE: reason``: personal data masked, and
    control characters from file names or chat text neutralised."""
    from cslint.reporters.common import masked_str, one_line

    for error in errors:
        click.echo(one_line(masked_str(str(error), show_pii)), err=True)


def _refuse_overwriting_inputs(
    targets: Sequence[str | None], paths: Sequence[str], config_file: str | None
) -> None:
    """Exit 2 before reading anything when an output would replace an input.

    cslint never modifies its inputs (only ``phrases --fix`` rewrites the
    libraries it was asked to fix): ``-o week.csv`` given a chat export named
    ``week.csv`` is a typo that would destroy the export.
    """
    wanted = [Path(t) for t in targets if t]
    existing = [t for t in wanted if t.exists()]
    if not existing:
        return
    from cslint.readers import discover

    files, _ = discover(paths)
    inputs = [*files, *(Path(p) for p in paths), *([Path(config_file)] if config_file else [])]
    for target in existing:
        for source in inputs:
            try:
                same = source.exists() and os.path.samefile(target, source)
            except OSError:
                same = False
            if same:
                _fail(f"{target} would overwrite an input file ({source}); choose another output")


def _jobs(jobs: int) -> int:
    from cslint.parallel import default_jobs

    return jobs or default_jobs()


def _split(values: Sequence[str]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _load_config(
    paths: Sequence[str],
    config_file: str | None,
    isolated: bool,
    select: Sequence[str],
    ignore: Sequence[str],
) -> Config:
    from cslint.config import load_config
    from cslint.errors import ConfigError

    try:
        return load_config(
            paths, config_file, discover=not isolated, select=_split(select), ignore=_split(ignore)
        )
    except ConfigError as exc:
        _fail(str(exc))


config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Shop config (cslint.toml); laid over the one found walking up from the first path.",
)
isolated_option = click.option(
    "--isolated", is_flag=True, help="Ignore cslint.toml / pyproject.toml files found on disk."
)
select_option = click.option(
    "--select",
    multiple=True,
    metavar="CODES",
    help="Only these code prefixes (W,P001,wording), comma-separated.",
)
format_option = click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the report to FILE (atomically).",
)
show_pii_option = click.option(
    "--show-pii",
    is_flag=True,
    help="Print phone numbers, order numbers, ID numbers and addresses unmasked.",
)
statistics_option = click.option(
    "--statistics", is_flag=True, help="Only counts per rule (text format)."
)
color_option = click.option(
    "--color/--no-color",
    default=None,
    help="Colour text output (default: when a terminal and NO_COLOR is unset).",
)
exit_zero_option = click.option(
    "--exit-zero", is_flag=True, help="Exit 0 even when violations are found."
)
jobs_option = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    show_default="0 = all cores",
    help="Processes that check the input, each one share of the buyers (one below about "
    "2 MB of input per process). The output is identical whatever the number.",
)
ignore_option = click.option(
    "--ignore", multiple=True, metavar="CODES", help="Skip these code prefixes."
)
baseline_option = click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Accept the findings listed in FILE (from --write-baseline): they are left out of "
    "the report and the exit code; entries that no longer match are listed as stale.",
)
write_baseline_option = click.option(
    "--write-baseline",
    "write_baseline_file",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Write every current finding to FILE (keyed on content; reasons already in FILE "
    "are kept), then report as with --baseline FILE.",
)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_HELP,
)
@click.version_option(__version__, "--version", "-V", prog_name="cslint")
def main() -> None:
    """cslint: a compliance linter for Taobao/Tmall customer-service chats.

    Reads exported chat logs (CSV, JSON Lines, Qianniu/Wangwang text, Excel)
    and reports every broken service standard and Tmall red line with its
    rule, place, points and a better wording.
    """


@main.command(epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@format_option
@output_option
@config_option
@isolated_option
@select_option
@ignore_option
@click.option(
    "--input-format",
    type=click.Choice(INPUT_FORMATS),
    default=None,
    help="Read every file as this format.",
)
@show_pii_option
@statistics_option
@color_option
@exit_zero_option
@jobs_option
@baseline_option
@write_baseline_option
def check(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    config_file: str | None,
    isolated: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    input_format: str | None,
    show_pii: bool,
    statistics: bool,
    color: bool | None,
    exit_zero: bool,
    jobs: int,
    baseline_file: str | None,
    write_baseline_file: str | None,
) -> None:
    """Check chat exports (files or folders) against the rules."""
    from cslint.api import check_paths
    from cslint.errors import ConfigError
    from cslint.forked import WorkerFailed
    from cslint.gctune import batch_gc
    from cslint.ruleset import load_pack

    config = _load_config(paths, config_file, isolated, select, ignore)
    _refuse_overwriting_inputs([output, write_baseline_file], paths, config_file)
    with batch_gc():
        if not (baseline_file or write_baseline_file):
            code = _check_streaming(
                paths,
                config,
                fmt,
                output,
                input_format,
                show_pii,
                statistics,
                color,
                exit_zero,
                _jobs(jobs),
            )
            if code is not None:
                sys.exit(code)
        try:
            pack = load_pack(config) if baseline_file or write_baseline_file else None
            result = check_paths(
                paths, config, input_format=input_format, pack=pack, jobs=_jobs(jobs)
            )
        except (ConfigError, WorkerFailed) as exc:
            _fail(str(exc))
    notes: list[str] = []
    if pack is not None:
        result, _, notes = _baseline_step(result, pack, baseline_file, write_baseline_file)
    _emit(result, fmt, output, show_pii=show_pii, statistics=statistics, color=color, notes=notes)
    sys.exit(_exit_code(result, exit_zero))


def _baseline_step(
    result: RunResult, pack: RulePack, baseline_file: str | None, write_file: str | None
) -> tuple[RunResult, list[Violation], list[str]]:
    """Write and/or apply a baseline.

    Returns the result without the baselined findings, the findings dropped,
    and the lines the report adds about the baseline (count, stale entries).
    """
    if not baseline_file and not write_file:
        return result, [], []
    from cslint.baseline import apply_baseline, load_baseline, stale_lines, write_baseline
    from cslint.errors import ConfigError
    from cslint.output import OutputError

    path = write_file or baseline_file or ""
    if write_file:
        if baseline_file and Path(baseline_file).resolve() != Path(write_file).resolve():
            _fail(
                "--baseline and --write-baseline name different files "
                "(--write-baseline alone keeps the reasons already in its file)"
            )
        try:
            written = write_baseline(write_file, result.violations)
        except OutputError as exc:
            _fail(str(exc))
        click.echo(f"cslint: wrote {len(written)} baseline entries to {write_file}", err=True)
    try:
        baseline = load_baseline(path)
    except ConfigError as exc:
        _fail(str(exc))
    applied = apply_baseline(
        result,
        baseline,
        active_codes=[r.code for r in pack.rules],
        max_deductions={r.code: r.spec.max_deductions for r in pack.rules},
    )
    n = len(applied.baselined)
    notes = [f"{path}: {n} finding{'s' if n != 1 else ''} baselined ({len(baseline)} entries)"]
    notes += stale_lines(applied.stale, path)
    return applied.result, applied.baselined, notes


def _exit_code(result: RunResult, exit_zero: bool) -> int:
    totals = result.tally()
    if totals.input_errors:
        return EXIT_ERROR
    if totals.violations and not exit_zero:
        return EXIT_VIOLATIONS
    return EXIT_CLEAN


def _check_streaming(
    paths: Sequence[str],
    config: Config,
    fmt: str,
    output: str | None,
    input_format: str | None,
    show_pii: bool,
    statistics: bool,
    color: bool | None,
    exit_zero: bool,
    jobs: int,
) -> int | None:
    """``check`` as a stream (:mod:`cslint.streaming`): the exit code, or ``None``
    when the format (or an explicit session id with rows of several buyers)
    needs the run made wholly in memory. Input that cannot stream is read and
    sessionized in parts by buyer, then checked and reported as a stream."""
    from cslint.errors import ConfigError
    from cslint.forked import WorkerFailed
    from cslint.reporters import get_reporter
    from cslint.reporters.base import StreamingReporter
    from cslint.reporters.common import masked_str, one_line
    from cslint.session_stream import OutOfOrder
    from cslint.streaming import StreamedRun, stream_check

    reporter = get_reporter(fmt)
    if not isinstance(reporter, StreamingReporter):
        return None
    options = _report_options(output, show_pii, statistics, color)

    def run_check(whole: bool) -> StreamedRun:
        return stream_check(
            paths,
            config,
            reporter,
            options,
            input_format=input_format,
            plain_errors=_errors_on_stderr(fmt, output),
            jobs=jobs,
            whole=whole,
        )

    try:
        try:
            run = run_check(whole=False)
        except OutOfOrder as exc:
            why = one_line(masked_str(str(exc), show_pii))
            click.echo(f"cslint: {why}; reading the input in parts by buyer instead", err=True)
            try:
                run = run_check(whole=True)
            except OutOfOrder as again:  # an explicit session id with rows of several buyers
                why = one_line(masked_str(str(again), show_pii))
                click.echo(f"cslint: {why}; checking the input in memory", err=True)
                return None
    except (ConfigError, WorkerFailed) as exc:
        _fail(str(exc))
    try:
        _write_report(
            output,
            lambda out: reporter.write_document(
                out, run.result, run.violations, run.errors, options
            ),
        )
        if run.plain_errors is not None:
            _echo_errors(run.plain_errors, show_pii)
        return _exit_code(run.result, exit_zero)
    finally:
        run.close()


def _report_options(
    output: str | None, show_pii: bool, statistics: bool, color: bool | None
) -> ReportOptions:
    """What the user asked of the report; colour by default only on a terminal."""
    from cslint.reporters.base import ReportOptions, color_wanted

    use_color = color if color is not None else (output is None and color_wanted(sys.stdout))
    return ReportOptions(show_pii=show_pii, color=use_color, statistics=statistics)


def _errors_on_stderr(fmt: str, output: str | None) -> bool:
    """Input errors go to stderr too unless stdout is the text report, which holds them:
    people read stderr even when stdout is a document."""
    return fmt != "text" or output is not None


def _write_report(output: str | None, write: Callable[[TextIO], object]) -> None:
    """Let ``write`` write the report to stdout, or atomically to ``output`` (UTF-8)."""
    from cslint.output import OutputError, atomic_output
    from cslint.reporters.base import Utf8Output

    if output is None:
        with _EchoWriter() as out:
            write(out)
        return
    try:
        with atomic_output(Path(output)) as handle:
            text = Utf8Output(handle)
            write(text)
            text.flush()
            text.detach()
    except OutputError as exc:
        _fail(str(exc))
    except UnicodeEncodeError as exc:  # the target was left as it was
        _fail(f"cannot write {output}: {exc}")


class _EchoWriter(io.StringIO):
    """A text stream that hands what it gets to ``click.echo`` in large pieces
    (click strips colour codes for pipes and copes with Windows consoles)."""

    CHUNK = 1 << 20

    def write(self, text: str) -> int:
        n = super().write(text)
        if self.tell() >= self.CHUNK:
            self.flush()
        return n

    def flush(self) -> None:
        click.echo(self.getvalue(), nl=False)
        self.seek(0)
        self.truncate()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.flush()
        super().__exit__(kind, value, traceback)


def _emit(
    result: RunResult,
    fmt: str,
    output: str | None,
    *,
    show_pii: bool,
    statistics: bool,
    color: bool | None,
    notes: Sequence[str] = (),
) -> None:
    """Render ``result``.

    The result's notices (phrase libraries) and ``notes`` (baseline lines)
    follow the text report, become ``::notice`` commands in ``github``
    output, and go to stderr with the other formats.
    """
    from cslint.reporters import get_reporter

    options = _report_options(output, show_pii, statistics, color)
    reporter = get_reporter(fmt)
    notices: list[Notice] = list(getattr(result, "notices", ()))
    extra = [str(n) for n in notices] + list(notes)
    document = reporter.render(result, options)
    if extra and fmt == "text":
        document += "\n" + "\n".join(extra) + "\n"
    elif extra and fmt == "github":
        document += "".join(_github_notice(n) + "\n" for n in notices)
        document += "".join(_github_notice(line) + "\n" for line in notes)
    _write_report(output, lambda out: out.write(document))
    if _errors_on_stderr(fmt, output):
        _echo_errors(result.input_errors, show_pii)
        if fmt != "github":
            for line in extra:
                click.echo(line, err=True)


def _github_notice(note: Notice | str) -> str:
    from cslint.reporters.github import command

    if isinstance(note, str):
        return command("notice", note)
    return command("notice", note.message, file=note.file, line=note.line if note.line > 0 else "")


@main.command("rules", epilog=EXIT_HELP)
@click.option(
    "-f", "--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True
)
@config_option
@isolated_option
@select_option
@ignore_option
def rules_command(
    fmt: str,
    config_file: str | None,
    isolated: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
) -> None:
    """List the active rules: code, name, points, severity, source."""
    from cslint.errors import ConfigError
    from cslint.ruleset import load_pack, qualified_name

    config = _load_config([], config_file, isolated, select, ignore)
    try:
        pack = load_pack(config)
    except ConfigError as exc:
        _fail(str(exc))
    rows = [
        {
            "code": r.spec.code,
            "name": r.spec.name,
            "qualified_name": qualified_name(r.spec.code, r.spec.name),
            "kind": r.spec.kind,
            "severity": r.spec.severity.value,
            "points": r.spec.points,
            "max_deductions": r.spec.max_deductions,
            "message_level": r.judges_one_message(),
            "source": r.spec.source,
        }
        for r in pack.rules
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from cslint.reporters.common import display_width, pad

    header = ("code", "name", "severity", "points", "source")
    table: list[tuple[str, ...]] = [header] + [
        tuple(str(r[key]) for key in ("code", "qualified_name", "severity", "points", "source"))
        for r in rows
    ]
    widths = [max(display_width(row[i]) for row in table) for i in range(len(header) - 1)]
    for row in table:
        cells = [pad(row[i], widths[i]) for i in range(len(widths))]
        click.echo("  ".join([*cells, row[-1]]).rstrip())


@main.command("rule", epilog=EXIT_HELP)
@click.argument("code")
@config_option
@isolated_option
def rule_command(code: str, config_file: str | None, isolated: bool) -> None:
    """Explain one rule, with pass and fail examples from the corpus."""
    from cslint.errors import ConfigError
    from cslint.ruleset import data_dir, load_specs, qualified_name

    config = _load_config([], config_file, isolated, (), ())
    try:
        specs = {spec.code: (spec, kind) for spec, kind in load_specs(config)}
    except ConfigError as exc:
        _fail(str(exc))
    code = code.upper()
    if code not in specs:
        _fail(f"no rule {code!r} (see `cslint rules`)")
    spec, kind = specs[code]
    lines = [
        f"{spec.code} {qualified_name(spec.code, spec.name)}",
        "",
        spec.description,
        "",
        f"  kind:       {spec.kind} ({kind.description})",
        f"  severity:   {spec.severity.value}",
        f"  points:     {spec.points} (deducted at most {spec.max_deductions}× per session)",
        f"  message:    {spec.message}",
    ]
    if spec.suggestion:
        lines.append(f"  suggestion: {spec.suggestion}")
    params = {**{n: p.default for n, p in kind.params.items()}, **spec.params}
    if params:
        lines.append("  parameters: " + ", ".join(f"{k} = {v!r}" for k, v in params.items()))
    for name, entries in spec.lists.items():
        shown = "、".join(entries[:12]) + (" …" if len(entries) > 12 else "")
        lines.append(f"  {name}: {shown}")
    if spec.replacements:
        lines.append(
            "  replacements: " + ", ".join(f"{k} → {v}" for k, v in spec.replacements.items())
        )
    lines.append(f"  source:     {spec.source}")
    lines.extend(_examples(data_dir("corpora") / f"{spec.code}.toml"))
    click.echo("\n".join(lines))


def _examples(path: Path, limit: int = 3) -> list[str]:
    from cslint.corpus import load_cases
    from cslint.errors import ConfigError

    if not path.is_file():
        return []
    try:
        cases = load_cases(path)
    except ConfigError:
        return []
    out: list[str] = []
    for title, want in (("Fails", True), ("Passes", False)):
        picked = [c for c in cases if bool(c.expect) == want][:limit]
        if picked:
            out += ["", f"{title}:"]
            for c in picked:
                out.append(f"  - {c.name}")
                for suffix, content in c.transcript[:1]:
                    body = json.loads(content)["text"] if suffix == ".jsonl" else content.strip()
                    out.extend("      " + line for line in body.splitlines()[:8])
    return out


@main.command("config", epilog=EXIT_HELP)
@click.argument("path", required=False, type=click.Path())
@config_option
@isolated_option
def config_command(path: str | None, config_file: str | None, isolated: bool) -> None:
    """Print the merged configuration (defaults < found file < --config) as JSON."""
    from cslint.errors import ConfigError
    from cslint.ruleset import load_pack

    config = _load_config([path] if path else [], config_file, isolated, (), ())
    try:
        pack = load_pack(config)
    except ConfigError as exc:
        _fail(str(exc))
    data: dict[str, Any] = config.to_dict()
    data["active_rules"] = {
        r.code: {
            "points": r.spec.points,
            "max_deductions": r.spec.max_deductions,
            "severity": r.spec.severity.value,
            "params": {**{n: p.default for n, p in type(r).params.items()}, **r.spec.params},
        }
        for r in pack.rules
    }
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@main.command("report", epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the table to FILE: .csv (UTF-8 with BOM, for Excel), .xlsx or .html. Default: a text table.",
)
@click.option(
    "--period", type=click.Choice(("day", "week", "month")), default="week", show_default=True
)
@config_option
@isolated_option
@select_option
@ignore_option
@click.option(
    "--input-format",
    type=click.Choice(INPUT_FORMATS),
    default=None,
    help="Read every file as this format.",
)
def report_command(
    paths: tuple[str, ...],
    output: str | None,
    period: str,
    config_file: str | None,
    isolated: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    input_format: str | None,
) -> None:
    """The managers' compliance table: one row per shop × agent × period.

    Exit 0 when the table was written (violations are the table's content,
    not a failure), 2 on a usage, config, input or output error.
    """
    from cslint.api import check_paths
    from cslint.errors import ConfigError
    from cslint.output import OutputError
    from cslint.ruleset import load_pack
    from cslint.weekly import format_table, weekly_report, weekly_table

    config = _load_config(paths, config_file, isolated, select, ignore)
    _refuse_overwriting_inputs([output], paths, config_file)
    try:
        pack = load_pack(config)
        result = check_paths(paths, config, input_format=input_format, pack=pack)
    except ConfigError as exc:
        _fail(str(exc))
    t001 = pack.rule("T001")  # the table's "within 6 s" follows the shop's T001 threshold
    threshold = float(t001.param("first_response_s")) if t001 is not None else 6.0
    _echo_errors(result.input_errors)
    try:
        if output is None:
            click.echo(format_table(weekly_table(result, period, threshold)))
        else:
            df = weekly_report(result, Path(output), period, threshold)
            click.echo(
                f"wrote {output}: {len(df)} rows ({period}), {len(result.sessions)} sessions",
                err=True,
            )
    except OutputError as exc:
        _fail(str(exc))
    sys.exit(EXIT_ERROR if result.input_errors else EXIT_CLEAN)


PHRASES_EXIT_HELP = """\b
Exit codes:
  0  no violations (or, with --diff, nothing to fix)
  1  violations found (with --fix: left after fixing; with --diff: something to fix)
  2  usage, config or input error (no phrase column, unreadable file or row,
     a file --fix could not write); the other files are still checked
"""

TEST_EXIT_HELP = """\b
Exit codes:
  0  every case passed
  1  a case failed (its expected codes differ from the codes found)
  2  a corpus file, a case's config or transcript, or the config is broken
"""


@main.command("phrases", epilog=PHRASES_EXIT_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@format_option
@output_option
@config_option
@isolated_option
@select_option
@ignore_option
@click.option(
    "--fix",
    is_flag=True,
    help="Rewrite the libraries in place with the rules' replacements (不能→无法, 你→您 …) "
    "where that is safe; keeps format, encoding, line ends and order; the rest is reported.",
)
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Print what --fix would change as a unified diff and write nothing.",
)
@baseline_option
@write_baseline_option
@show_pii_option
@statistics_option
@color_option
@exit_zero_option
def phrases_command(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    config_file: str | None,
    isolated: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fix: bool,
    show_diff: bool,
    baseline_file: str | None,
    write_baseline_file: str | None,
    show_pii: bool,
    statistics: bool,
    color: bool | None,
    exit_zero: bool,
) -> None:
    """Lint phrase libraries (快捷短语): .txt (one per line, # comments), .csv or .xlsx
    (a phrase / 短语 / 内容 / 快捷短语 / 回复内容 column).

    Every rule that judges one message on its own (W001–W005, P001, P003 when
    the shop declares free shipping, P005, P006) is applied to each phrase;
    findings carry the phrase's line in the library. Duplicate phrases and
    shortcuts are reported as notices (they do not change the exit code).
    """
    from cslint.errors import ConfigError
    from cslint.phrases import PhraseLinter, lint_libraries, read_libraries
    from cslint.ruleset import load_pack

    if write_baseline_file and (fix or show_diff):
        _fail("--write-baseline cannot be combined with --fix or --diff")
    config = _load_config(paths, config_file, isolated, select, ignore)
    _refuse_overwriting_inputs([output, write_baseline_file], paths, config_file)
    try:
        pack = load_pack(config)
    except ConfigError as exc:
        _fail(str(exc))
    linter = PhraseLinter(pack)
    libraries = read_libraries(paths)
    result = lint_libraries(libraries, config, pack, linter)
    checked, baselined, notes = _baseline_step(result, pack, baseline_file, write_baseline_file)
    if not (fix or show_diff):
        _emit(
            checked, fmt, output, show_pii=show_pii, statistics=statistics, color=color, notes=notes
        )
        sys.exit(_exit_code(checked, exit_zero))

    from cslint.baseline import noted
    from cslint.fix import FixError, diff, plan_fixes, write_fixes

    plans = plan_fixes(libraries, checked.violations, linter, baselined=baselined)
    fix_notices = [n for p in plans for n in p.notices]
    changed = [p for p in plans if p.changed]
    findings = sum(p.fixed_findings for p in changed)
    phrases = sum(len(p.fixes) for p in changed)
    if show_diff:
        click.echo("".join(diff(p) for p in changed), nl=False)
        for notice in fix_notices:
            click.echo(str(notice), err=True)
        _echo_errors(result.input_errors)
        click.echo(
            f"cslint: --fix would fix {findings} finding{'s' if findings != 1 else ''} "
            f"in {phrases} phrase{'s' if phrases != 1 else ''} ({len(changed)} file"
            f"{'s' if len(changed) != 1 else ''})",
            err=True,
        )
        if result.input_errors:
            sys.exit(EXIT_ERROR)
        sys.exit(EXIT_VIOLATIONS if changed else EXIT_CLEAN)

    write_errors: list[str] = []
    written = 0
    for plan in changed:
        try:
            write_fixes(plan)
            written += 1
        except FixError as exc:
            write_errors.append(str(exc))
            findings -= plan.fixed_findings
            phrases -= len(plan.fixes)
    libraries = read_libraries(paths)  # what is on disk now
    result = lint_libraries(libraries, config, pack, linter)
    checked, _, notes = _baseline_step(result, pack, baseline_file, None)
    final = noted(checked)
    final.notices.extend(fix_notices)
    final.extra["fixed"] = findings
    _emit(final, fmt, output, show_pii=show_pii, statistics=statistics, color=color, notes=notes)
    click.echo(
        f"cslint: fixed {findings} finding{'s' if findings != 1 else ''} in {phrases} "
        f"phrase{'s' if phrases != 1 else ''} ({written} file{'s' if written != 1 else ''} "
        f"rewritten); {len(final.violations)} left",
        err=True,
    )
    for message in write_errors:
        click.echo(f"cslint: error: {message}", err=True)
    sys.exit(EXIT_ERROR if write_errors else _exit_code(final, exit_zero))


@main.command("test", epilog=TEST_EXIT_HELP)
@click.argument("paths", nargs=-1, type=click.Path())
@config_option
@isolated_option
@click.option("-v", "--verbose", is_flag=True, help="List every case, passed or failed.")
def test_command(
    paths: tuple[str, ...], config_file: str | None, isolated: bool, verbose: bool
) -> None:
    """Run labelled transcripts and compare the codes found with the expected ones.

    PATHS are corpus files or folders of them (docs/corpus-format.md); by
    default the corpus bundled with cslint. The shop config found walking up
    from the first path (or --config) is the base of every case, so a shop
    tests its ruleset change in CI with `cslint test corpora/ --config
    cslint.toml`. Prints a per-rule table (expected, found, missed,
    unexpected, precision, recall), the failing cases, and `N passed, N
    failed` on the last line.
    """
    from cslint.testing import default_paths, render, run_tests

    config = _load_config(paths, config_file, isolated, (), ())
    run = run_tests(list(paths) or default_paths(), config)
    click.echo(render(run, verbose=verbose), nl=False)
    sys.exit(run.exit_code)


def entry() -> None:
    """The ``cslint`` command as installed (and ``python -m cslint``): :func:`main`,
    then leave without tearing the interpreter down.

    Teardown frees every object one by one, about half a second after a
    100k-message check, and there is nothing left to do by then: the report
    is written, temporary files are removed, and the exit handlers run here.
    ``main`` is what tests and other callers invoke; it exits normally.
    """
    import atexit
    import contextlib

    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        click.echo(code, err=True)  # what the interpreter does with sys.exit("message")
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        # a closed pipe (`cslint … | head`) or stream
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code or 0)
