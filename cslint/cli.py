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

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from cslint import __version__

if TYPE_CHECKING:
    from cslint.config import Config
    from cslint.model import RunResult

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
ignore_option = click.option(
    "--ignore", multiple=True, metavar="CODES", help="Skip these code prefixes."
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
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the report to FILE (atomically).",
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
@click.option(
    "--show-pii",
    is_flag=True,
    help="Print phone numbers, order numbers, ID numbers and addresses unmasked.",
)
@click.option("--statistics", is_flag=True, help="Only counts per rule (text format).")
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour text output (default: when a terminal and NO_COLOR is unset).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when violations are found.")
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
) -> None:
    """Check chat exports (files or folders) against the rules."""
    from cslint.api import check_paths
    from cslint.errors import ConfigError

    config = _load_config(paths, config_file, isolated, select, ignore)
    try:
        result = check_paths(paths, config, input_format=input_format)
    except ConfigError as exc:
        _fail(str(exc))
    _emit(result, fmt, output, show_pii=show_pii, statistics=statistics, color=color)
    sys.exit(_exit_code(result, exit_zero))


def _exit_code(result: RunResult, exit_zero: bool) -> int:
    if result.input_errors:
        return EXIT_ERROR
    if result.violations and not exit_zero:
        return EXIT_VIOLATIONS
    return EXIT_CLEAN


def _emit(
    result: RunResult,
    fmt: str,
    output: str | None,
    *,
    show_pii: bool,
    statistics: bool,
    color: bool | None,
) -> None:
    from cslint.output import OutputError
    from cslint.reporters import get_reporter
    from cslint.reporters.base import ReportOptions, color_wanted

    stream = sys.stdout
    use_color = color if color is not None else (output is None and color_wanted(stream))
    options = ReportOptions(show_pii=show_pii, color=use_color, statistics=statistics)
    reporter = get_reporter(fmt)
    if output is None:
        click.echo(reporter.render(result, options), nl=False)
    else:
        try:
            reporter.write(result, options, Path(output))
        except OutputError as exc:
            _fail(str(exc))
    if result.input_errors and (fmt != "text" or output is not None):
        for error in result.input_errors:  # people read stderr even when stdout is a document
            click.echo(str(error), err=True)


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
            "message_level": r.message_level,
            "source": r.spec.source,
        }
        for r in pack.rules
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from cslint.reporters.common import pad

    header = ("code", "name", "severity", "points", "source")
    table: list[tuple[str, ...]] = [header] + [
        tuple(str(r[key]) for key in ("code", "qualified_name", "severity", "points", "source"))
        for r in rows
    ]
    widths = [max(_width(row[i]) for row in table) for i in range(len(header) - 1)]
    for row in table:
        cells = [pad(row[i], widths[i]) for i in range(len(widths))]
        click.echo("  ".join([*cells, row[-1]]).rstrip())


def _width(text: str) -> int:
    from cslint.reporters.common import display_width

    return display_width(text)


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
    try:
        pack = load_pack(config)
        result = check_paths(paths, config, input_format=input_format, pack=pack)
    except ConfigError as exc:
        _fail(str(exc))
    t001 = pack.rule("T001")  # the table's "within 6 s" follows the shop's T001 threshold
    threshold = float(t001.param("first_response_s")) if t001 is not None else 6.0
    for error in result.input_errors:
        click.echo(str(error), err=True)
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
