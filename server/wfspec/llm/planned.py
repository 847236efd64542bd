"""Plans in generation: the facts computed from a request, rendering a plan where it goes, and
checking that a candidate does what the request asks.

:func:`facts` extracts the request's intent (:mod:`wfspec.llm.intent`) against the workspace's
own names. :func:`render_at` renders a plan for an insertion point (tasks for a ``do:`` list,
jobs for a ``jobs:`` map, or a whole document) with :mod:`wfspec.llm.render`.
:func:`check_intent` lifts a candidate's YAML back to a plan (:mod:`wfspec.llm.lift`) and covers
the intent items with it (:mod:`wfspec.llm.coverage`). :func:`adopt_names` keeps the names a
model chose in the plan built from the intent, wherever its steps line up with that plan's.
:func:`foreign_names` finds names a candidate took from example specs that neither the request
nor the document mentions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from wfspec import ir
from wfspec.analysis.engine import Analysis
from wfspec.llm import render
from wfspec.llm.coverage import Covered, cover, words
from wfspec.llm.intent import Intent, extract
from wfspec.llm.lift import lift
from wfspec.llm.plan import ACTIONS, Plan, Step, plan_from_json, walk
from wfspec.llm.retrieval import Vocabulary

#: the actions of the older flat outline answers ({"name", "action", "uses"})
_OUTLINE_ACTIONS = {
    "call-agent": "agent",
    "call-http": "http",
    "call-function": "function",
    "wait": "wait",
    "emit": "emit",
    "listen": "listen",
    "raise": "raise",
    "run-workflow": "workflow",
    "set": "set",
}


def names_of(vocab: Vocabulary) -> dict[str, list[str]]:
    """The workspace's own names by kind, for :func:`wfspec.llm.intent.extract`."""
    return {
        "agents": list(vocab.agents),
        "functions": list(vocab.functions),
        "secrets": list(vocab.secrets),
        "tasks": list(vocab.tasks),
        "jobs": list(vocab.jobs),
        "actions": list(vocab.actions),
    }


def facts(request: str, dialect: str, vocab: Vocabulary) -> Intent:
    """What ``request`` states, with the workspace's names where it names them."""
    return extract(request, dialect, names_of(vocab))


def named_only(vocab: Vocabulary, request: str) -> Vocabulary:
    """The part of an example spec's vocabulary that ``request`` names or closely matches:
    example names never reach a suggestion unless the request names them."""
    want = words(request)

    def named(name: str) -> bool:
        have = words(name)
        return bool(have) and len(have & want) * 2 >= len(have)

    return Vocabulary(
        functions={k: v for k, v in vocab.functions.items() if named(k)},
        agents={k: v for k, v in vocab.agents.items() if named(k)},
        secrets=[s for s in vocab.secrets if named(s)],
        authentications=[a for a in vocab.authentications if named(a)],
        errors=[e for e in vocab.errors if named(e)],
        actions=[a for a in vocab.actions if named(a.split("@")[0].split("/")[-1])],
    )


def parse_answer(data: Any) -> Plan:
    """A plan from a model's answer: the plan's JSON form, the older flat outline
    (``{"steps": [{"name", "action", "uses"}]}``) or the older GitHub Actions outline of jobs
    (:func:`_older_jobs`)."""
    if isinstance(data, dict) and isinstance(data.get("steps"), list):
        steps = data["steps"]
        if steps and all(isinstance(s, dict) and "action" in s and "do" not in s for s in steps):
            data = {
                "steps": [
                    {
                        "do": _OUTLINE_ACTIONS.get(str(s.get("action")), "set"),
                        "name": s.get("name", ""),
                        "target": s.get("uses", ""),
                    }
                    for s in steps
                ]
            }
    if isinstance(data, dict) and isinstance(data.get("jobs"), list):
        data = _older_jobs(data)
    return plan_from_json(data)


def _older_jobs(data: dict[str, Any]) -> dict[str, Any]:
    """The older GitHub Actions outline (``{"on": [...], "jobs": [{"id", "needs", "steps":
    [{"name", "uses", "run"}]}]}``) in the plan's JSON form: events become triggers, a step
    that uses an action an ``action`` step, one that runs a command a ``shell`` step."""
    out = dict(data)
    events = data.get("on")
    if "triggers" not in data and isinstance(events, (str, list)):
        out["triggers"] = [{"event": e} for e in ([events] if isinstance(events, str) else events)]
    jobs = []
    for j in data["jobs"]:
        steps = j.get("steps") if isinstance(j, dict) else None
        if isinstance(steps, list) and any(isinstance(s, dict) and "do" not in s for s in steps):
            new: list[dict[str, Any]] = []
            for s in steps:
                if not isinstance(s, dict) or "do" in s:
                    new.append(s)
                    continue
                name = s.get("name", "")
                if s.get("uses"):
                    new.append({"do": "action", "name": name, "target": s["uses"]})
                if s.get("run"):
                    new.append({"do": "shell", "name": name, "target": s["run"]})
            j = {**j, "steps": new}
        jobs.append(j)
    out["jobs"] = jobs
    return out


def is_empty(plan: Plan) -> bool:
    """Nothing to render."""
    return not plan.steps and not plan.jobs


def next_task(original: Analysis, start: int, end: int, indent: int) -> str | None:
    """The name of the existing task that follows an insertion into a ``do:`` list (None: the
    insertion ends the list)."""
    wf = original.workflow
    if wf is None:
        return None
    nodes = sorted(wf.nodes.values(), key=lambda n: n.name_span.start.offset)
    before = [n for n in nodes if n.name_span.start.offset < start and _column(n) == indent + 2]
    after = [n for n in nodes if n.name_span.start.offset >= end and _column(n) == indent + 2]
    if before:
        after = [n for n in after if n.scope == before[-1].scope]
    return after[0].name if after else None


