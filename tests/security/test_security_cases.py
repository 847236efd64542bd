"""The golden set of the security audits: vulnerable and safe GitHub Actions workflows.

Each case under ``cases/vulnerable`` names the rules it must trigger (``# expect: RULE`` lines)
and the public advisory or pattern it follows; each under ``cases/safe`` must trigger none of
the security rules. ``-s`` prints precision and recall over the whole set.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from wfspec.analysis.config import Config, from_mapping
from wfspec.analysis.engine import analyze
from wfspec.analysis.rules import BY_ID
from wfspec.output import sarif

CASES = Path(__file__).parent / "cases"
VULNERABLE = sorted((CASES / "vulnerable").glob("*.yml"))
SAFE = sorted((CASES / "safe").glob("*.yml"))
SECURITY = (
    "script-injection",
    "dangerous-trigger",
    "permissions",
    "secrets-inherit",
    "unpinned-action",
    "persist-credentials",
)
_EXPECT = re.compile(r"^# expect: ([a-z-]+)\s*$", re.M)


def _uri(path: Path) -> str:
    return f"file:///repo/.github/workflows/{path.name}"


def _rules(path: Path, config: Config | None = None) -> list[str]:
    result = analyze(path.read_text(encoding="utf-8"), _uri(path), config)
    assert result.dialect == "github", path.name
    return [f.rule for f in result.findings if f.rule in SECURITY]


def test_the_set_is_large_enough_and_covers_every_rule() -> None:
    assert len(VULNERABLE) >= 15 and len(SAFE) >= 10
    expected = {r for p in VULNERABLE for r in _EXPECT.findall(p.read_text(encoding="utf-8"))}
    assert expected == set(SECURITY)
    for p in VULNERABLE + SAFE:
        assert "# pattern:" in p.read_text(encoding="utf-8"), f"{p.name} does not name its pattern"


@pytest.mark.parametrize("path", VULNERABLE, ids=lambda p: p.name)
def test_vulnerable_case_is_flagged_by_its_rule(path: Path) -> None:
    expected = sorted(set(_EXPECT.findall(path.read_text(encoding="utf-8"))))
    assert expected, f"{path.name} has no '# expect:' line"
    assert sorted(set(_rules(path))) == expected


@pytest.mark.parametrize("path", SAFE, ids=lambda p: p.name)
def test_safe_case_has_no_security_finding(path: Path) -> None:
    assert _rules(path) == []


def test_precision_and_recall() -> None:
    tp = fn = fp = 0
    for path in VULNERABLE:
        expected = set(_EXPECT.findall(path.read_text(encoding="utf-8")))
        found = _rules(path)
        tp += len(expected & set(found))
        fn += len(expected - set(found))
        fp += sum(1 for r in found if r not in expected)
    fp += sum(len(_rules(path)) for path in SAFE)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(
        f"\nsecurity golden set: {len(VULNERABLE)} vulnerable, {len(SAFE)} safe cases; "
        f"tp={tp} fp={fp} fn={fn} precision={precision:.2f} recall={recall:.2f}"
    )
    assert precision == 1.0 and recall == 1.0


def test_require_pinned_actions_reports_every_tag_as_an_error() -> None:
    path = CASES / "vulnerable" / "unpinned-tag.yml"
    default = analyze(path.read_text(encoding="utf-8"), _uri(path))
    assert [(f.rule, f.severity.label) for f in default.findings if f.rule == "unpinned-action"] == [
        ("unpinned-action", "hint")
    ]
    strict = from_mapping({"require-pinned-actions": True})
    found = analyze(path.read_text(encoding="utf-8"), _uri(path), strict).findings
    pinned = [(f.span.start.line + 1, f.severity.label) for f in found if f.rule == "unpinned-action"]
    assert pinned == [(11, "error"), (12, "error")]  # actions/checkout@v4 too
    with pytest.raises(ValueError, match="require-pinned-actions"):
        from_mapping({"require-pinned-actions": "yes"})


def test_sarif_ranks_security_rules() -> None:
    path = CASES / "vulnerable" / "issue-title-run.yml"
    result = analyze(path.read_text(encoding="utf-8"), _uri(path))
    log = json.loads(
        sarif([(path.name, f) for f in result.findings], [BY_ID[r] for r in (*SECURITY, "schema")])
    )
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    for rid in SECURITY:
        props = rules[rid]["properties"]
        assert "security" in props["tags"]
        assert 0.0 < float(props["security-severity"]) <= 10.0
    assert float(rules["script-injection"]["properties"]["security-severity"]) >= 9.0
    assert "properties" not in rules["schema"]
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["script-injection"]
