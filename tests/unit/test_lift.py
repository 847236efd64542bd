"""lift: YAML back to a plan, on hand-written specs, on rendered plans and on junk."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from wfspec.analysis.engine import analyze
from wfspec.llm.lift import lift
from wfspec.llm.plan import Plan, Step

SPECS = Path(__file__).resolve().parents[2] / "specs"
FILES = sorted(p for p in SPECS.rglob("*") if p.suffix in (".yaml", ".yml"))


def _dialect(path: Path) -> str:
    return "github" if "github" in path.parts else "serverless"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SPECS)))
def test_lift_finds_the_control_flow_of_every_spec(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    plan = lift(text, _dialect(path))
    kinds = Counter(s.kind for s in plan.walk())
    wf = analyze(text, path.as_uri()).workflow
    if _dialect(path) == "github":
        if wf is not None and not any(f.rule == "syntax" for f in analyze(text, path.as_uri()).findings):
            assert len(plan.jobs) == sum(1 for n in wf.nodes.values() if n.kind == "job")
        return
    ir = Counter(n.kind for n in wf.nodes.values()) if wf is not None else Counter()
    assert kinds["foreach"] == ir["for"]
    assert kinds["parallel"] == ir["fork"]
    assert kinds["try"] == ir["try"]
    # a switch that only goes back is lifted as the loop it makes
    assert kinds["branch"] <= ir["switch"] <= kinds["branch"] + kinds["loop"]


def _spec(name: str) -> str:
    return (SPECS / "serverless" / name).read_text(encoding="utf-8")


def test_switch_cases_collect_the_tasks_until_the_flow_rejoins() -> None:
    plan = lift(_spec("support-triage-a2a.yaml"), "serverless")
    assert [s.kind for s in plan.steps] == ["agent", "branch", "http"]
    classify, route, reply = plan.steps
    assert classify.target == "triage"
    assert [c.when for c in route.cases] == ['.category == "billing"', '.category == "technical"', ""]
    assert [[s.name for s in c.steps] for c in route.cases] == [
        ["askBillingAgent"],
        ["askTechnicalAgent"],
        ["askGeneralAgent"],
    ]
    assert route.cases[1].steps[0].target == "https://agents.example.com/technical/a2a"
    assert reply.name == "postReply"


def test_back_edge_is_a_loop_with_until() -> None:
    plan = lift(_spec("scheduled-sales-report.yaml"), "serverless")
    assert plan.schedule == "0 6 * * 1"
    assert plan.timeout == "PT2H"
    kinds = [s.kind for s in plan.steps]
    assert kinds[:2] == ["http", "wait"]
    loop = plan.steps[2]
    assert loop.kind == "loop"
    assert [s.name for s in loop.steps][:2] == ["checkExport", "evaluateExport"]


def test_try_with_named_and_inline_retry_and_catch_steps() -> None:
    plan = lift(_spec("order-fulfilment.yaml"), "serverless")
    tries = [s for s in plan.walk() if s.kind == "try"]
    assert [(t.retry, t.backoff) for t in tries] == [(4, "exponential"), (3, "linear")]
    assert [s.kind for s in tries[1].catch] == ["emit", "set"]
    assert tries[1].catch[0].target == "com.example.commerce.payment.failed.v1"


def test_for_fork_and_actions() -> None:
    plan = lift(_spec("invoice-batch-for.yaml"), "serverless")
    loop = plan.steps[0]
    assert (loop.kind, loop.each, loop.of) == ("foreach", "invoice", ".invoices")
    # the credit note case leaves the iteration (then: exit): what follows is the other case's
    assert [s.kind for s in loop.steps] == ["branch"]
    assert [[s.kind for s in c.steps] for c in loop.steps[0].cases] == [["set"], ["http", "emit"]]
    fork = lift(_spec("lead-enrichment-fork.yaml"), "serverless").steps[0]
    assert fork.kind == "parallel" and len(fork.branches) == 3
    backup = lift(_spec("nightly-backup-run.yaml"), "serverless")
    assert [s.kind for s in backup.walk()][:3] == ["container", "script", "branch"]
    assert backup.steps[0].target == "postgres:16-alpine"
    mcp = lift(_spec("document-pipeline-mcp.yaml"), "serverless")
    assert [s.target for s in mcp.walk() if s.kind == "mcp"][:2] == [
        "${ .documentUri }",
        "convert_to_markdown",
    ]


def test_github_triggers_jobs_and_steps() -> None:
    text = """\
name: ci
on:
  push:
    branches: [main]
    tags: ['v*']
  pull_request:
    types: [opened, synchronize]
    paths: ['src/**']
  schedule:
    - cron: '0 3 * * *'
  workflow_dispatch:
    inputs:
      version:
        type: string
      dry:
        type: boolean
