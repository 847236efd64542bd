"""render: plans to YAML that analyzes clean, for both dialects; lift reads them back."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from wfspec.analysis.engine import analyze
from wfspec.findings import Finding
from wfspec.llm.lift import lift
from wfspec.llm.plan import Case, Job, Plan, Step, Trigger
from wfspec.llm.render import (
    collection,
    condition,
    duration,
    reachable,
    render_github_jobs,
    render_github_workflow,
    render_serverless_document,
    render_tasks,
    terminates,
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


# -- property: random plans render clean and lift back to the same structure ------------------

NAMES = st.one_of(
    st.text(max_size=24),
    st.sampled_from(
        [
            "end",
            "exit",
            "continue",
            "do",
            "switch",
            "then",
            "not",
            "true",
            "null",
            "on",
            "yes",
            "route ticket",
            "Route Ticket",
            "classifyTicket",
            "postReply",
            "askBillingAgent",
            "Überprüfe die Rechnung",
            "请求审批",
            "emoji 🎉 step",
            "tab\tand\nnewline",
            "${ .x }",
            "'quoted' \"both\"",
            "#comment",
            "- dash",
            "key: value",
        ]
    ),
)
WHENS = st.one_of(
    st.sampled_from(
        [
            "the amount is over 500",
            "the total is under 100",
            "billing issues",
            "technical questions",
            "the site is down",
            "the status is not done",
            "it answers yes",
            "approved",
            "${ .x > 1 }",
            "if the score is at least 3",
            "end",
            "not",
        ]
    ),
    st.text(min_size=1, max_size=30).filter(str.strip),
)
URLS = st.sampled_from(
    ["https://api.acme.test/v1/tickets", "https://status.example.com/", "http://localhost:8080/hook"]
)
TARGETS: dict[str, st.SearchStrategy[str]] = {
    "agent": st.one_of(
        st.sampled_from(["billing", "general", "triage-bot"]), st.just("https://agents.acme.test/x/card.json")
    ),
    "mcp": st.sampled_from(["scan_file", "index_document", "search"]),
    "http": URLS,
    "function": st.sampled_from(["sendMail", "lookupCustomer"]),
    "shell": st.text(min_size=1, max_size=40).filter(str.strip),
    "script": st.text(min_size=1, max_size=40).filter(str.strip),
    "container": st.sampled_from(["alpine:3", "postgres:16-alpine", "ghcr.io/acme/tool:1.2"]),
    "workflow": st.sampled_from(["kyc", "send-invoice"]),
    "set": st.just(""),
    "wait": st.sampled_from(["PT5M", "PT1H", "P2D", "PT30S"]),
    "listen": st.sampled_from(["com.example.order.paid", "io.acme.signup.v1"]),
    "emit": st.sampled_from(["com.example.order.shipped", "io.acme.done"]),
    "raise": st.sampled_from(["payment failed", "Out of stock"]),
}
SW_ACTIONS = sorted(TARGETS)


@st.composite
def action_steps(draw: st.DrawFn) -> Step:
    kind = draw(st.sampled_from(SW_ACTIONS))
    target = draw(st.one_of(st.just(""), TARGETS[kind])) if kind != "function" else draw(TARGETS[kind])
    args = (
        draw(
            st.dictionaries(
                st.text(max_size=8), st.one_of(st.text(max_size=12), st.integers(), st.booleans()), max_size=2
            )
        )
        if kind == "set"
        else {}
    )
    return Step(kind, draw(NAMES), target, args=args, when=draw(st.one_of(st.just(""), WHENS)))


def steps_of(depth: int) -> st.SearchStrategy[list[Step]]:
    return st.lists(step_of(depth), min_size=1, max_size=3)


def step_of(depth: int) -> st.SearchStrategy[Step]:
    if depth <= 0:
        return action_steps()
    inner = st.deferred(lambda: steps_of(depth - 1))
    cases = st.lists(
        st.builds(Case, st.one_of(WHENS, st.just("")), st.one_of(st.just([]), inner)), min_size=1, max_size=3
    )
    return st.one_of(
        action_steps(),
        st.builds(Step, st.just("branch"), NAMES, cases=cases),
        st.builds(Step, st.just("foreach"), NAMES, steps=inner, each=NAMES, of=st.one_of(st.just(""), WHENS)),
        st.builds(Step, st.just("loop"), NAMES, steps=inner, until=st.one_of(st.just(""), WHENS)),
        st.builds(Step, st.just("parallel"), NAMES, branches=st.lists(inner, min_size=2, max_size=3)),
        st.builds(
            Step,
            st.just("try"),
            NAMES,
            steps=inner,
            retry=st.integers(0, 6),
            backoff=st.sampled_from(["", "exponential", "linear", "constant", "junk"]),
            catch=st.one_of(st.just([]), inner),
        ),
    )


SW_PLANS = st.builds(
    Plan,
    steps=steps_of(3),
    schedule=st.sampled_from(["", "0 9 * * 1-5", "*/15 * * * *", "not a cron"]),
    timeout=st.sampled_from(["", "P2D", "PT1H"]),
)


def canonical(steps: list[Step]) -> list[Step]:
    """The plan as it is rendered: cases with a condition first, then the first default (a
    branch without one gets an empty default: it goes on, and lift reads that as a case that
    does nothing); what follows a step that ends the flow left out (:func:`reachable`)."""
    out = []
    for s in reachable(steps):
        cases = [c for c in s.cases if c.when.strip()]
        default = next((c for c in s.cases if not c.when.strip()), None)
        if s.kind == "branch":
            cases.append(default or Case("", []))
        out.append(
            replace(
                s,
                steps=canonical(s.steps),
                cases=[Case(c.when, canonical(c.steps)) for c in cases],
                branches=[canonical(b) for b in s.branches if b],
                catch=canonical(s.catch),
            )
        )
    return out


def shape(steps: list[Step]) -> list[Any]:
    """What render and lift must agree on: kinds, nesting, cases, targets and conditions."""
    out: list[Any] = []
    for s in steps:
        if s.kind == "branch":
            out.append(
                ("branch", [(condition(c.when) if c.when.strip() else "", shape(c.steps)) for c in s.cases])
            )
        elif s.kind == "foreach":
            out.append(("foreach", collection(s.of) if s.of else ".items", shape(s.steps)))
        elif s.kind == "loop":
            out.append(("loop", condition(s.until) if s.until.strip() else ".done", shape(s.steps)))
        elif s.kind == "parallel":
            out.append(("parallel", [shape(b) for b in s.branches]))
        elif s.kind == "try":
            out.append(("try", min(s.retry, 100), shape(s.steps), shape(s.catch)))
        else:
            out.append((s.kind, s.target, condition(s.when) if s.when else ""))
    return out


def lifted_shape(steps: list[Step]) -> list[Any]:
    """:func:`shape` of a lifted plan, whose targets are what the YAML names."""
    out: list[Any] = []
    for s in steps:
        if s.kind == "branch":
            out.append(("branch", [(c.when, lifted_shape(c.steps)) for c in s.cases]))
        elif s.kind == "foreach":
            out.append(("foreach", s.of, lifted_shape(s.steps)))
        elif s.kind == "loop":
            out.append(("loop", s.until, lifted_shape(s.steps)))
        elif s.kind == "parallel":
            out.append(("parallel", [lifted_shape(b) for b in s.branches]))
        elif s.kind == "try":
            out.append(("try", s.retry, lifted_shape(s.steps), lifted_shape(s.catch)))
        else:
            out.append((s.kind, s.target, s.when))
    return out


def expected_target(s: Step, lifted: Step) -> str:
    """The target a rendered action must lift to (empty targets get a made-up one)."""
    if not s.target:
        return lifted.target
    if s.kind == "agent":
        return s.target
    if s.kind == "wait":
        return duration(s.target)
    return s.target


def normalize_targets(plan_steps: list[Step], lifted_steps: list[Step]) -> None:
    """Fill the targets of empty-target actions of ``plan_steps`` from the lifted plan, pairing
    steps in walk order (only when the kinds line up; a mismatch shows up in the shapes)."""
    from wfspec.llm.plan import walk

    for s, t in zip(walk(plan_steps), walk(lifted_steps), strict=False):
        if s.kind == t.kind and s.kind not in ("branch", "foreach", "loop", "parallel", "try"):
            s.target = expected_target(s, t)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=SW_PLANS, request=st.text(max_size=30))
def test_random_serverless_plans_render_clean_and_lift_back(plan: Plan, request: str) -> None:
    text = render_serverless_document(plan, request)
    assert problems(text) == [], text
    lifted = lift(text, "serverless")
    steps = canonical(plan.steps)
    normalize_targets(steps, lifted.steps)
    assert lifted_shape(lifted.steps) == shape(steps), text
    assert lifted.schedule == ("" if plan.schedule == "not a cron" else plan.schedule)


TRIAGE = (SPECS / "serverless" / "support-triage-a2a.yaml").read_text(encoding="utf-8")
TRIAGE_NAMES = task_names(TRIAGE)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# after each of these the flow falls through to the next task (3 and 4 jump to postReply)
@given(plan=SW_PLANS, before=st.sampled_from([None, 0, 1, 5]))
def test_random_serverless_tasks_inserted_into_a_spec_are_clean(plan: Plan, before: int | None) -> None:
    # tasks that always end the flow leave the task after them unreachable when only the flow
    # reaches it: the analyzer says so, as it should
    assume(before is None or not terminates(plan.steps))
    after = TRIAGE_NAMES[before] if before is not None else None
    tasks = render_tasks(plan, taken=TRIAGE_NAMES, after=after)
    assert not {n.lower() for n in task_names(tasks)} & {n.lower() for n in TRIAGE_NAMES}
    text = splice_tasks(TRIAGE, tasks, before)
    assert problems(text) == [], text


# -- GitHub Actions --------------------------------------------------------------------------

GH_ACTIONS = st.sampled_from(
    [
        "actions/checkout",
        "actions/checkout@v4",
        "actions/setup-node@v4",
        "actions/setup-python",
        "actions/upload-artifact@v4",
        "docker/login-action@v3",
        "docker/build-push-action",
        "codecov/codecov-action@v5",
        "aws-actions/configure-aws-credentials",
    ]
)
GH_ARGS = st.dictionaries(
    st.sampled_from(["node-version", "python-version", "path", "name", "token", "fetch-depth", "junk key"]),
    st.one_of(
        st.text(max_size=12),
        st.integers(0, 5),
        st.just("${{ matrix.node }}"),
        st.just("${{ github.head_ref }}"),
    ),
    max_size=2,
)


# commands a person would write (what a command says is shellcheck's to judge, not the renderer's)
GH_COMMANDS = st.sampled_from(
    [
        "npm test",
        "make build",
        "pytest -q",
        "echo finished",
        "echo ${{ github.event.issue.title }}",
        "echo ${{ matrix.node }}",
        "echo ${{ secrets.TOKEN }}",
        "./deploy.sh --env ${{ inputs.env }}",
    ]
)


@st.composite
def gh_steps(draw: st.DrawFn) -> Step:
    if draw(st.booleans()):
        return Step(
            "action",
            draw(NAMES),
            draw(GH_ACTIONS),
            args=draw(GH_ARGS),
            when=draw(st.sampled_from(["", "success()", "github.event_name == 'push'", "the tests failed"])),
        )
    return Step(
        "shell",
        draw(NAMES),
        draw(GH_COMMANDS),
    )


@st.composite
def gh_plans(draw: st.DrawFn) -> Plan:
    ids = draw(st.lists(NAMES, min_size=1, max_size=4))
    jobs = []
    for i, jid in enumerate(ids):
        jobs.append(
            Job(
                jid,
                name=draw(st.one_of(st.just(""), NAMES)),
                runs_on=draw(
                    st.sampled_from(["ubuntu-latest", "windows-latest", "macos-latest", "my runner!"])
                ),
                needs=draw(st.lists(st.sampled_from([*ids[:i], "lint", "nope"]), max_size=2)),
                when=draw(
                    st.sampled_from(["", "github.ref == 'refs/heads/main'", "always()", "nightly only"])
                ),
                matrix=draw(
                    st.dictionaries(
                        st.sampled_from(["os", "node", "python", "weird key!"]),
                        st.lists(
                            st.sampled_from(["18", "20", "ubuntu-latest", "3.12"]), min_size=1, max_size=3
                        ),
                        max_size=2,
                    )
                ),
                environment=draw(st.sampled_from(["", "production", "Staging Env"])),
                permissions=draw(
                    st.dictionaries(
                        st.sampled_from(["contents", "id-token", "issues", "bogus"]),
                        st.sampled_from(["read", "write", "none", "all"]),
                        max_size=2,
                    )
                ),
                outputs=draw(
                    st.dictionaries(st.sampled_from(["version", "image-tag", "x y"]), st.just(""), max_size=2)
                ),
                steps=draw(st.lists(gh_steps(), max_size=4)),
            )
        )
    triggers = draw(
        st.lists(
            st.one_of(
                st.builds(
                    Trigger,
                    st.sampled_from(["push", "pull_request"]),
                    branches=st.lists(st.sampled_from(["main", "release/**", "v*"]), max_size=2),
                    tags=st.lists(st.just("v*"), max_size=1),
                    paths=st.lists(st.sampled_from(["src/**", "docs/*.md"]), max_size=2),
                    types=st.lists(st.sampled_from(["opened", "synchronize"]), max_size=2),
                ),
                st.builds(
                    Trigger,
                    st.just("schedule"),
                    cron=st.sampled_from(["0 3 * * *", "*/15 * * * 1-5", "junk"]),
                ),
                st.builds(
                    Trigger,
                    st.just("workflow_dispatch"),
                    inputs=st.dictionaries(
                        NAMES,
                        st.sampled_from(["string", "boolean", "choice", "number", "environment", "junk"]),
                        max_size=3,
                    ),
                ),
                st.builds(
                    Trigger,
                    st.sampled_from(["release", "issues"]),
                    types=st.lists(st.sampled_from(["published", "opened"]), max_size=1),
                ),
            ),
            max_size=3,
        )
    )
    return Plan(triggers=triggers, jobs=jobs)


def gh_problems(text: str) -> list[Finding]:
    return problems(text, "file:///repo/.github/workflows/generated.yml")


CI = (SPECS / "github" / "ci-matrix.yml").read_text(encoding="utf-8")
CI_JOBS = ["lint", "test", "coverage"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=gh_plans(), request=st.text(max_size=30))
def test_random_github_plans_render_clean_and_lift_back(plan: Plan, request: str) -> None:
    text = render_github_workflow(plan, request)
    assert gh_problems(text) == [], text
    lifted = lift(text, "github")
    assert len(lifted.jobs) == len(plan.jobs)
    assert len({j.id.lower() for j in lifted.jobs}) == len(plan.jobs)
    events = list(dict.fromkeys(t.event for t in plan.triggers)) or ["push"]
    assert [t.event for t in lifted.triggers] == events
    ids: dict[str, str] = {}  # a plan id names its first job
    for j, lj in zip(plan.jobs, lifted.jobs, strict=True):
        ids.setdefault(j.id, lj.id)
    for job, got in zip(plan.jobs, lifted.jobs, strict=True):
        earlier = [j.id for j in plan.jobs[: plan.jobs.index(job)]]
        assert got.needs == list(dict.fromkeys(ids[n] for n in job.needs if n in earlier))
        steps = [s for s in got.steps if s.name != "Set outputs"]
        if job.steps:
            assert [s.kind for s in steps] == [s.kind for s in job.steps]
        else:
            assert [s.target for s in steps] == ["actions/checkout@v6"]
        for s, g in zip(job.steps, steps, strict=False):
            if s.kind == "action":
                assert g.target.split("@")[0] == s.target.split("@")[0]
        assert set(got.matrix) == {k for k in job.matrix if k != "weird key!"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=gh_plans())
def test_random_github_jobs_inserted_into_a_workflow_are_clean(plan: Plan) -> None:
    jobs = render_github_jobs(plan, taken=CI_JOBS)
    got = lift(jobs, "github").jobs
    assert not {j.id.lower() for j in got} & set(CI_JOBS)
    text = (
        CI.rstrip("\n")
        + "\n"
        + "".join("  " + ln if ln.strip() else ln for ln in jobs.splitlines(keepends=True))
    )
    assert gh_problems(text) == [], text


def test_secrets_reach_the_yaml() -> None:
    from wfspec.llm.plan import Job

    plan = Plan(steps=[Step("http", "createContact", "crm", args={"secrets": ["crmToken"]})])
    doc = render_serverless_document(plan, "create the contact")
    assert "secrets:\n    - crmToken" in doc and "$secrets.crmToken" in doc
    assert not [f for f in analyze(doc, "untitled:x.sw.yaml").findings if f.severity <= 2], doc
    # an insertion uses only a secret the document declares
    assert "$secrets" not in render_tasks(plan)
    assert "$secrets.crmToken" in render_tasks(plan, secrets=["crmToken"])
    gh = Plan(
        triggers=[Trigger("push")],
        jobs=[
            Job(
                "publish",
                steps=[
                    Step(
                        "shell",
                        "Publish",
                        "npm publish",
                        args={"env": {"NODE_AUTH_TOKEN": "${{ secrets.NPM_TOKEN }}"}},
                    )
                ],
            )
        ],
    )
    wf = render_github_workflow(gh, "publish")
    assert "NODE_AUTH_TOKEN: '${{ secrets.NPM_TOKEN }}'" in wf, wf
    assert not [f for f in analyze(wf, "file:///r/.github/workflows/p.yml").findings if f.severity <= 2], wf


def test_a_foreach_goes_over_a_collection_and_a_comparison_names_its_measure() -> None:
    assert collection("line items") == ".lineItems"
    assert collection(".orders") == ".orders"
    assert condition("the document is longer than 10 pages") == ".documentPages > 10"
    assert condition("the amount is over $500") == ".amount > 500"
    assert condition("it is under 5 dollars") == ".value < 5"


def test_github_output_holds_what_github_accepts() -> None:
    """A word is no expression context, a command with a stray quote or a shell keyword is not
    run as written, and a schedule runs at most every 5 minutes."""
    from wfspec.analysis.engine import analyze
    from wfspec.llm.intent import extract
    from wfspec.llm.render import render_github_workflow

    for request_ in (
        "if main, open the issue",
        "make do call",
        "make the it's run text",
        "every minute, ping the health endpoint",
    ):
        intent = extract(request_, "github")
        doc = render_github_workflow(intent.plan, request_)
        a = analyze(doc, "file:///r/.github/workflows/x.yml")
        assert not [f for f in a.findings if f.severity <= 2], (
            request_,
            [(f.rule, f.message) for f in a.findings],
        )
    assert '"*/5 * * * *"' in render_github_workflow(extract("every minute, ping it", "github").plan, "x")


def test_github_jobs_that_write_ask_for_the_permission_and_gh_gets_a_token() -> None:
    """A release, a label or a comment needs a token that may write; the job asks for exactly
    that (and reading the code), and the GitHub CLI gets the token in its environment."""
    from wfspec.analysis.engine import analyze
    from wfspec.llm.intent import extract
    from wfspec.llm.render import render_github_workflow

    cases = {
        "release on tag": "    permissions:\n      contents: write\n",
        "when a new issue is opened, label it as needs-triage": "    permissions:\n      issues: write\n      contents: read\n",
        "on push, run the tests": "",
    }
    for request_, perms in cases.items():
        doc = render_github_workflow(extract(request_, "github").plan, request_)
        if perms:
            assert perms in doc, doc
        else:
            assert "    permissions:" not in doc
        a = analyze(doc, "file:///r/.github/workflows/x.yml")
        assert not [f for f in a.findings if f.severity <= 2], [(f.rule, f.message) for f in a.findings]
    doc = render_github_workflow(extract("release on tag", "github").plan, "release on tag")
    assert "GH_TOKEN: '${{ github.token }}'" in doc
