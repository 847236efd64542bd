"""Executed documentation: every rule's Bad and Good examples, as ``docs/rules.md`` shows them.

Each example is written to a file and analyzed as ``wfspec check`` would: the Bad example
yields that rule's finding, the Good one no error or warning of any rule (and nothing of the
rule itself). The examples are complete documents, so a reader can copy one and see the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wfspec.analysis.engine import analyze
from wfspec.analysis.render import rule_examples
from wfspec.analysis.rules import REGISTRY
from wfspec.analysis.rules.base import Rule
from wfspec.dialects.github import scripts
from wfspec.findings import Severity

#: rules that find something only when an outside tool is installed
NEEDS_TOOL = {
    "shellcheck": scripts.shellcheck_path() is not None,
    "pyflakes": scripts.pyflakes_available(),
}


def _example(rule: Rule, title: str) -> str:
    texts = [text for t, text in rule_examples(rule.doc) if t == title]
    assert len(texts) == 1, f"{rule.id}: {len(texts)} {title} examples in its docstring"
    return texts[0]


def _findings(rule: Rule, text: str, tmp_path: Path) -> list[tuple[str, Severity, str]]:
    if not NEEDS_TOOL.get(rule.id, True):
        pytest.skip(f"{rule.id} is not installed")
    path = tmp_path / "example.yaml"
    path.write_text(text, encoding="utf-8")
    result = analyze(path.read_bytes(), path.as_uri())
    assert result.dialect in rule.dialects or rule.id == "syntax", f"{rule.id}: read as {result.dialect}"
    return [(f.rule, f.severity, f.message) for f in result.findings]


def test_every_rule_has_a_bad_and_a_good_example() -> None:
    for rule in REGISTRY:
        assert [t for t, _ in rule_examples(rule.doc)] == ["Bad", "Good"], rule.id


@pytest.mark.parametrize("rule", REGISTRY, ids=lambda r: r.id)
def test_bad_example_yields_the_rule(rule: Rule, tmp_path: Path) -> None:
    found = _findings(rule, _example(rule, "Bad"), tmp_path)
    assert rule.id in {r for r, _, _ in found}, found


@pytest.mark.parametrize("rule", REGISTRY, ids=lambda r: r.id)
def test_good_example_is_clean(rule: Rule, tmp_path: Path) -> None:
    found = _findings(rule, _example(rule, "Good"), tmp_path)
    problems = [f for f in found if f[1] in (Severity.ERROR, Severity.WARNING) or f[0] == rule.id]
    assert problems == []
