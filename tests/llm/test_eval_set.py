"""The repair evaluation set of ``benchmarks/llm_eval.py``: faulty specs made by mutating the
clean specs of both dialects, each with the finding it should clear (no model involved)."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from wfspec.analysis.engine import analyze
from wfspec.llm.repair import candidates_for
from wfspec.llm.validate import check_repair

HARNESS = Path(__file__).resolve().parents[2] / "benchmarks" / "llm_eval.py"


@pytest.fixture(scope="module")
def harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("llm_eval_under_test", HARNESS)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while the class is built
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def cases(harness):
    return harness.repair_cases(None)


def test_enough_cases_across_rules_and_both_dialects(cases):
    per_dialect = Counter(c.dialect for c in cases)
    assert len(cases) >= 60
    assert per_dialect["serverless"] >= 25 and per_dialect["github"] >= 25
    github_rules = {c.rule for c in cases if c.dialect == "github"}
    assert {"unknown-target", "undefined-reference", "cycle", "duplicate-id"} <= github_rules
    assert len({c.rule for c in cases if c.dialect == "serverless"}) >= 4
    assert len({c.id for c in cases}) == len(cases)


def test_every_case_carries_its_finding(cases):
    for c in cases:
        clean = analyze(c.original, c.uri)
        faulty = analyze(c.text, c.uri)
        assert clean.dialect == faulty.dialect == c.dialect, c.id
        assert not clean.findings, c.id  # mutated from a clean spec
        assert not faulty.doc.has_syntax_error, c.id
        assert sum(f.rule == c.rule for f in faulty.findings) > sum(
            f.rule == c.rule for f in clean.findings
        ), c.id


def test_github_cases_have_a_validated_candidate(cases):
    """The analyzer computes a fix that clears the target of every GitHub case; the model only
    has to choose it."""
    missing = []
    for c in cases:
        if c.dialect != "github":
            continue
        a = analyze(c.text, c.uri)
        target = next(f for f in a.findings if f.rule == c.rule)
        if not any(check_repair(a, x.edits, target).ok for x in candidates_for(a, target)):
            missing.append(c.id)
    assert missing == []


def test_dialect_and_pattern_filters(harness, cases):
    github = harness.repair_cases(None, dialect="github")
    assert github and all(c.dialect == "github" for c in github)
    assert len(github) + len(harness.repair_cases(None, dialect="serverless")) == len(cases)
    picked = harness.repair_cases(None, patterns=["release:*", "*:needs-cycle-*"])
    assert picked and all(c.id.startswith("release:") or ":needs-cycle-" in c.id for c in picked)
    assert len(harness.repair_cases(3, dialect="github")) == 3


def test_tables_report_per_dialect_and_rule(harness, cases):
    summary = harness.case_summary(cases)
    assert "| rule | serverless | github | all |" in summary
    assert f"| **all** | {sum(c.dialect == 'serverless' for c in cases)} |" in summary
    rows = [
        harness.RepairRow(c.id, c.dialect, c.rule, True, True, False, 1, 1, 10, 0.1, "analyzer", "")
        for c in cases[:3] + cases[-3:]
    ]
    table = harness.repair_table(rows)
    assert "| dialect | rule |" in table.splitlines()[0]
    assert any(line.startswith("| github | ") for line in table.splitlines())
    assert any(line.startswith("| serverless | ") for line in table.splitlines())
    assert table.splitlines()[-1].startswith("| **all** |  | 6 |")
