"""The evaluation sets of ``benchmarks/llm_eval.py`` (no model involved): the repair set, faulty
specs made by mutating the clean specs of both dialects, each with the finding it should clear;
the legacy generation set, requests with clean reference specs of both dialects, with and without
../shared/corpora. The generation set and its metrics: test_generate_set.py and
test_generate_metrics.py."""

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


# -- legacy generation set ------------------------------------------------------------------


def test_legacy_set_covers_both_dialects(harness):
    items = harness.legacy_entries()
    assert len(items) >= 40
    assert len({it["id"] for it in items}) == len(items)
    local = [it for it in items if not it["reference"].startswith("corpus:")]
    for it in local:  # the project's own references always resolve
        assert harness._resolve(it["reference"]) is not None, it["id"]
    cases = {c.id: c for c in harness.legacy_cases(None)}
    ci = [c for c in cases.values() if c.dialect == "github"]
    assert len([c for c in ci if not c.shared]) >= 8  # CI pipeline requests without ../shared
    for c in cases.values():
        assert c.items is None and c.path is not None, c.id
        a = analyze(c.reference, c.path.resolve().as_uri())
        assert a.dialect == c.dialect, c.id
        # clean references only; upstream corpus files may carry warnings (an outdated action)
        assert not [f for f in a.findings if f.severity <= (1 if c.shared else 2)], c.id
        assert c.request.strip() and len(c.request.split()) >= 3, c.id


def test_legacy_without_shared_corpora_keeps_the_local_cases(harness, monkeypatch, tmp_path):
    monkeypatch.setattr(harness, "CORPORA", tmp_path / "missing")
    items = harness.legacy_entries()
    cases = harness.legacy_cases(None)
    assert len(cases) == sum(not it["reference"].startswith("corpus:") for it in items)
    assert {c.dialect for c in cases} == {"serverless", "github"} and not any(c.shared for c in cases)
    summary = harness.generation_summary(cases)
    assert f"| **all** | {len(cases)} | 0 | {len(cases)} | 0 |" in summary


def test_legacy_filters(harness):
    github = harness.legacy_cases(None, dialect="github")
    assert github and all(c.dialect == "github" for c in github)
    picked = harness.legacy_cases(None, patterns=["release", "ci-*"])
    assert [c.id for c in picked] == ["ci-matrix", "release"]
    assert len(harness.legacy_cases(2, dialect="github")) == 2


def test_similarity_labels_github_jobs_and_steps(harness):
    case = next(c for c in harness.legacy_cases(None, dialect="github") if c.id == "release")
    a = analyze(case.reference, case.path.resolve().as_uri())
    kinds = Counter(label.split(" ")[0] for label in harness.workflow_graph(a).nodes)
    assert kinds["job"] == 4 and kinds["uses:actions/download-artifact"] == 2 and kinds["run"] >= 4
    assert harness.tree_similarity(a, a) == 1.0
