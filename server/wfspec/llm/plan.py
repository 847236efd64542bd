"""The plan: one dialect-neutral tree of steps that generation fills, renders and checks.

A :class:`Plan` is what a request asks for, before it is YAML. Serverless Workflow uses
``steps``; GitHub Actions uses ``triggers`` and ``jobs`` (each job holds ``steps``). A
:class:`Step` is either an action (``kind`` in :data:`ACTIONS`) or control flow (``kind`` in
:data:`CONTROL`):

- ``branch``: ``cases``, each with a condition ``when`` and its ``steps``; a case with an empty
  ``when`` is the default.
- ``foreach``: ``each`` item ``of`` a collection, body ``steps``.
- ``loop``: body ``steps`` repeated ``until`` the exit condition holds.
- ``parallel``: ``branches``, each a list of steps, run at the same time.
- ``try``: body ``steps``, ``retry`` attempts with ``backoff``, ``catch`` steps on failure.

:class:`Item` is one thing a request states (a step, an agent it names, a branch and its
outcomes, a schedule, ...): :mod:`wfspec.llm.intent` extracts them in code and
:mod:`wfspec.llm.coverage` checks a plan against them. Plans and items are plain data with a
JSON form (:meth:`Plan.to_json`, :func:`plan_from_json`); :func:`plan_schema` is the JSON schema
of that form, used for constrained decoding. This module imports nothing else of wfspec.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

#: Action kinds. ``agent`` (A2A), ``mcp`` (a tool of an MCP server), ``http`` (an endpoint),
#: ``function`` (a declared function), ``action`` (a GitHub action: ``uses``), ``shell`` (a
#: command: ``run``), ``script``, ``container``, ``workflow`` (a sub-workflow or reusable
#: workflow), ``set``, ``wait`` (``target``: an ISO 8601 duration), ``listen`` and ``emit``
#: (``target``: the event type), ``raise`` (``target``: the error's title).
ACTIONS = (
    "agent",
    "mcp",
    "http",
    "function",
    "action",
    "shell",
    "script",
    "container",
    "workflow",
    "set",
    "wait",
    "listen",
    "emit",
    "raise",
)
#: Control-flow kinds.
CONTROL = ("branch", "foreach", "loop", "parallel", "try")
KINDS = ACTIONS + CONTROL

#: Intent item kinds (see :class:`Item`).
ITEM_KINDS = (
    "step",  # an action the request asks for; name: what it does ("send welcome email")
    "agent",  # an agent named; name: its name ("billing")
    "tool",  # an MCP tool or server named
    "api",  # an HTTP API or endpoint named (name: the API, or a URL)
    "function",  # a declared function named
    "secret",  # a secret named
    "branch",  # a decision; values: the outcomes' phrases; name: the condition
    "loop",  # repeat until; name: the exit condition
    "foreach",  # for each; name: the item/collection phrase
    "parallel",  # work at the same time; values: the branches' phrases
    "retry",  # retries; count: attempts
    "fallback",  # on error, something else; values: the fallback's phrase
    "wait",  # a pause; name: ISO 8601 duration
    "timeout",  # give up after; name: ISO 8601 duration
    "listen",  # wait for an event; name: the event
    "emit",  # publish an event; name: the event
    "schedule",  # a schedule; name: a five-field cron expression
    "trigger",  # GitHub: an event that starts the workflow; name: event; values: filters
    "matrix",  # GitHub: a matrix axis; name: the key (os, node, python, ...); values
    "input",  # GitHub: a workflow_dispatch input; name: its name
    "job",  # GitHub: a job asked for; name: what it does
)


@dataclass
class Case:
    """One case of a branch; ``when`` empty: the default."""

    when: str = ""
    steps: list[Step] = field(default_factory=list)


@dataclass
class Step:
    """One step of a plan: an action or control flow (see the module docstring)."""

    kind: str
    name: str = ""
    target: str = ""
    args: dict[str, Any] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    branches: list[list[Step]] = field(default_factory=list)
    each: str = ""
    of: str = ""
    until: str = ""
    retry: int = 0
    backoff: str = ""
    catch: list[Step] = field(default_factory=list)
    #: GitHub steps: ``if:``; Serverless Workflow tasks: ``if:``.
    when: str = ""


@dataclass
class Trigger:
    """A GitHub Actions trigger."""

    event: str
    branches: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    cron: str = ""
    #: workflow_dispatch / workflow_call inputs: name -> type (string, boolean, choice, number,
    #: environment)
    inputs: dict[str, str] = field(default_factory=dict)
    #: the options of ``choice`` inputs: name -> options
    options: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Job:
    """A GitHub Actions job."""

    id: str
    name: str = ""
    runs_on: str = "ubuntu-latest"
    needs: list[str] = field(default_factory=list)
    when: str = ""
    matrix: dict[str, list[str]] = field(default_factory=dict)
    environment: str = ""
    permissions: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    #: ISO 8601 duration (``timeout-minutes``)
    timeout: str = ""


@dataclass
class Plan:
    """A whole plan: Serverless Workflow ``steps``, GitHub Actions ``triggers`` and ``jobs``.

    ``schedule`` (a cron expression) starts a Serverless Workflow on a schedule; ``timeout``
    (ISO 8601) bounds the whole workflow."""

    steps: list[Step] = field(default_factory=list)
    triggers: list[Trigger] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    schedule: str = ""
    timeout: str = ""
    #: events the workflow starts on (Serverless Workflow ``schedule.on``)
    start_on: str = ""

    def to_json(self) -> dict[str, Any]:
        """The JSON form (empty fields left out)."""
        return _prune(
            {
                "steps": [step_to_json(s) for s in self.steps],
                "triggers": [_prune(vars(t).copy()) for t in self.triggers],
                "jobs": [_job_to_json(j) for j in self.jobs],
                "schedule": self.schedule,
                "timeout": self.timeout,
                "start_on": self.start_on,
            }
        )

    def walk(self) -> Iterator[Step]:
        """Every step, depth first: the workflow's, then each job's."""
        yield from walk(self.steps)
        for job in self.jobs:
            yield from walk(job.steps)


@dataclass(frozen=True)
class Item:
    """One thing a request states. ``text`` is the phrase it came from."""

    kind: str
    name: str = ""
    values: tuple[str, ...] = ()
    count: int = 0
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        """The JSON form (empty fields left out)."""
        return _prune(
            {
                "kind": self.kind,
                "name": self.name,
                "values": list(self.values),
                "count": self.count,
                "text": self.text,
            }
        )


def item_from_json(data: Any) -> Item | None:
    """An :class:`Item` from its JSON form; ``None`` when it is not one."""
    if not isinstance(data, dict) or data.get("kind") not in ITEM_KINDS:
        return None
    values = data.get("values") or ()
    return Item(
        kind=str(data["kind"]),
        name=str(data.get("name") or ""),
        values=tuple(str(v) for v in values) if isinstance(values, list) else (),
        count=_int(data.get("count")),
        text=str(data.get("text") or ""),
    )


def walk(steps: list[Step]) -> Iterator[Step]:
    """``steps`` and everything nested in them, depth first."""
    for s in steps:
        yield s
        yield from walk(s.steps)
        for c in s.cases:
            yield from walk(c.steps)
        for b in s.branches:
            yield from walk(b)
        yield from walk(s.catch)


def _prune(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in ("", 0, None, [], {}, ())}


def step_to_json(s: Step) -> dict[str, Any]:
    """The JSON form of one step (empty fields left out; the kind is ``do``)."""
    return _prune(
        {
            "do": s.kind,
            "name": s.name,
            "target": s.target,
            "args": s.args,
            "when": s.when,
            "each": s.each,
            "of": s.of,
            "until": s.until,
            "retry": s.retry,
            "backoff": s.backoff,
            "steps": [step_to_json(x) for x in s.steps],
            "cases": [_prune({"when": c.when, "steps": [step_to_json(x) for x in c.steps]}) for c in s.cases],
            "branches": [[step_to_json(x) for x in b] for b in s.branches],
            "catch": [step_to_json(x) for x in s.catch],
        }
    )


def _job_to_json(j: Job) -> dict[str, Any]:
    d = vars(j).copy()
    d["steps"] = [step_to_json(s) for s in j.steps]
    d["if"] = d.pop("when")
    d["runs-on"] = d.pop("runs_on")
    return _prune(d)


def _str(v: Any) -> str:
    return (
        v.strip()
        if isinstance(v, str)
        else str(v)
        if isinstance(v, (int, float)) and not isinstance(v, bool)
        else ""
    )


def _int(v: Any) -> int:
    if isinstance(v, bool):
        return 0
    if isinstance(v, int):
        return max(v, 0)
    if isinstance(v, str) and v.strip().isdigit():
        return int(v.strip())
    return 0


def _strs(v: Any) -> list[str]:
    if isinstance(v, str):
        return [v] if v.strip() else []
    if isinstance(v, list):
        return [s for s in (_str(x) for x in v) if s]
    return []


def _str_map(v: Any) -> dict[str, str]:
    if not isinstance(v, dict):
        return {}
    return {str(k): _str(x) for k, x in v.items() if isinstance(k, str) and _str(x)}


def steps_from_json(data: Any, depth: int = 0) -> list[Step]:
    """Steps from their JSON form, tolerantly: entries that are not steps are dropped, and so is
    nesting deeper than 8."""
    if not isinstance(data, list) or depth > 8:
        return []
    out: list[Step] = []
    for item in data[:64]:
        s = step_from_json(item, depth)
        if s is not None:
            out.append(s)
    return out


def step_from_json(data: Any, depth: int = 0) -> Step | None:
    """One step from its JSON form (``do`` or ``kind`` names the kind); ``None`` if it is not one."""
    if not isinstance(data, dict):
        return None
    kind = _str(data.get("do") or data.get("kind")).lower()
    if kind not in KINDS:
        return None
    cases = []
    for c in data.get("cases") or []:
        if isinstance(c, dict):
            cases.append(Case(_str(c.get("when")), steps_from_json(c.get("steps"), depth + 1)))
    branches = [steps_from_json(b, depth + 1) for b in (data.get("branches") or []) if isinstance(b, list)]
    args = data.get("args")
    return Step(
        kind=kind,
        name=_str(data.get("name")),
        target=_str(data.get("target")),
        args=dict(args) if isinstance(args, dict) else {},
        steps=steps_from_json(data.get("steps"), depth + 1),
        cases=cases,
        branches=[b for b in branches if b],
        each=_str(data.get("each")),
        of=_str(data.get("of")),
        until=_str(data.get("until")),
        retry=_int(data.get("retry")),
        backoff=_str(data.get("backoff")),
        catch=steps_from_json(data.get("catch"), depth + 1),
        when=_str(data.get("when") or data.get("if")),
    )


def plan_from_json(data: Any) -> Plan:
    """A plan from its JSON form, tolerantly (a bare list is a list of steps)."""
    if isinstance(data, list):
        return Plan(steps=steps_from_json(data))
    if not isinstance(data, dict):
        return Plan()
    triggers = []
    for t in data.get("triggers") or []:
        if isinstance(t, str):
            t = {"event": t}
        if isinstance(t, dict) and _str(t.get("event")):
            triggers.append(
                Trigger(
                    event=_str(t.get("event")),
                    branches=_strs(t.get("branches")),
                    tags=_strs(t.get("tags")),
                    paths=_strs(t.get("paths")),
                    types=_strs(t.get("types")),
                    cron=_str(t.get("cron")),
                    inputs=_str_map(t.get("inputs")),
                )
            )
    jobs = []
    for j in data.get("jobs") or []:
        if isinstance(j, dict) and _str(j.get("id")):
            matrix = j.get("matrix")
            jobs.append(
                Job(
                    id=_str(j.get("id")),
                    name=_str(j.get("name")),
                    runs_on=_str(j.get("runs-on") or j.get("runs_on")) or "ubuntu-latest",
                    needs=_strs(j.get("needs")),
                    when=_str(j.get("if") or j.get("when")),
                    matrix={str(k): _strs(v) for k, v in matrix.items() if _strs(v)}
                    if isinstance(matrix, dict)
                    else {},
                    environment=_str(j.get("environment")),
                    permissions=_str_map(j.get("permissions")),
                    outputs=_str_map(j.get("outputs")),
                    steps=steps_from_json(j.get("steps")),
                    timeout=_str(j.get("timeout")),
                )
            )
    return Plan(
        steps=steps_from_json(data.get("steps")),
        triggers=triggers,
        jobs=jobs,
        schedule=_str(data.get("schedule")),
        timeout=_str(data.get("timeout")),
        start_on=_str(data.get("start_on")),
    )


def plan_schema(dialect: str = "serverless", depth: int = 3) -> dict[str, Any]:
    """The JSON schema of a plan's JSON form, for constrained decoding.

    Nesting is unrolled ``depth`` levels (no ``$ref``: grammar converters differ in what they
    accept), so every answer the schema admits parses with :func:`plan_from_json`."""

    def step(level: int) -> dict[str, Any]:
        props: dict[str, Any] = {
            "do": {"enum": list(KINDS if level > 0 else ACTIONS)},
            "name": {"type": "string", "maxLength": 40},
            "target": {"type": "string", "maxLength": 120},
        }
        if level > 0:
            inner = {"type": "array", "items": step(level - 1), "maxItems": 6}
            props.update(
                {
                    "when": {"type": "string", "maxLength": 120},
                    "each": {"type": "string", "maxLength": 40},
                    "of": {"type": "string", "maxLength": 80},
                    "until": {"type": "string", "maxLength": 120},
                    "retry": {"type": "integer", "minimum": 0, "maximum": 10},
                    "steps": inner,
                    "cases": {
                        "type": "array",
                        "maxItems": 5,
                        "items": {
                            "type": "object",
                            "properties": {"when": {"type": "string", "maxLength": 120}, "steps": inner},
                            "required": ["when", "steps"],
                        },
                    },
                    "branches": {"type": "array", "maxItems": 4, "items": inner},
                    "catch": inner,
                }
            )
        return {"type": "object", "properties": props, "required": ["do", "name"]}

    steps = {"type": "array", "items": step(depth), "minItems": 1, "maxItems": 10}
    if dialect != "github":
        return {"type": "object", "properties": {"steps": steps}, "required": ["steps"]}
    trigger = {
        "type": "object",
        "properties": {
            "event": {"type": "string", "maxLength": 40},
            "branches": {"type": "array", "items": {"type": "string"}, "maxItems": 4},
            "cron": {"type": "string", "maxLength": 40},
        },
        "required": ["event"],
    }
    job = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,30}$"},
            "needs": {"type": "array", "items": {"type": "string"}, "maxItems": 4},
            "steps": {"type": "array", "items": step(0), "minItems": 1, "maxItems": 8},
        },
        "required": ["id", "steps"],
    }
    return {
        "type": "object",
        "properties": {
            "triggers": {"type": "array", "items": trigger, "maxItems": 4},
            "jobs": {"type": "array", "items": job, "minItems": 1, "maxItems": 6},
        },
        "required": ["jobs"],
    }