jobs:
  test:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
        node: [18, 20]
    outputs:
      result: ${{ steps.run.outputs.result }}
    steps:
      - uses: actions/checkout@v4
      - name: Test
        id: run
        if: github.event_name == 'push'
        run: npm test
  deploy:
    needs: test
    if: github.ref == 'refs/heads/main'
    environment: production
    permissions:
      contents: read
      id-token: write
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-node@v4
        with:
          node-version: 20
"""
    plan = lift(text, "github")
    push, pr, schedule, dispatch = plan.triggers
    assert (push.event, push.branches, push.tags) == ("push", ["main"], ["v*"])
    assert (pr.types, pr.paths) == (["opened", "synchronize"], ["src/**"])
    assert schedule.cron == "0 3 * * *"
    assert dispatch.inputs == {"version": "string", "dry": "boolean"}
    test, deploy = plan.jobs
    assert test.matrix == {"os": ["ubuntu-latest", "windows-latest"], "node": ["18", "20"]}
    assert test.outputs == {"result": "${{ steps.run.outputs.result }}"}
    assert [(s.kind, s.target, s.when) for s in test.steps] == [
        ("action", "actions/checkout@v4", ""),
        ("shell", "npm test", "github.event_name == 'push'"),
    ]
    assert (deploy.needs, deploy.environment, deploy.permissions["id-token"]) == (
        ["test"],
        "production",
        "write",
    )
    assert deploy.steps[0].args == {"node-version": 20}
    assert [t.event for t in lift("on: push\njobs: {}\n", "github").triggers] == ["push"]
    assert [t.event for t in lift("on: [push, release]\njobs: {}\n", "github").triggers] == [
        "push",
        "release",
    ]
    bare = lift("build:\n  runs-on: ubuntu-latest\n  steps:\n    - run: make\n", "github")
    assert [j.id for j in bare.jobs] == ["build"]


def test_bare_task_list() -> None:
    plan = lift(
        "- a:\n    wait: PT1M\n- b:\n    emit:\n      event:\n        with:\n          type: x.y\n",
        "serverless",
    )
    assert [(s.kind, s.target) for s in plan.steps] == [("wait", "PT1M"), ("emit", "x.y")]


JUNK = [
    "",
    "\x00\x01",
    "- [",
    "do: {",
    "key: 'unclosed",
    "do: 5",
    "do:\n  - a: 1\n  - b: [1, 2]\n  - c:\n      switch: 3\n",
    "do:\n  - a:\n      switch:\n        - x:\n            then: a\n",
    "do:\n  - a:\n      then: a\n",
    "jobs: [1, 2]",
    "on: {push: 3}\njobs:\n  x: 5\n",
    "a: &a [*a]\n",
    "a: &a [1]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: &d [*c, *c, *c, *c]\ne: [*d, *d, *d, *d]\n",
    "do:\n  - a: &t\n      do:\n        - b: *t\n",
    "do:\n" + "".join(f"  - t{i}:\n      then: t{(i * 7) % 50}\n" for i in range(50)),
    "do:\n  - t:\n      try: 1\n      catch:\n        retry: {limit: 3}\n",
    "do:\n  - t:\n      for: 3\n      do: x\n  - u:\n      fork: {branches: 7}\n",
    "\ufeff" + "do:\n  - t:\n      call: a2a\n      with: 5\n",
]


@pytest.mark.parametrize("text", JUNK)
@pytest.mark.parametrize("dialect", ["serverless", "github"])
def test_junk_never_raises(text: str, dialect: str) -> None:
    plan = lift(text, dialect)
    assert isinstance(plan, Plan)
    for step in plan.walk():
        assert isinstance(step, Step)


def _aliases(levels: int) -> str:
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, levels)]
    return "\n".join(lines) + f"\ndo:\n  - t:\n      set:\n        v: *a{levels - 1}\n"


def test_aliases_are_shared_and_bombs_give_an_empty_plan() -> None:
    plan = lift(_aliases(9), "serverless")
    assert [s.kind for s in plan.steps] == ["set"]
    assert lift(_aliases(30), "serverless") == Plan()


def test_a_task_timeout_and_a_case_that_names_the_next_task() -> None:
    """A task's own ``timeout`` is read, and a case that jumps to the next task while the other
    case ends the workflow owns that task."""
    from wfspec.llm.lift import lift

    text = (
        'document:\n  dsl: "1.0.3"\n  namespace: t\n  name: t\n  version: "1.0.0"\n'
        "do:\n"
        "  - check:\n      call: http\n      with:\n        method: get\n        endpoint: https://x.example.com\n"
        "      timeout:\n        after:\n          minutes: 10\n"
        "  - decide:\n      switch:\n"
        "        - high:\n            when: '${ .depth > 1000 }'\n            then: alert\n"
        "        - fine:\n            then: end\n"
        "  - alert:\n      emit:\n        event:\n          with:\n            source: https://x.example.com\n            type: q.high\n"
    )
    check, decide = lift(text, "serverless").steps
    assert check.args.get("timeout") == "PT10M"
    assert [[s.name for s in c.steps] for c in decide.cases] == [["alert"], []]
