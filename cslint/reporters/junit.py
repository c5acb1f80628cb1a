"""``junit``: a JUnit XML test report, for CI systems that show test results.

Layout: ``<testsuites name="cslint">`` holds one ``<testsuite>`` per input
file (named after the file, which is what CI test views group by). Each
session is a ``<testcase>`` (``name`` = session id, ``classname`` = file):
clean sessions pass, a session with violations carries one ``<failure>`` per
violation (``message`` = ``CODE name``, ``type`` = ``CODE``, text = the same
details the text format prints). Each input error is a test case of its own
with an ``<error>``.

Counts follow JUnit's meaning: ``tests`` counts test cases, ``failures`` the
test cases that failed (not the ``<failure>`` elements, of which a session may
have several), ``errors`` the test cases in error. Because some CI tools only
show a test case's first ``<failure>``, a session with several violations also
lists them all in its ``<system-out>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import ClassVar

from cslint.model import InputError, RunResult, Violation
from cslint.reporters.base import Reporter, ReportOptions
from cslint.reporters.common import masked_str, xml_safe
from cslint.reporters.text import input_error_line, violation_lines


class _Suite:
    """What one input file contributes: its sessions and its input errors."""

    def __init__(self) -> None:
        self.sessions: dict[str, list[Violation]] = {}  # id → violations, in order
        self.errors: list[InputError] = []


def _suites(result: RunResult) -> dict[str, _Suite]:
    suites: defaultdict[str, _Suite] = defaultdict(_Suite)
    for f in result.files:
        suites[f.file]  # every input file gets a suite, even an empty one
    session_file: dict[str, str] = {}
    for s in result.sessions:
        suites[s.file].sessions.setdefault(s.id, [])
        session_file.setdefault(s.id, s.file)
    for v in result.violations:
        file = session_file.setdefault(v.session, v.file)
        suites[file].sessions.setdefault(v.session, []).append(v)
    for e in result.input_errors:
        suites[e.file].errors.append(e)
    return dict(suites)


def _set_counts(element: ET.Element, tests: int, failures: int, errors: int) -> None:
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", str(errors))
    element.set("skipped", "0")
    element.set("time", "0")


def junit_tree(result: RunResult, options: ReportOptions) -> ET.Element:
    """The ``<testsuites>`` element (``render`` serialises it)."""
    show = options.show_pii
    root = ET.Element("testsuites", name="cslint")
    totals = [0, 0, 0]
    for file, suite in _suites(result).items():
        element = ET.SubElement(root, "testsuite", name=xml_safe(file))
        failures = 0
        for session, violations in suite.sessions.items():
            case = ET.SubElement(
                element,
                "testcase",
                name=xml_safe(masked_str(session, show)),
                classname=xml_safe(file),
                time="0",
            )
            details = ["\n".join(violation_lines(v, show)) for v in violations]
            for v, text in zip(violations, details, strict=True):
                failure = ET.SubElement(
                    case, "failure", message=xml_safe(f"{v.code} {v.name}"), type=v.code
                )
                failure.text = xml_safe(text)
            if violations:
                failures += 1
            if len(violations) > 1:
                ET.SubElement(case, "system-out").text = xml_safe("\n".join(details))
        for e in suite.errors:
            case = ET.SubElement(
                element,
                "testcase",
                name=xml_safe(f"input line {e.line}" if e.line > 0 else "input file"),
                classname=xml_safe(file),
                time="0",
            )
            error = ET.SubElement(
                case, "error", message=xml_safe(masked_str(e.reason, show)), type="input-error"
            )
            error.text = xml_safe(input_error_line(e, show))
        tests = len(suite.sessions) + len(suite.errors)
        _set_counts(element, tests, failures, len(suite.errors))
        totals = [totals[0] + tests, totals[1] + failures, totals[2] + len(suite.errors)]
    _set_counts(root, *totals)
    return root


class JunitReporter(Reporter):
    """JUnit XML: a test suite per file, a test case per session."""

    name: ClassVar[str] = "junit"
    extension: ClassVar[str] = ".xml"

    def render(self, result: RunResult, options: ReportOptions) -> str:
        root = junit_tree(result, options)
        ET.indent(root)
        body = ET.tostring(root, encoding="unicode")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
