"""The Python API the CLI is a thin shell over (usable from a notebook)::

from cslint.api import check_paths
from cslint.config import load_config
result = check_paths(["logs/"], load_config(["logs/"]))
result.summary()
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cslint import __version__
from cslint.config import Config
from cslint.engine import Engine
from cslint.model import FileStats, InputError, Message, RunResult
from cslint.readers import ReadOptions, discover, read_file
from cslint.ruleset import RulePack, load_pack
from cslint.sessionize import sessionize


def read_options(config: Config, input_format: str | None = None) -> ReadOptions:
    return ReadOptions(
        shop_names=config.shop.names,
        bot_names=config.shop.bot_names,
        input_format=input_format,
    )


def display_name(path: Path) -> str:
    """How a file is named in reports: relative to the working folder when below it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def read_paths(
    paths: Sequence[str | Path], options: ReadOptions
) -> tuple[list[Message], list[InputError], list[FileStats]]:
    """Read every chat export under ``paths``: messages, input errors, per-file counts."""
    files, errors = discover(paths)
    messages: list[Message] = []
    stats: list[FileStats] = []
    for path in files:
        read = read_file(path, options, display_name(path))
        messages.extend(read.messages)
        errors.extend(read.errors)
        stats.append(read.stats)
    return messages, errors, stats


def run_meta(config: Config) -> dict[str, object]:
    """The run's metadata every report carries."""
    return {
        "version": __version__,
        "rulesets": list(config.extends),
        "config_files": list(config.sources),
    }


def check_paths(
    paths: Sequence[str | Path],
    config: Config,
    *,
    input_format: str | None = None,
    pack: RulePack | None = None,
    jobs: int = 1,
) -> RunResult:
    """Lint the chat exports under ``paths`` with the rules ``config`` selects.

    ``jobs`` processes check the sessions (output identical to ``jobs=1``).
    """
    pack = pack if pack is not None else load_pack(config)
    messages, errors, stats = read_paths(paths, read_options(config, input_format))
    sessions = sessionize(messages, config.session_gap_s)
    del messages  # the sessions hold them now
    engine = Engine(pack)
    results, violations = engine.run(sessions, jobs)
    return RunResult(
        violations=violations,
        input_errors=errors,
        sessions=results,
        files=stats,
        rules=pack.infos(),
        meta=run_meta(config),
    )


def lint_phrases(
    paths: Sequence[str | Path], config: Config, *, pack: RulePack | None = None
) -> RunResult:
    """Lint phrase libraries (快捷短语: .txt, .csv, .xlsx) with the one-message rules.

    Each phrase is a one-message session (see :mod:`cslint.phrases`); the
    result renders with every reporter, ``line`` being the phrase's line in
    its library. The result is a :class:`cslint.baseline.NotedResult`: its
    ``notices`` list duplicate phrases and shortcuts and empty phrase cells.
    """
    from cslint.phrases import lint_phrase_files

    return lint_phrase_files(paths, config, pack=pack)