def _column(n: ir.TaskNode) -> int:
    return n.name_span.start.character


def render_at(
    plan: Plan,
    dialect: str,
    request: str,
    *,
    whole_document: bool,
    taken: Sequence[str] = (),
    after: str | None = None,
    agents: dict[str, str] | None = None,
    functions: Sequence[str] = (),
    secrets: Sequence[str] = (),
) -> str:
    """The YAML of ``plan`` for the insertion point (at indent 0; the caller re-indents)."""
    plan = _api_targets(plan)
    if dialect == "github":
        if whole_document:
            return render.render_github_workflow(plan, request)
        return render.render_github_jobs(plan, taken=taken)
    if whole_document:
        return render.render_serverless_document(plan, request, agents=agents)
    return render.render_tasks(
        plan, taken=taken, after=after, agents=agents, functions=functions, secrets=secrets
    )


def _api_targets(plan: Plan) -> Plan:
    """An HTTP step that names its API only in ``args["api"]`` gets it as its target, so the
    endpoint says which API it calls."""

    def fix(steps: list[Step]) -> list[Step]:
        out = []
        for s in steps:
            api = s.args.get("api")
            if s.kind == "http" and not s.target and isinstance(api, str) and api.strip():
                s = replace(s, target=api.strip())
            out.append(
                replace(
                    s,
                    steps=fix(s.steps),
                    cases=[replace(c, steps=fix(c.steps)) for c in s.cases],
                    branches=[fix(b) for b in s.branches],
                    catch=fix(s.catch),
                )
            )
        return out

    return replace(plan, steps=fix(plan.steps), jobs=[replace(j, steps=fix(j.steps)) for j in plan.jobs])


def check_intent(intent: Intent, candidate: str, dialect: str) -> list[Covered]:
    """The intent items, each covered or not by ``candidate`` (its YAML lifted to a plan)."""
    return cover(intent.items, lift(candidate, dialect), candidate)


def adopt_names(base: Plan, proposed: Plan) -> Plan:
    """``base`` with the names (and empty targets filled) that ``proposed`` chose for the steps
    that line up with its own: same kind, in the same order, agreeing on the target when both
    have one."""
    theirs = [s for s in proposed.walk() if s.kind in ACTIONS]
    used: set[int] = set()

    def fix(steps: list[Step]) -> list[Step]:
        out = []
        for s in steps:
            s = replace(
                s,
                steps=fix(s.steps),
                cases=[replace(c, steps=fix(c.steps)) for c in s.cases],
                branches=[fix(b) for b in s.branches],
                catch=fix(s.catch),
            )
            if s.kind in ACTIONS:
                for i, t in enumerate(theirs):
                    if i in used or t.kind != s.kind:
                        continue
                    if s.target and t.target and words(s.target) != words(t.target):
                        continue
                    used.add(i)
                    name = t.name if _IDENT.match(t.name or "") else s.name
                    s = replace(s, name=name, target=s.target or t.target)
                    break
            out.append(s)
        return out

    jobs = [replace(j, steps=fix(j.steps)) for j in base.jobs]
    return replace(base, steps=fix(base.steps), jobs=jobs)


_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{1,39}$")


def foreign_names(candidate: str, dialect: str, examples: Sequence[str], own: str) -> list[str]:
    """Task and job names of ``candidate`` that come from the example specs but from neither
    the request nor the document (``own``): a name whose words all occur in ``own`` is its own."""
    plan = lift(candidate, dialect)
    mine = {n.lower() for n in re.findall(r"[A-Za-z0-9_-]+", own)}
    own_words = words(own)
    theirs: set[str] = set()
    for ex in examples:
        other = lift(ex, dialect)
        theirs |= {s.name.lower() for s in other.walk() if s.name}
        theirs |= {j.id.lower() for j in other.jobs}
    names = [s.name for s in walk(plan.steps) if s.name] + [j.id for j in plan.jobs]
    return sorted(
        {n for n in names if n.lower() in theirs and n.lower() not in mine and not words(n) <= own_words}
    )


def action_steps(plan: Plan) -> list[Step]:
    """The action steps of ``plan`` in order (depth first; jobs' steps after the workflow's)."""
    return [s for s in plan.walk() if s.kind in ACTIONS]


_NAME = "^[a-z][A-Za-z0-9]{2,39}$"


def naming_schema(n: int) -> dict[str, Any]:
    """The schema of an answer that names ``n`` steps: ``{"names": [n camelCase names]}``."""
    item = {"type": "string", "pattern": _NAME}
    return {
        "type": "object",
        "properties": {"names": {"type": "array", "items": item, "minItems": n, "maxItems": n}},
        "required": ["names"],
    }


def parse_names(data: Any, n: int) -> list[str]:
    """The names of a naming answer; an empty string where one is missing or malformed."""
    got = data.get("names") if isinstance(data, dict) else data
    got = got if isinstance(got, list) else []
    out = [str(x) if isinstance(x, str) and re.match(_NAME, x) else "" for x in got[:n]]
    return out + [""] * (n - len(out))


def with_names(plan: Plan, names: Sequence[str]) -> Plan:
    """``plan`` with its action steps renamed, in order, where ``names`` has one (duplicates of
    an earlier name are ignored)."""
    steps = action_steps(plan)
    proposed = Plan(steps=[])
    seen: set[str] = set()
    for s, n in zip(steps, names, strict=False):
        key = n.lower()
        proposed.steps.append(replace(s, name=n if n and key not in seen else s.name))
        seen.add(key)
    return adopt_names(plan, proposed)
