"""Compile a checkout's bytecode before timing it, as ``pip install`` does.

The benchmarks run cslint from a source tree (``PYTHONPATH``), where nothing
guarantees a ``__pycache__``: with ``PYTHONDONTWRITEBYTECODE`` set (this
machine sets it) every run compiled cslint's sixty-odd modules again, about
0.2 s of "start-up" that an installed cslint never pays, since pip writes the
bytecode at install time. ``compileall`` writes it whatever that variable
says, and later runs only read it (``__pycache__`` is ignored by git).
"""

from __future__ import annotations

import compileall
from pathlib import Path


def compile_package(checkout: Path) -> None:
    """Write the bytecode of ``checkout/cslint`` (quietly; up-to-date files are skipped)."""
    package = checkout / "cslint"
    if not compileall.compile_dir(str(package), quiet=1):
        raise SystemExit(f"could not compile {package}")
