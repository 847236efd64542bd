"""The generation metrics of ``benchmarks/llm_eval.py`` (no model involved): WorFBench's
f1_chain and f1_graph on small hand-made graphs with hand-computed answers, the label
similarity that stands in for sentence embeddings, workflow graphs read from documents, the
scoring of one result and the per-dialect table."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

from wfspec.analysis.engine import analyze

HARNESS = Path(__file__).resolve().parents[2] / "benchmarks" / "llm_eval.py"

FETCH, TOTAL, INVOICE = "call:http fetchOrder", "set computeTotal", "call:http sendInvoice"
FRAUD, CREDIT, DECIDE = "call:http screenFraud", "call:http scoreCredit", "set makeDecision"


@pytest.fixture(scope="module")
def h() -> ModuleType:
    spec = importlib.util.spec_from_file_location("llm_eval_metrics_under_test", HARNESS)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def chain(h: ModuleType, *labels: str):
    nodes = ["START", *labels, "END"]
    return h.WGraph(nodes, [(i, i + 1) for i in range(len(nodes) - 1)])


def test_label_similarity(h):
    assert h.label_similarity(FETCH, FETCH) == 1.0
    assert h.label_similarity("START", "START") == 1.0 and h.label_similarity("START", FETCH) == 0.0
    # same family (call), same name: a match
    assert h.label_similarity("call:http sendEmail", "call:a2a send-email") == pytest.approx(0.75)
    # another kind, same name: no match
    assert h.label_similarity("call:http sendEmail", "set sendEmail") == pytest.approx(0.5)
    # same kind, half the words: 0.5 + 0.5 * 2/4
    assert h.label_similarity("call:http sendEmail", "call:http sendInvoice") == pytest.approx(0.75)
    assert h.label_similarity(FRAUD, CREDIT) == pytest.approx(0.5)  # no shared word
    assert h.match_nodes([FRAUD, INVOICE], [INVOICE, FRAUD, CREDIT]) == {0: 1, 1: 0}
    assert h.match_nodes(["wait pause"], [FETCH]) == {0: -1}


def test_identical_chains_score_one(h):
    g = chain(h, FETCH, TOTAL, INVOICE)
    assert h.f1_chain(g, g) == 1.0 and h.f1_graph(g, g) == 1.0


def test_swapped_steps(h):
    gold = chain(h, FETCH, TOTAL, INVOICE)
    pred = chain(h, FETCH, INVOICE, TOTAL)
    # longest increasing chain of matched gold positions [0, 2, 1]: 2 of 3 on both sides
    assert h.f1_chain(pred, gold) == pytest.approx(2 / 3)
    # only START -> fetchOrder survives as an edge: a component of 2 of 5 nodes each side
    assert h.f1_graph(pred, gold) == pytest.approx(0.4)


def test_parallel_gold_accepts_either_order(h):
    # START -> screenFraud, START -> scoreCredit, both -> makeDecision -> END
    gold = h.WGraph(["START", FRAUD, CREDIT, DECIDE, "END"], [(0, 1), (0, 2), (1, 3), (2, 3), (3, 4)])
    assert sorted(h.gold_chains(gold)) == [[CREDIT, FRAUD, DECIDE], [FRAUD, CREDIT, DECIDE]]
    pred = chain(h, CREDIT, FRAUD, DECIDE)
    assert h.f1_chain(pred, gold) == 1.0
    # START-scoreCredit and screenFraud-makeDecision-END are gold edges, scoreCredit-screenFraud
    # is not: the largest component has 3 of 5 nodes
    assert h.f1_graph(pred, gold) == pytest.approx(0.6)


def test_an_extra_step(h):
    gold = chain(h, FETCH, TOTAL, INVOICE)
    pred = chain(h, FETCH, "wait pause", TOTAL, INVOICE)
    # chain 3: precision 3/4, recall 3/3
    assert h.f1_chain(pred, gold) == pytest.approx(6 / 7)
    # components {START, fetchOrder} and {computeTotal, sendInvoice, END}: 3 of 6 and 3 of 5
    assert h.f1_graph(pred, gold) == pytest.approx(2 * 0.5 * 0.6 / 1.1)


def test_nothing_matches(h):
    gold = chain(h, FETCH, TOTAL, INVOICE)
    pred = chain(h, "wait pause")
    assert h.f1_chain(pred, gold) == 0.0  # the published code would count a chain of one
    # START and END match but no edge joins them: a component of 1, of 3 and of 5 nodes
    assert h.f1_graph(pred, gold) == pytest.approx(2 * (1 / 3) * (1 / 5) / (1 / 3 + 1 / 5))
    assert h.f1_chain(h.WGraph(["START", "END"], [(0, 1)]), gold) == 0.0


def test_gold_orders_are_bounded(h):
    five = [f"set step{i}" for i in "abcde"]
    gold = h.WGraph(["START", *five, "END"], [(0, i) for i in range(1, 6)] + [(i, 6) for i in range(1, 6)])
    assert len(h.gold_chains(gold)) == 20  # of 120
    eight = [f"set step{i}" for i in "abcdefgh"]
    big = h.WGraph(["START", *eight, "END"], [(0, i) for i in range(1, 9)] + [(i, 9) for i in range(1, 9)])
    assert h.gold_chains(big) == [eight]  # 10 nodes or more: the node list itself


SW_LOOP = """\
document:
  dsl: '1.0.3'
  namespace: demo
  name: poll
  version: '1.0.0'
