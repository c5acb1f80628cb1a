"""Errors a user can cause with a config or ruleset: always file, line, reason."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A config or ruleset that cannot be used; the CLI prints it and exits 2."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.reason}"


_TOML_POS = re.compile(r"\(at line (\d+), column \d+\)")


def load_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; any problem becomes a :class:`ConfigError` with its line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), None, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(str(path), bad_line, "not UTF-8 (TOML files must be UTF-8)") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = _TOML_POS.search(message)
        line = int(m.group(1)) if m else None
        reason = _TOML_POS.sub("", message).strip()
        raise ConfigError(str(path), line, f"TOML syntax error: {reason}") from None


def line_of(text: str, *needles: str, after: int = 0) -> int | None:
    """The 1-based line of the first needle found (searching from line ``after``).

    tomllib gives no positions for values, so semantic errors point at the line
    where the offending key or value is written.
    """
    lines = text.splitlines()
    for needle in needles:
        for number, line in enumerate(lines[after:], start=after + 1):
            if needle in line:
                return number
    return None
