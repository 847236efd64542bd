"""Structured facts of a GitHub Actions workflow for the GitHub-specific rules.

Lowering records, and the rules phrase: this module walks the document once and keeps, with the
positioned YAML nodes they come from, the parts that the ``cron``, ``glob``, ``event``,
``constant-condition``, ``matrix``, ``runner-label``, ``deprecated-command``, ``shell-name`` and
``credentials`` rules read:

- every event with its body, every filter list (``branches``, ``tags``, ``paths`` and their
  ``-ignore`` forms, ``versions``, ``names``) and every ``schedule`` entry;
- every job's ``runs-on`` labels (an exact ``${{ matrix.KEY }}`` label keeps the matrix key), its
  static matrix mapping (none when the matrix is computed with ``fromJSON`` or the like), its
  ``if`` and each step's ``if``;
- every ``run:`` script with the shell that runs it (the step's ``shell``, else the job's, else
  the workflow's ``defaults.run.shell``) and the operating systems its runner may have;
- the ``password`` values of ``container`` and ``services`` credentials.

No messages here and nothing is judged: a fact is what the document says, where it says it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, is_dataclass

from wfspec.dialects.github.nodes import as_map, entries, get, index
from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode

#: filters whose entries are ref-name globs, path globs or other globs
REF_FILTERS = frozenset(("branches", "branches-ignore", "tags", "tags-ignore"))
PATH_FILTERS = frozenset(("paths", "paths-ignore"))
OTHER_FILTERS = frozenset(("versions", "names"))
_MATRIX_LABEL = re.compile(r"^\$\{\{\s*matrix\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}$")


@dataclass(slots=True)
class Event:
    """An event under ``on``: its name node and body (None for the list and string forms)."""

    key: ScalarNode
    body: Node | None


@dataclass(slots=True)
class Filter:
    """One filter of an event, such as ``on.push.branches``; ``kind`` is ref, path or other."""

    event: str
    name: str
    key: ScalarNode
    kind: str
    patterns: tuple[ScalarNode, ...]


@dataclass(slots=True)
class Schedule:
    """One ``on.schedule`` entry."""

    entry: MapNode
    cron: ScalarNode | None
    timezone: ScalarNode | None


@dataclass(slots=True)
class Label:
    """A ``runs-on`` label; ``matrix_key`` when it is exactly ``${{ matrix.KEY }}``."""

    node: ScalarNode
    matrix_key: str | None = None


@dataclass(slots=True)
class Condition:
    """An ``if:`` of a job (``step`` None) or a step."""

    job: str
    node_id: str
    step: int | None
    value: ScalarNode


@dataclass(slots=True)
class Script:
    """A ``run:`` script, the shell node that applies to it (if any is written) and the operating
    systems of its runner (``linux``, ``macos``, ``windows``; None when that is not known)."""

    job: str
    node_id: str
    run: ScalarNode
    shell: ScalarNode | None
    os: frozenset[str] | None


@dataclass(slots=True)
class Job:
    """What the rules need of one job."""

    name: str
    node_id: str
    key: ScalarNode
    runs_on: Node | None = None
    labels: list[Label] = field(default_factory=list)
    group: Node | None = None
    labels_static: bool = True  # False when runs-on is an expression we cannot list
    matrix: MapNode | None = None  # the static matrix mapping
    matrix_node: Node | None = None  # what ``strategy.matrix`` holds, static or not
    os: frozenset[str] | None = None
    default_shell: ScalarNode | None = None  # the job's defaults.run.shell


@dataclass(slots=True)
class Credential:
    """A ``credentials.password`` of a job container (``service`` None) or of a service."""

    job: str
    service: str | None
    key: ScalarNode
    value: Node


def _signature(value: object) -> object:
    """A comparable summary of a fact: nodes by kind, span and scalar value."""
    if isinstance(value, Node):
        return (type(value).__name__, value.span, value.value if isinstance(value, ScalarNode) else None)
    if isinstance(value, (list, tuple)):
        return tuple(_signature(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, *(_signature(getattr(value, f.name)) for f in fields(value)))
    return value


@dataclass(slots=True, eq=False)
class Facts:
    """Every fact of one workflow. Two fact sets are equal when they record the same things at
    the same places (YAML nodes compare by kind, span and value: an incremental re-parse makes
    new node objects for the same text)."""

    events: list[Event] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    scripts: list[Script] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)
    default_shell: ScalarNode | None = None  # the workflow's defaults.run.shell

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Facts) and _signature(self) == _signature(other)

    __hash__ = None  # type: ignore[assignment]


def runner_os(labels: list[str]) -> frozenset[str] | None:
    """The operating systems a runner with these labels may have, from GitHub-hosted and the
    standard self-hosted labels; None when no label says."""
    found: set[str] = set()
    for raw in labels:
        low = raw.lower()
        if low.startswith("windows"):
            found.add("windows")
        elif low.startswith("macos"):
            found.add("macos")
        elif low.startswith("ubuntu") or low == "linux":
            found.add("linux")
    return frozenset(found) if found else None


def _shell_of(m: MapNode | None) -> ScalarNode | None:
    shell = get(as_map(get(as_map(get(m, "defaults")), "run")), "shell")
    return shell if isinstance(shell, ScalarNode) and shell.tag != "null" else None


def _on(out: Facts, on: Node | None) -> None:
    if isinstance(on, ScalarNode) and on.tag != "null":
        out.events.append(Event(on, None))
    elif isinstance(on, SeqNode):
        out.events.extend(Event(i, None) for i in on.items if isinstance(i, ScalarNode))
    elif isinstance(on, MapNode):
        for k, v in entries(on):
            out.events.append(Event(k, v))
            if k.value == "schedule":
                if isinstance(v, SeqNode):
                    for item in v.items:
                        im = as_map(item)
                        if im is not None:
                            cron, tz = get(im, "cron"), get(im, "timezone")
                            out.schedules.append(
                                Schedule(
                                    im,
                                    cron if isinstance(cron, ScalarNode) else None,
                                    tz if isinstance(tz, ScalarNode) else None,
                                )
                            )
                continue
            body = as_map(v)
            if body is None:
                continue
            for fk, fv in entries(body):
                name = fk.value
                kind = (
                    "ref"
                    if name in REF_FILTERS
                    else "path"
                    if name in PATH_FILTERS
                    else "other"
                    if name in OTHER_FILTERS
                    else None
                )
                if kind is None:
                    continue
                if isinstance(fv, ScalarNode) and fv.tag != "null":
                    pats: tuple[ScalarNode, ...] = (fv,)
                elif isinstance(fv, SeqNode):
                    pats = tuple(i for i in fv.items if isinstance(i, ScalarNode) and i.tag != "null")
                else:
                    continue
                out.filters.append(Filter(k.value, name, fk, kind, pats))


def _runs_on(job: Job, node: Node | None) -> None:
    job.runs_on = node
    items: list[Node] = []
    if isinstance(node, ScalarNode) and node.tag != "null":
        items = [node]
    elif isinstance(node, SeqNode):
        items = node.items
    elif isinstance(node, MapNode):
        job.group = get(node, "group")
        labels = get(node, "labels")
        items = (
            [labels]
            if isinstance(labels, ScalarNode)
            else labels.items
            if isinstance(labels, SeqNode)
            else []
        )
    for item in items:
        if not isinstance(item, ScalarNode):
            job.labels_static = False
            continue
        m = _MATRIX_LABEL.match(item.value.strip())
        if m is not None:
            job.labels.append(Label(item, m.group(1)))
        elif "${{" in item.value:
            job.labels_static = False
        else:
            job.labels.append(Label(item))


def _matrix_values(job: Job, key: str) -> list[str]:
    """The static scalar values of the matrix row ``key`` (none when unknown)."""
    if job.matrix is None:
        return []
    for k, v in entries(job.matrix):
        if k.value == key and isinstance(v, SeqNode):
            if not all(isinstance(i, ScalarNode) and "${{" not in i.value for i in v.items):
                return []  # a label list or an expression among the values: not all known
            return [i.value for i in v.items if isinstance(i, ScalarNode)]
    return []


def _job(out: Facts, key: ScalarNode, body: Node | None) -> None:
    m = as_map(body)
    job = Job(key.value, f"/jobs/{key.value}", key)
    out.jobs.append(job)
    if m is None:
        return
    f = index(m)[0]  # one pass over the job's keys, then dictionary lookups
    strategy = as_map(f.get("strategy"))
    job.matrix_node = get(strategy, "matrix")
    matrix = as_map(job.matrix_node)
    if matrix is not None and not any(
        k.value not in ("include", "exclude") and "${{" in k.value for k, _ in entries(matrix)
    ):
        job.matrix = matrix
    _runs_on(job, f.get("runs-on"))
    words: list[str] = []
    for label in job.labels:
        if label.matrix_key is None:
            words.append(label.node.value)
        else:
            values = _matrix_values(job, label.matrix_key)
            if not values:
                words = []
                job.os = None
                break
            words.extend(values)
    else:
        job.os = runner_os(words) if job.labels_static else None
    job.default_shell = (_shell_of(m) if "defaults" in f else None) or out.default_shell
    cond = f.get("if")
    if isinstance(cond, ScalarNode) and cond.tag != "null":
        out.conditions.append(Condition(job.name, job.node_id, None, cond))
    if "container" in f or "services" in f:
        _containers(out, job, m)
    steps = f.get("steps")
    if not isinstance(steps, SeqNode):
        return
    for i, step in enumerate(steps.items):
        sm = as_map(step)
        if sm is None:
            continue
        nid = f"{job.node_id}/steps/{i}"
        sf = index(sm)[0]
        cond = sf.get("if")
        if isinstance(cond, ScalarNode) and cond.tag != "null":
            out.conditions.append(Condition(job.name, nid, i, cond))
        run = sf.get("run")
        if isinstance(run, ScalarNode) and run.tag != "null":
            shell = sf.get("shell")
            out.scripts.append(
                Script(
                    job.name,
                    nid,
                    run,
                    shell if isinstance(shell, ScalarNode) and shell.tag != "null" else job.default_shell,
                    job.os,
                )
            )


def _containers(out: Facts, job: Job, m: MapNode) -> None:
    places: list[tuple[str | None, Node | None]] = [(None, get(m, "container"))]
    services = as_map(get(m, "services"))
    if services is not None:
        places.extend((k.value, v) for k, v in entries(services))
    for service, node in places:
        cm = as_map(node)
        if cm is None:
            continue
        creds = as_map(get(cm, "credentials"))
        if creds is None:
            continue
        for k, v in entries(creds):
            if k.value == "password":
                out.credentials.append(Credential(job.name, service, k, v))


def collect(root: Node | None) -> Facts:
    """The facts of a workflow document's root node (empty for anything but a mapping)."""
    out = Facts()
    if not isinstance(root, MapNode):
        return out
    out.default_shell = _shell_of(root)
    _on(out, get(root, "on"))
    jobs = as_map(get(root, "jobs"))
    if jobs is not None:
        seen: set[str] = set()
        for k, v in entries(jobs):
            if k.value in seen:
                continue
            seen.add(k.value)
            _job(out, k, v)
    return out


def of(payload: dict[str, object]) -> Facts:
    """The facts lowering stored in a workflow's payload (empty when there are none)."""
    got = payload.get("facts")
    return got if isinstance(got, Facts) else Facts()