do:
  - pollBuild:
      call: http
      with:
        method: get
        endpoint: https://ci.example.com/api/jobs/1
  - isFinished:
      switch:
        - finished:
            when: ${ .state == "finished" }
            then: end
        - running:
            then: pause
  - pause:
      wait: PT30S
      then: pollBuild
"""

GH_NEEDS = """\
name: Pipeline
on: push
jobs:
  test:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: make test
  build:
    runs-on: ubuntu-latest
    steps:
      - name: Build it
        run: make build
"""


def test_workflow_graph_of_a_loop_drops_the_back_edge(h):
    g = h.workflow_graph(analyze(SW_LOOP))
    assert g.nodes == ["START", "call:http pollBuild", "switch isFinished", "wait pause", "END"]
    assert g.edges == [(0, 1), (1, 2), (2, 3), (3, 4)]


def test_workflow_graph_of_jobs_runs_a_needed_job_first(h):
    g = h.workflow_graph(analyze(GH_NEEDS, "untitled:ci.yml", dialect="github"))
    assert g.nodes == ["START", "job test", "run run: make test", "job build", "run Build it", "END"]
    # build -> test (test needs build), each job -> its step, the steps end the run
    assert g.edges == [(0, 3), (1, 2), (2, 5), (3, 1), (3, 4), (4, 5)]


def test_score_of_the_reference_itself_and_of_a_failure(h):
    case = next(c for c in h.generate_cases(None) if c.id == "sw-loop-poll-job")
    ok = SimpleNamespace(ok=True, document=case.reference, rounds=2, tokens=300, source="model", reason="")
    row = h.score(case, ok, 4.5)
    assert row.ok and row.valid and row.items == len(case.items) == 4
    assert (row.tree, row.f1_chain, row.f1_graph) == (1.0, 1.0, 1.0)
    assert (row.rounds, row.tokens, row.latency) == (2, 300, 4.5)
    failed = SimpleNamespace(
        ok=False, document="", rounds=3, tokens=900, source="", reason="no answer validated"
    )
    row = h.score(case, failed, 9.0)
    assert not row.ok and not row.valid and not row.fully
    assert (row.tree, row.f1_chain, row.f1_graph) == (0.0, 0.0, 0.0)
    assert row.covered in (0, None) and len(row.uncovered) == 4


def test_score_of_an_invalid_suggestion(h):
    case = next(c for c in h.generate_cases(None) if c.id == "sw-loop-poll-job")
    broken = case.reference.replace("then: pollBuild", "then: pollBiuld")
    row = h.score(
        case, SimpleNamespace(ok=True, document=broken, rounds=1, tokens=1, source="model", reason=""), 1
    )
    assert row.ok and not row.valid and not row.fully


def row(h, id_, dialect, *, valid, covered, items, latency, f1=1.0, source="model"):
    return h.GenRow(
        id_, dialect, valid, valid, source if valid else "", 1, 100, latency, items, covered, f1, f1, f1
    )


def test_table_per_dialect_and_overall(h):
    rows = [
        row(h, "a", "serverless", valid=True, covered=3, items=3, latency=1.0),
        row(h, "b", "serverless", valid=True, covered=1, items=2, latency=3.0, f1=0.5, source="intent"),
        row(h, "c", "serverless", valid=False, covered=0, items=2, latency=8.0, f1=0.0),
        row(h, "d", "github", valid=True, covered=2, items=2, latency=2.0),
    ]
    lines = h.generation_table(rows).splitlines()
    assert lines[0].startswith(
        "| dialect | requests | valid | intent items covered | fully matched | tree sim"
    )
    assert "| f1_chain | f1_graph |" in lines[0] and "| latency p50 s | latency p95 s |" in lines[0]
    assert lines[2] == (
        "| serverless | 3 | 2 (67%) | 4/7 (57%) | 1 (33%) | 0.50 | 0.50 | 0.50 | 1.00 | 100 | 3.0 | 8.0 "
        "| intent 1 · model 1 |"
    )
    assert lines[3].startswith("| github | 1 | 1 (100%) | 2/2 (100%) | 1 (100%) | 1.00 |")
    assert lines[4].startswith("| **all** | 4 | 3 (75%) | 6/9 (67%) | 2 (50%) | 0.62 |")
    unmeasured = [row(h, "e", "github", valid=True, covered=None, items=0, latency=1.0)]
    single = h.generation_table(unmeasured).splitlines()
    assert len(single) == 3 and single[2].startswith("| github | 1 | 1 (100%) | - | - |")


def test_percentile_nearest_rank(h):
    assert h.percentile([], 50) == 0.0
    assert h.percentile([5.0], 95) == 5.0
    xs = [float(i) for i in range(1, 21)]  # 1..20
    assert h.percentile(xs, 50) == 10.0 and h.percentile(xs, 95) == 19.0


def test_cases_filter_by_dialect_and_pattern(h):
    github = h.generate_cases(None, dialect="github")
    assert github and all(c.dialect == "github" and c.items for c in github)
    assert len(github) + len(h.generate_cases(None, dialect="serverless")) == len(h.generate_cases(None))
    picked = h.generate_cases(None, patterns=["sw-branch-*"])
    assert picked and all(c.id.startswith("sw-branch-") for c in picked)
    assert len(h.generate_cases(2, dialect="github")) == 2
