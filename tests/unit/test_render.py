"""render: plans to YAML that analyzes clean, for both dialects; lift reads them back."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfspec.analysis.engine import analyze
from wfspec.findings import Finding
from wfspec.llm.lift import lift
from wfspec.llm.plan import Case, Plan, Step
from wfspec.llm.render import (
    condition,
    duration,
    render_serverless_document,
    render_tasks,
)
from wfspec.syntax.parse import parse
from wfspec.syntax.tree import MapNode, SeqNode

SPECS = Path(__file__).resolve().parents[2] / "specs"


def problems(text: str, uri: str = "file:///generated.sw.yaml") -> list[Finding]:
    """Error and warning findings of ``text``."""
    return [f for f in analyze(text, uri).findings if f.severity <= 2]


def splice_tasks(spec: str, tasks: str, before: int | None = None) -> str:
    """``spec`` with ``tasks`` (items at indent 0) put into its top-level ``do:`` list, before
    item ``before`` (None: after the last one)."""
    root = parse(spec).root
    assert isinstance(root, MapNode)
    do = root.get("do")
    assert isinstance(do, SeqNode)
    lines = spec.splitlines(keepends=True)
    indent = do.items[0].span.start.character - 2
    block = "".join(" " * indent + ln if ln.strip() else ln for ln in tasks.splitlines(keepends=True))
    if before is None:
        return spec.rstrip("\n") + "\n" + block
    at = do.items[before].span.start.line
    while at > 0 and lines[at - 1].lstrip().startswith("#"):
        at -= 1
    return "".join(lines[:at]) + block + "".join(lines[at:])


def task_names(text: str) -> list[str]:
    root = parse(text).root
    if isinstance(root, MapNode):
        root = root.get("do")
    assert isinstance(root, SeqNode)
    return [k.value for item in root.items if isinstance(item, MapNode) for k, _ in item.items()]


EVERYTHING = Plan(
    steps=[
        Step("agent", "classify ticket", "triage"),
        Step(
            "branch",
            "route ticket",
            cases=[
                Case("billing issues", [Step("agent", "ask billing", "billing")]),
                Case(
                    "the amount is over 500",
                    [Step("http", "notify finance"), Step("emit", "announce", "com.example.big")],
                ),
                Case("", [Step("agent", "", "general")]),
            ],
        ),
        Step(
            "foreach",
            "scan attachments",
            each="attachment",
            of="attachments",
            steps=[Step("mcp", "scan", "virus/scan_file"), Step("wait", "pause", "5 seconds")],
        ),
        Step(
            "loop",
            "review",
            until="approved",
            steps=[Step("agent", "draft", "writer"), Step("agent", "review", "reviewer")],
        ),
        Step(
            "parallel",
            "fan out",
            branches=[
                [Step("http", "lookup", "https://x.example.com/a")],
                [Step("shell", "b", "echo hi"), Step("script", "c")],
            ],
        ),
        Step(
            "try",
            "charge",
            retry=3,
            backoff="linear",
            steps=[Step("http", "charge card")],
            catch=[Step("http", "use backup"), Step("raise", "fail", "payment failed")],
        ),
        Step("listen", "wait for done", "com.example.done"),
        Step("container", "build", "alpine:3"),
        Step("workflow", "kyc check", "kyc"),
        Step("set", "done", args={"ok": True}),
        Step("function", "send mail", "sendMail"),
    ],
    schedule="0 9 * * 1-5",
    timeout="P2D",
)


def test_whole_document_with_every_kind_is_clean() -> None:
    text = render_serverless_document(EVERYTHING, "Route billing issues and more")
    assert problems(text) == []
    assert 'cron: "0 9 * * 1-5"' in text
    assert "after: P2D" in text
    assert "name: route-billing-issues-more" in text


@pytest.mark.parametrize("before", [None, 1, 5])
def test_tasks_inserted_into_support_triage_are_clean(before: int | None) -> None:
    spec = (SPECS / "serverless" / "support-triage-a2a.yaml").read_text(encoding="utf-8")
    names = task_names(spec)
    after = names[before] if before is not None else None
    tasks = render_tasks(EVERYTHING, taken=names, after=after)
    new = task_names(tasks)
    assert not {n.lower() for n in new} & {n.lower() for n in names}
    assert problems(splice_tasks(spec, tasks, before)) == []


def test_demo_request_is_a_switch_with_a_billing_case_and_a_default() -> None:
    plan = Plan(
        steps=[
            Step(
                "branch",
                "route ticket",
                cases=[
                    Case("billing issues", [Step("agent", "ask billing agent", "billing")]),
                    Case("", [Step("agent", "ask general agent", "general")]),
                ],
            )
        ]
    )
    text = render_tasks(plan, agents={"billing": "https://agents.acme.test/billing/card.json"})
    assert text.startswith("- routeTicket:\n    switch:\n")
    assert "when: '${ .category == \"billing\" }'" in text
    assert "endpoint: https://agents.acme.test/billing/card.json" in text
    lifted = lift(text, "serverless").steps
    assert [s.kind for s in lifted] == ["branch"]
    assert [(c.when, [s.target for s in c.steps]) for c in lifted[0].cases] == [
        ('.category == "billing"', ["https://agents.acme.test/billing/card.json"]),
        ("", ["general"]),
    ]


def test_names_never_reuse_taken_ones_or_directives() -> None:
    plan = Plan(
        steps=[
            Step("set", "Route Ticket"),
            Step("set", "end"),
            Step("set", "exit"),
            Step("set", "Überprüfen"),
        ]
    )
    text = render_tasks(plan, taken=["routeTicket", "ROUTETICKET2"])
    assert task_names(text) == ["routeTicket3", "endTask", "exitTask", "uberprufen"]


def test_function_steps_call_declared_functions_only() -> None:
    plan = Plan(steps=[Step("function", "mail", "sendMail"), Step("function", "other", "unknownFn")])
    text = render_tasks(plan, functions=["sendMail"])
    assert "call: sendMail" in text
    assert "unknownFn" not in text.split("other:")[1].split("endpoint")[0]
    assert "call: http" in text


@pytest.mark.parametrize(
    ("phrase", "expr"),
    [
        ("the amount is over 500", ".amount > 500"),
        ("if the total is under 100", ".total < 100"),
        ("the score is at least 3", ".score >= 3"),
        ("billing issues", '.category == "billing"'),
        ("technical questions", '.category == "technical"'),
        ("the status is done", '.status == "done"'),
        ("the site is down", '.site == "down"'),
        ("it answers yes", ".answersYes"),
        ("approved", ".approved"),
        ("${ .x > 1 }", ".x > 1"),
        (".ready", ".ready"),
        ("not", ".notValue"),
    ],
)
def test_condition_phrases_become_jq(phrase: str, expr: str) -> None:
    assert condition(phrase) == expr


@pytest.mark.parametrize(
    ("phrase", "iso"),
    [("PT5M", "PT5M"), ("an hour", "PT1H"), ("2 days", "P2D"), ("15 minutes", "PT15M"), ("soon", "PT1M")],
)
def test_durations(phrase: str, iso: str) -> None:
    assert duration(phrase) == iso
