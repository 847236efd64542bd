"""Report formats for ``wfspec check``: text, json, sarif (2.1.0) and github (workflow commands).

Pure functions from (path, Finding) pairs to a string; the CLI writes them to stdout.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from wfspec import __version__
from wfspec.findings import Finding, Severity

Item = tuple[str, Finding]

#: GitHub code scanning ranks results by ``security-severity`` (a CVSS-like score as a string:
#: 9.0+ critical, 7.0+ high, 4.0+ medium, below low) on rules tagged ``security``
SECURITY_SEVERITY = {
    "script-injection": "9.0",
    "dangerous-trigger": "9.0",
    "persist-credentials": "5.5",
    "permissions": "5.0",
    "secrets-inherit": "4.0",
    "unpinned-action": "3.0",
}

_SARIF_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "note",
    Severity.HINT: "note",
}
_GITHUB_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "notice",
    Severity.HINT: "notice",
}


def sort_items(items: Sequence[Item]) -> list[Item]:
    return sorted(items, key=lambda it: (it[0], *it[1].sort_key()))


def text(items: Sequence[Item]) -> str:
    """``path:line:col: severity: message [rule]`` with 1-based line and column."""
    lines = []
    for path, f in sort_items(items):
        s = f.span.start
        lines.append(f"{path}:{s.line + 1}:{s.character + 1}: {f.severity.label}: {f.message} [{f.rule}]")
    return "\n".join(lines) + ("\n" if lines else "")


def _range(f: Finding) -> dict[str, Any]:
    s, e = f.span.start, f.span.end
    return {
        "start": {"line": s.line, "character": s.character},
        "end": {"line": e.line, "character": e.character},
    }


def as_json(items: Sequence[Item]) -> str:
    """``{"findings": [{path, rule, severity, message, range}]}`` with LSP-style positions."""
    out = [
        {"path": path, "rule": f.rule, "severity": f.severity.label, "message": f.message, "range": _range(f)}
        for path, f in sort_items(items)
    ]
    return json.dumps({"findings": out}, indent=2, ensure_ascii=False) + "\n"


def sarif(items: Sequence[Item], rules: Sequence[Any]) -> str:
    """A SARIF 2.1.0 log GitHub code scanning accepts (columns in UTF-16 code units)."""
    rule_index = {r.id: i for i, r in enumerate(rules)}
    results = []
    for path, f in sort_items(items):
        s, e = f.span.start, f.span.end
        region: dict[str, Any] = {"startLine": s.line + 1, "startColumn": s.character + 1}
        if (e.line, e.character) > (s.line, s.character):
            region["endLine"] = e.line + 1
            region["endColumn"] = e.character + 1
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": path.replace("\\", "/")}, "region": region}}
            ],
        }
        if f.rule in rule_index:
            result["ruleIndex"] = rule_index[f.rule]
        results.append(result)
    driver = {
        "name": "wfspec",
        "version": __version__,
        "rules": [
            {
                "id": r.id,
                "name": "".join(p.capitalize() for p in r.id.split("-")),
                "shortDescription": {"text": r.description},
                "fullDescription": {"text": (r.doc.split("\n\n")[0] if r.doc else r.description)},
                "help": {"text": r.doc or r.description},
                "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]},
                **(
                    {"properties": {"tags": ["security"], "security-severity": SECURITY_SEVERITY[r.id]}}
                    if r.id in SECURITY_SEVERITY
                    else {}
                ),
            }
            for r in rules
        ],
    }
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "columnKind": "utf16CodeUnits", "results": results}],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _gh_escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github(items: Sequence[Item]) -> str:
    """GitHub Actions workflow commands (``::error file=...::message``) for annotations."""
    lines = []
    for path, f in sort_items(items):
        s, e = f.span.start, f.span.end
        props = (
            f"file={_gh_escape(path, True)},line={s.line + 1},col={s.character + 1},"
            f"endLine={e.line + 1},endColumn={e.character + 1},title={_gh_escape(f.rule, True)}"
        )
        lines.append(f"::{_GITHUB_LEVEL[f.severity]} {props}::{_gh_escape(f.message)} [{f.rule}]")
    return "\n".join(lines) + ("\n" if lines else "")
