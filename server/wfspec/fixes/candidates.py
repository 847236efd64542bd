"""Candidate fixes: every deterministic edit that could clear one finding, read from its data.

:func:`candidates` is the wide set a repair ranks (:mod:`wfspec.fixes.ranking`) and shows to a
model: the quick fixes of :func:`wfspec.fixes.fixes_for`, the rule's own "did you mean"
(``data["suggestion"]``), renames of the offending name to every valid target or declared name
(in GitHub Actions: the jobs in ``needs``, the job's step ids, the outputs of the job read),
renaming a task or job back to the name its users still write, and structural edits (a loop's
``then`` to ``end``, one ``needs`` entry of a cycle dropped, a missing step ``id`` added, a
duplicated step ``id`` removed, a job output declared from one of the job's steps, a duplicated
task renamed to the name a dangling ``then`` still writes or to one derived from its content).

The fixers registered for quick fixes and ``wfspec check --fix`` (:func:`duplicate_id`,
:func:`unknown_target_more`, :func:`loop_more`) are the subset that is safe to list there;
``preferred`` marks the single unambiguous one.

Each fix carries ``data``: ``kind`` (what sort of edit it is), ``from``/``to`` for renames, and
the facts the ranking weighs (``back_edge``, ``last_in_scope``, ``dangling``, ``derived``).
Nothing here reads a finding's message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from wfspec import ir
from wfspec.findings import Finding
from wfspec.fixes import Fix, TextEdit, content_end, fixes_for, line_end, line_start
from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode

if TYPE_CHECKING:
    from wfspec.analysis.engine import Analysis

FLOW_DIRECTIVES = ("end", "exit", "continue")
MAX_STEP_CANDIDATES = 3
MAX_CANDIDATES = 12

# -- where a finding is -------------------------------------------------------------------


def enclosing_task(analysis: Analysis, finding: Finding) -> ir.TaskNode | None:
    """The innermost task whose text contains the finding."""
    wf = analysis.workflow
    if wf is None:
        return None
    s, e = finding.span.start.offset, finding.span.end.offset
    best: ir.TaskNode | None = None
    for node in wf.nodes.values():
        b = node.body_span
        if b.start.offset <= s and e <= b.end.offset:
            if (
                best is None
                or b.end.offset - b.start.offset < best.body_span.end.offset - best.body_span.start.offset
            ):
                best = node
    return best


def _is_jobs_scope(wf: ir.Workflow, node: ir.TaskNode) -> bool:
    return node.kind == "job"


def valid_targets(analysis: Analysis, finding: Finding) -> list[str]:
    """Names a transition at the finding may target: the tasks of the source's own do list
    (itself excluded) and ``end``/``exit``/``continue``; for a GitHub ``needs`` entry, the
    other jobs."""
    wf = analysis.workflow
    if wf is None:
        return []
    source = finding.data.get("source")
    node = wf.nodes.get(source) if isinstance(source, str) else enclosing_task(analysis, finding)
    if node is None:
        return [] if any(n.kind == "job" for n in wf.nodes.values()) else list(FLOW_DIRECTIVES)
    directives = [] if _is_jobs_scope(wf, node) else list(FLOW_DIRECTIVES)
    names = [wf.nodes[t].name for t in wf.scopes[node.scope].tasks if t != node.id]
    return names + directives


def declared_names(analysis: Analysis, kind: str) -> list[str]:
    wf = analysis.workflow
    return sorted({d.name for d in wf.definitions if d.kind == kind}) if wf is not None else []


def reference_at(analysis: Analysis, finding: Finding) -> ir.Reference | None:
    """The IR reference a finding was reported at (GitHub ``needs.*``, ``steps.*``, ``inputs.*``,
    ``matrix.*``): the one with the finding's span, a reference the dialect found wanting first."""
    wf = analysis.workflow
    if wf is None:
        return None
    s, e = finding.span.start.offset, finding.span.end.offset
    at = [r for r in wf.references if r.span.start.offset == s and r.span.end.offset == e]
    at.sort(key=lambda r: not r.data.get("problem"))
    return at[0] if at else None


def _job(wf: ir.Workflow, name: str) -> ir.TaskNode | None:
    low = name.lower()
    return next((n for n in wf.nodes.values() if n.kind == "job" and n.name.lower() == low), None)


def _steps_of(wf: ir.Workflow, job: ir.TaskNode) -> list[ir.TaskNode]:
    return [n for scope in job.inner for n in wf.tasks_in(scope) if n.kind == "step"]


def reference_names(analysis: Analysis, finding: Finding) -> tuple[str, list[str]]:
    """(what they are, names) that the reference at ``finding`` could be changed to: for
    ``undefined-reference`` the declared names of its kind; in GitHub Actions the step ids of the
    job, the outputs of the job read, the jobs in ``needs`` or the workflow inputs."""
    wf = analysis.workflow
    if wf is None:
        return "", []
    kind = finding.data.get("kind")
    if isinstance(kind, str):
        return f"Declared {kind} names", declared_names(analysis, kind)
    ref = reference_at(analysis, finding)
    if ref is None:
        return "", []
    job = ref.data.get("job")
    if ref.kind == "step" and isinstance(job, str):
        ids = [str(d.data["step"]) for d in wf.definitions if d.kind == "step" and d.data.get("job") == job]
        return f'Step ids of job "{job}"', ids
    if ref.kind == "job-output" and isinstance(job, str):
        outs = [
            str(d.data["output"])
            for d in wf.definitions
            if d.kind == "job-output" and d.data.get("job") == job
        ]
        return f'Outputs of job "{job}"', outs
    if ref.kind == "job" and ref.path[:1] == ("needs",) and isinstance(job, str):
        reader = _job(wf, job)
        needed = [
            e.target_name
            for e in wf.edges
            if reader is not None
            and e.kind == ir.NEEDS
            and e.source == reader.id
            and e.target
            and e.target_name
        ]
        return f'Jobs in the needs of job "{job}"', needed
    if ref.kind == "input":
        return "Workflow inputs", declared_names(analysis, "input")
    return "", []


# -- the wide set -------------------------------------------------------------------------


def _name_range(analysis: Analysis, finding: Finding) -> tuple[int, int]:
    """The range of the offending name: the finding's span, or the name inside it when the span
    is a whole expression path (``$secrets.name.field``, ``steps.x.outputs.y``)."""
    text = analysis.text
    s, e = finding.span.start.offset, finding.span.end.offset
    name = finding.data.get("name")
    if isinstance(name, str) and name and text[s:e] != name and name in text[s:e]:
        written = text[s:e]
        at = written.find(name, written.find(".") + 1 if written.startswith("$") else 0)
        if at < 0:
            at = written.index(name)
        s += at
        e = s + len(name)
    return s, e


def candidates(analysis: Analysis, finding: Finding) -> list[Fix]:
    """Every candidate fix the analyzer can compute for ``finding``, deduplicated by edits and
    not yet validated: the quick fixes first, then renames of the offending name, then the
    structural edits."""
    out: list[Fix] = []
    seen: dict[tuple[TextEdit, ...], int] = {}

    def add(c: Fix) -> None:
        if not c.edits:
            return
        at = seen.get(c.edits)
        if at is None:
            seen[c.edits] = len(out)
            out.append(c)
        elif c.preferred and not out[at].preferred:
            old = out[at]
            out[at] = Fix(old.title, old.edits, old.rule, True, {**c.data, **old.data})

    if analysis.workflow is None:
        return []
    text = analysis.text
    s, e = _name_range(analysis, finding)
    bad = text[s:e]
    span = (finding.span.start.offset, finding.span.end.offset)
    later: list[Fix] = []
    for fix in fixes_for(analysis, finding):
        edits = tuple(
            TextEdit(s, e, x.new_text) if (x.start, x.end) == span and (s, e) != span else x
            for x in fix.edits
        )
        data = dict(fix.data)
        if "to" in data:
            data.setdefault("kind", "rename-reference")
            data.setdefault("from", bad)
        c = Fix(fix.title, edits, fix.rule, fix.preferred, data)
        if c.preferred:
            add(c)
        else:
            later.append(c)
    for c in did_you_mean(analysis, finding):
        add(c)
    rule = finding.rule
    if rule in ("unknown-target", "out-of-scope-target"):
        for target in by_closeness(bad, valid_targets(analysis, finding)):
            kind = "directive" if target in FLOW_DIRECTIVES else "rename-reference"
            add(_change(rule, s, e, bad, target, kind))
        if rule == "unknown-target":
            later.extend(rename_node_back(analysis, finding))
    elif rule == "undefined-reference":
        for target in by_closeness(bad, reference_names(analysis, finding)[1]):
            if target != bad:
                add(_change(rule, s, e, bad, target, "rename-reference"))
        later.extend(add_step_id(analysis, finding))
        own = [*declare_output(analysis, finding), *add_need(analysis, finding)]
        replaced = {str(c.data.get("via")) for c in own}
        out[:] = [c for c in out if c.data.get("via") not in replaced]
        seen.clear()
        seen.update({c.edits: i for i, c in enumerate(out)})
        later[:] = [c for c in later if c.data.get("via") not in replaced]
        for c in own:
            add(c)
    elif rule in ("loop-without-exit", "cycle"):
        later.extend(loop_exits(analysis, finding))
        if rule == "cycle":
            later.extend(break_needs_cycle(analysis, finding))
    for c in later:
        add(c)
    return out[:MAX_CANDIDATES]


def _change(rule: str, s: int, e: int, bad: str, target: str, kind: str) -> Fix:
    return Fix(
        f'Change to "{target}"',
        (TextEdit(s, e, target),),
        rule,
        data={"kind": kind, "from": bad, "to": target},
    )


def by_closeness(name: str, options: Iterable[str]) -> list[str]:
    """``options`` most similar to ``name`` first (flow directives keep their place last)."""
    from wfspec.fixes.ranking import similarity

    opts = list(options)
    names = [o for o in opts if o not in FLOW_DIRECTIVES]
    names.sort(key=lambda o: -similarity(name, o))
    return names + [o for o in opts if o in FLOW_DIRECTIVES]


def did_you_mean(analysis: Analysis, finding: Finding) -> list[Fix]:
    """The rule's own proposal: replace ``data["name"]`` at the finding (else on its lines) with
    ``data["suggestion"]``."""
    good, bad = finding.data.get("suggestion"), finding.data.get("name")
    if not isinstance(good, str) or not isinstance(bad, str) or not good or not bad or good == bad:
        return []
    text = analysis.text
    s, e = finding.span.start.offset, finding.span.end.offset
    at = text.find(bad, s, max(e, s + len(bad)))
    if at < 0 or at + len(bad) > max(e, s + len(bad)):
        at = text.find(bad, line_start(text, s), line_end(text, max(e - 1, s)))
    if at < 0:
        return []
    edit = TextEdit(at, at + len(bad), good)
    data = {"kind": "did-you-mean", "from": bad, "to": good, "suggested": True}
    return [Fix(f'Change "{bad}" to "{good}"', (edit,), finding.rule, preferred=True, data=data)]


# -- renames of tasks and jobs ------------------------------------------------------------


def _referenced(wf: ir.Workflow) -> set[str]:
    return {e.target for e in wf.edges if e.kind in (ir.THEN, ir.CASE, ir.NEEDS) and e.target}


def rename_node_back(analysis: Analysis, finding: Finding) -> list[Fix]:
    """For a transition naming a task or job that does not exist: rename one of the two most
    similar existing ones, that nothing else reaches by its name, to that name (the fix when a
    task or job was renamed and its users were not)."""
    from wfspec.fixes.ranking import differs_by_words, similarity

    wf = analysis.workflow
    name = finding.data.get("name")
    if wf is None or not isinstance(name, str) or not name or "${" in name:
        return []
    source = finding.data.get("source")
    src = wf.nodes.get(source) if isinstance(source, str) else None
    if src is None:
        return []
    used = _referenced(wf)
    out: list[Fix] = []
    others = [wf.nodes[t] for t in wf.scopes[src.scope].tasks if t != src.id]
    others.sort(key=lambda n: (not differs_by_words(name, n.name), -similarity(name, n.name)))
    for node in others[:2]:
        if similarity(name, node.name) < 0.6 and not differs_by_words(name, node.name):
            continue
        if node.key is None or node.id in used or node.name == name:
            continue  # a task or job that others reach by its name was not renamed
        what = "job" if node.kind == "job" else "task"
        k = node.key.span
        out.append(
            Fix(
                f'Rename {what} "{node.name}" to "{name}"',
                (TextEdit(k.start.offset, k.end.offset, name),),
                finding.rule,
                data={"kind": "rename-node", "from": name, "to": node.name},
            )
        )
    return out


def unknown_target_more(analysis: Analysis, finding: Finding) -> list[Fix]:
    """Quick fixes for ``unknown-target`` beyond the rule's suggestion: renaming the task or job
    back to the name the transition writes."""
    return rename_node_back(analysis, finding)


# -- loops and cycles ---------------------------------------------------------------------


def loop_exits(analysis: Analysis, finding: Finding) -> list[Fix]:
    """For a loop that never ends: point one of its explicit ``then`` edges at ``end`` (or
    ``exit`` inside a block), or drop that ``then`` line. ``data`` says whether the edge jumps
    back (to a task that comes earlier in the list) and whether its task is the last one."""
    wf = analysis.workflow
    if wf is None:
        return []
    ids = finding.data.get("nodes")
    if not isinstance(ids, list):
        names = finding.data.get("cycle")
        ids = [n.id for n in wf.nodes.values() if isinstance(names, list) and n.name in names]
    members = set(ids)
    text = analysis.text
    out: list[Fix] = []
    rule = finding.rule
    for edge in wf.edges:
        if edge.kind not in (ir.THEN, ir.CASE) or edge.source not in members or edge.span is None:
            continue
        if edge.target not in members:
            continue
        src, dst = wf.nodes[edge.source], wf.nodes[str(edge.target)]
        scope = wf.scopes[src.scope]
        back = dst.scope == src.scope and dst.index <= src.index
        last = bool(scope.tasks) and scope.tasks[-1] == src.id
        facts = {"back_edge": back, "last_in_scope": last, "edge": edge.kind}
        s, e = edge.span.start.offset, edge.span.end.offset
        label = f'"{edge.target_name}" in "{src.name}"'
        out.append(
            Fix(
                f'Change {label} to "end"',
                (TextEdit(s, e, "end"),),
                rule,
                data={"kind": "loop-end", "to": "end", **facts},
            )
        )
        if scope.parent is not None:
            out.append(
                Fix(
                    f'Change {label} to "exit"',
                    (TextEdit(s, e, "exit"),),
                    rule,
                    data={"kind": "loop-exit", "to": "exit", **facts},
                )
            )
        ls, le = line_start(text, s), line_end(text, s)
        if edge.kind == ir.THEN and text[ls:le].strip().startswith("then:"):
            out.append(
                Fix(
                    f'Remove "then: {edge.target_name}" from "{src.name}"',
                    (TextEdit(ls, le, ""),),
                    rule,
                    data={"kind": "remove-then", **facts},
                )
            )
    return out


def loop_more(analysis: Analysis, finding: Finding) -> list[Fix]:
    """Quick fixes for a loop without an exit beyond the default case: drop the one ``then``
    that jumps back from the last task of its list (when exactly one does)."""
    backs = [
        f
        for f in loop_exits(analysis, finding)
        if f.data.get("kind") == "remove-then" and f.data.get("back_edge") and f.data.get("last_in_scope")
    ]
    return backs if len(backs) == 1 else []


def _remove_need(analysis: Analysis, job: ir.TaskNode, target: str) -> TextEdit | None:
    """An edit removing ``target`` from the ``needs`` of ``job`` (the whole ``needs:`` entry
    when it is the only job needed)."""
    m = job.mapping
    if m is None or m.flow:
        return None
    needs, key = m.get("needs"), m.key_node("needs")
    if needs is None or key is None:
        return None
    items = (
        [needs] if isinstance(needs, ScalarNode) else list(needs.items) if isinstance(needs, SeqNode) else []
    )
    low = target.lower()
    hit = next((x for x in items if isinstance(x, ScalarNode) and x.value.lower() == low), None)
    if hit is None:
        return None
    text = analysis.text
    if len(items) == 1:
        end = max(content_end(needs) - 1, key.span.end.offset)
        return TextEdit(line_start(text, key.span.start.offset), line_end(text, end), "")
    assert isinstance(needs, SeqNode)
    k = items.index(hit)
    if needs.flow:
        if k + 1 < len(items):
            return TextEdit(hit.span.start.offset, items[k + 1].span.start.offset, "")
        return TextEdit(items[k - 1].span.end.offset, hit.span.end.offset, "")
    return TextEdit(line_start(text, hit.span.start.offset), line_end(text, hit.span.start.offset), "")


def break_needs_cycle(analysis: Analysis, finding: Finding) -> list[Fix]:
    """For a ``needs`` cycle: drop one of its ``needs`` entries (each in turn)."""
    wf = analysis.workflow
    names = finding.data.get("cycle")
    if wf is None or not isinstance(names, list) or not names:
        return []
    out: list[Fix] = []
    for i, src in enumerate(names):
        dst = str(names[(i + 1) % len(names)])
        job = _job(wf, str(src))
        edit = _remove_need(analysis, job, dst) if job is not None else None
        if job is not None and edit is not None:
            out.append(
                Fix(
                    f'Remove "{dst}" from the needs of job "{job.name}"',
                    (edit,),
                    finding.rule,
                    data={"kind": "drop-need", "job": job.name, "need": dst},
                )
            )
    return out


# -- duplicated names ---------------------------------------------------------------------


def duplicate_id(analysis: Analysis, finding: Finding) -> list[Fix]:
    """For a duplicated task name, job id or step id, the copy the finding points at (the one
    that comes second) changes and every reference stays as it is:

    - a task is renamed to the name a ``then`` of its list writes and no task has (a copied
      task whose old name its users still write), else to a name derived from its content,
      else to the name with a number;
    - a GitHub step loses the copied ``id`` when no later step reads ``steps.<id>``, else is
      renamed with a number.

    The first is preferred."""
    wf = analysis.workflow
    name = finding.data.get("name")
    nid = finding.data.get("node")
    node = wf.nodes.get(nid) if wf is not None and isinstance(nid, str) else None
    if wf is None or node is None or not isinstance(name, str):
        return []
    out: list[Fix] = []
    taken = {n.name.lower() for n in wf.nodes.values()}
    rule = finding.rule
    span = finding.span
    if node.kind == "step":
        removal = _remove_step_id(analysis, node)
        if removal is not None and not _read_after(wf, node, name):
            out.append(removal)
    elif node.kind != "job":
        scope_names = {wf.nodes[t].name for t in wf.scopes[node.scope].tasks}
        dangling = sorted(
            {
                e.target_name
                for e in wf.edges
                if e.kind in (ir.THEN, ir.CASE)
                and e.target is None
                and e.target_name
                and "${" not in e.target_name
                and e.target_name not in FLOW_DIRECTIVES
                and e.target_name not in scope_names
                and e.source in wf.nodes
                and wf.nodes[e.source].scope == node.scope
                and e.target_name.lower() not in taken
            }
        )
        for new in dangling:
            out.append(
                Fix(
                    f'Rename to "{new}"',
                    (TextEdit(span.start.offset, span.end.offset, new),),
                    rule,
                    data={"kind": "rename-duplicate", "to": new, "dangling": True},
                )
            )
        derived = derived_name(node)
        if derived and derived.lower() not in taken:
            out.append(
                Fix(
                    f'Rename to "{derived}"',
                    (TextEdit(span.start.offset, span.end.offset, derived),),
                    rule,
                    data={"kind": "rename-duplicate", "to": derived, "derived": True},
                )
            )
    i = 2
    while f"{name}{i}".lower() in taken:
        i += 1
    numbered = f"{name}{i}" if "-" not in name else f"{name}-{i}"
    out.append(
        Fix(
            f'Rename to "{numbered}"',
            (TextEdit(span.start.offset, span.end.offset, numbered),),
            rule,
            data={"kind": "rename-duplicate", "to": numbered},
        )
    )
    if out:
        first = out[0]
        out[0] = Fix(first.title, first.edits, first.rule, True, first.data)
    return out


def _read_after(wf: ir.Workflow, step: ir.TaskNode, sid: str) -> bool:
    """True when a step after ``step`` in its job reads ``steps.<sid>`` (then it may mean the copy)."""
    job = step.payload.get("job")
    low = sid.lower()
    for r in wf.references:
        if r.kind != "step" or len(r.path) < 2 or r.path[1].lower() != low:
            continue
        reader = wf.nodes.get(r.node) if r.node else None
        # the job's outputs were written for the first; another job cannot read steps.*
        if reader is not None and reader.kind == "step" and reader.payload.get("job") == job:
            if reader.index > step.index:
                return True
    return False


def _remove_step_id(analysis: Analysis, node: ir.TaskNode) -> Fix | None:
    """An edit taking the ``id`` off a GitHub step (a copied line)."""
    m = node.mapping
    key = m.key_node("id") if m is not None else None
    if m is None or key is None or m.flow or len(m.pairs) < 2:
        return None
    text = analysis.text
    value = m.get("id")
    assert value is not None
    ls = line_start(text, key.span.start.offset)
    if text[ls : key.span.start.offset].strip():  # ``- id: x``: the next key moves up
        nxt = next(k for k, _ in m.pairs if k is not key)
        edit = TextEdit(key.span.start.offset, nxt.span.start.offset, "")
    else:
        edit = TextEdit(ls, line_end(text, max(value.span.end.offset - 1, key.span.end.offset)), "")
    job = node.payload.get("job", "")
    return Fix(
        f'Remove "id: {node.name}" from {step_label(text, node)} of job "{job}"',
        (edit,),
        "duplicate-id",
        data={"kind": "remove-id"},
    )


_WORD = re.compile(r"[A-Za-z][a-z0-9]*|[A-Z]+(?![a-z])")
_VERBS = {"get": "fetch", "post": "post", "put": "update", "patch": "update", "delete": "delete"}


def _camel(words: Iterable[str]) -> str:
    ws = [w for w in words if w]
    if not ws:
        return ""
    return ws[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in ws[1:])


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _scalar(node: Node | None, *path: str) -> str:
    for key in path:
        if not isinstance(node, MapNode):
            return ""
        node = node.get(key)
    return node.value if isinstance(node, ScalarNode) else ""


def derived_name(node: ir.TaskNode) -> str:
    """A task name read from what the task does (``checkSeverity`` for a switch on
    ``.alert.severity``, ``askBillingAgent`` for an A2A call to the billing agent,
    ``fetchOrders`` for a GET of ``/orders``); "" when the body says too little."""
    m = node.mapping
    if m is None:
        return ""
    words: list[str] = []
    if "switch" in m:
        cases = m.get("switch")
        for item in cases.items if isinstance(cases, SeqNode) else []:
            if isinstance(item, MapNode):
                for _, case in item.items():
                    when = _scalar(case, "when")
                    path = re.search(r"((?:\.[A-Za-z_]\w*)+)", when)
                    if path:
                        words = ["check", *_words(path.group(1).rsplit(".", 1)[-1])]
                        break
            if words:
                break
    elif "call" in m:
        call = _scalar(m, "call")
        with_ = m.get("with")
        if call == "a2a":
            url = _scalar(with_, "agentCard", "endpoint") or _scalar(with_, "agentCard")
            part = re.search(r"//[^/]+/(?:[^/]+/)*?([A-Za-z][\w-]*)/\.well-known", url)
            if part:
                words = ["ask", *_words(part.group(1)), "agent"]
        elif call in ("http", "openapi"):
            uri = _scalar(with_, "endpoint") or _scalar(with_, "endpoint", "uri")
            method = _scalar(with_, "method").lower()
            segs = [
                p for p in re.sub(r"[?#].*", "", uri.split("//", 1)[-1]).split("/")[1:] if p and "{" not in p
            ]
            segs = [p for p in segs if not re.fullmatch(r"v\d+|api|\$.*|\d+", p)]
            if segs:
                words = [_VERBS.get(method, "call"), *_words(segs[-1])]
        elif call == "asyncapi":
            words = _words(_scalar(with_, "operation") or _scalar(with_, "operationRef"))
        elif call == "mcp":
            method = _scalar(with_, "method")
            tool = _scalar(with_, "parameters", "name")
            words = _words(tool) if tool else ["list", "tools"] if method == "tools/list" else []
        elif call:
            words = ["call", *_words(call)]
    elif "run" in m:
        run = m.get("run")
        name = _scalar(run, "workflow", "name")
        words = ["run", *_words(name)] if name else []
    elif "emit" in m or "listen" in m:
        etype = _scalar(m, "emit", "event", "with", "type") or _first_type(m.get("listen"))
        parts = [p for p in etype.split(".") if p and not re.fullmatch(r"v\d+", p)][-2:]
        if parts:
            words = ["emit" if "emit" in m else "await", *(w for p in parts for w in _words(p))]
    elif "raise" in m:
        err = _scalar(m, "raise", "error")
        words = ["raise", *_words(err)] if err else []
    elif "set" in m:
        s = m.get("set")
        keys = [k.value for k, _ in s.items()] if isinstance(s, MapNode) else []
        words = ["set", *_words(keys[0])] if keys else []
    out = _camel(words)
    return out if len(words) >= 2 and out != node.name else ""


def _first_type(node: Node | None) -> str:
    for n in (node,):
        stack = [n]
        while stack:
            cur = stack.pop()
            if isinstance(cur, MapNode):
                t = cur.get("type")
                if isinstance(t, ScalarNode):
                    return t.value
                stack.extend(reversed([v for _, v in cur.items()]))
            elif isinstance(cur, SeqNode):
                stack.extend(reversed(cur.items))
    return ""


# -- GitHub Actions step ids and job outputs ----------------------------------------------

_STEP_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_STEP_READ = re.compile(r"steps\.([A-Za-z_][A-Za-z0-9_-]*)\.outputs\.")
_EXPR = re.compile(r"\$\{\{.*?\}\}", re.S)


def step_label(text: str, step: ir.TaskNode) -> str:
    """A short description of a step for a fix title: its name, or its first key."""
    m = step.mapping
    if m is None or not m.pairs:
        return f"step {step.index + 1}"
    named = m.get("name")
    first = next(((k, v) for k, v in m.items() if k.value != "id"), None)
    v: Node
    if isinstance(named, ScalarNode):
        key, v = "name", named
    elif first is not None:
        key, v = first[0].value, first[1]
    else:
        return f"step {step.index + 1}"
    lines = [ln.strip() for ln in text[v.span.start.offset : v.span.end.offset].splitlines()]
    lines = [ln for ln in lines if ln and ln not in ("|", ">", "|-", ">-")]
    value = lines[0] if lines else ""
    if len(value) > 48:
        value = value[:45] + "..."
    return f"step {step.index + 1} ({key}: {value})"


def _mentions(text: str, step: ir.TaskNode, word: str) -> bool:
    """True when the step's text outside ``${{ }}`` mentions ``word`` (a step that writes
    ``tag=...`` to $GITHUB_OUTPUT, not one that reads ``steps.x.outputs.tag``)."""
    b = step.body_span
    own = _EXPR.sub("", text[b.start.offset : b.end.offset])
    return bool(word) and word.lower() in own.lower()


def _id_place(wf: ir.Workflow, lead: str) -> str | None:
    """Where this workflow puts a step's ``id``: None for first, else the key it follows. Read
    from the steps with an id that start with the same key (``uses``, ``run``), else from all
    of them; with no (or split) evidence, after ``uses`` for a step that starts with one, else
    first."""
    same: list[str | None] = []
    every: list[str | None] = []
    for n in wf.nodes.values():
        m = n.mapping if n.kind == "step" else None
        keys = [k.value for k, _ in m.items()] if m is not None else []
        if "id" not in keys or len(keys) < 2:
            continue
        at = keys.index("id")
        place = keys[at - 1] if at else None
        rest = [k for k in keys if k != "id"]
        every.append(place)
        if rest[0] == lead:
            same.append(place)
    for seen in (same, every):
        if seen:
            top = max(set(seen), key=seen.count, default=None)
            if seen.count(top) * 2 > len(seen):
                return top
    return "uses" if lead == "uses" else None


def add_step_id(analysis: Analysis, finding: Finding) -> list[Fix]:
    """For ``steps.<id>`` naming no step of the job: give that id to a step that has none and
    runs before the reader (steps that mention the output read first, then the nearest), placed
    where this workflow's steps put their ids."""
    wf = analysis.workflow
    ref = reference_at(analysis, finding)
    if wf is None or ref is None or ref.kind != "step" or len(ref.path) < 2 or ref.node is None:
        return []
    sid = ref.path[1]
    reader = wf.nodes.get(ref.node)
    job = _job(wf, str(ref.data.get("job", "")))
    if reader is None or job is None or not _STEP_ID.match(sid):
        return []
    if any(st.name.lower() == sid.lower() and not st.payload.get("anonymous") for st in _steps_of(wf, job)):
        return []  # the id exists (a step that runs later): moving ids around is the author's call
    text = analysis.text
    before = [
        st
        for st in _steps_of(wf, job)
        if st.payload.get("anonymous") and (reader.kind == "job" or st.index < reader.index)
    ]
    output = ref.path[3] if len(ref.path) >= 4 and ref.path[2].lower() == "outputs" else ""
    before.sort(key=lambda st: (not _mentions(text, st, output), not _mentions(text, st, sid), -st.index))
    out: list[Fix] = []
    for st in before[:MAX_STEP_CANDIDATES]:
        m = st.mapping
        if m is None or m.flow or not m.pairs:
            continue
        pairs = list(m.items())
        after = _id_place(wf, pairs[0][0].value)
        prev = next((v for k, v in pairs if k.value == after), None) if after else None
        if prev is not None and prev is not m.pairs[-1][1]:  # ``- uses: ...`` then ``id:``
            k = line_end(text, max(content_end(prev) - 1, prev.span.start.offset))
            edit = TextEdit(k, k, f"{' ' * m.pairs[0][0].span.start.character}id: {sid}\n")
        else:  # ``- id: ...`` first, the step's first key moves to the next line
            k = m.pairs[0][0].span.start.offset
            edit = TextEdit(k, k, f"id: {sid}\n{' ' * (k - line_start(text, k))}")
        out.append(
            Fix(
                f'Add "id: {sid}" to {step_label(text, st)} of job "{job.name}"',
                (edit,),
                finding.rule,
                data={"kind": "declare", "to": sid},
            )
        )
    return out


_WRITES = re.compile(r"([A-Za-z_][\w-]*)=[^\n]*>>\s*\"?\$\{?GITHUB_OUTPUT")


def _sorted_before(keys: list[Node], name: str) -> Node | None:
    """The first of ``keys`` that ``name`` goes before to keep them sorted, when they are."""
    names = [k.value.lower() for k in keys if isinstance(k, ScalarNode)]
    if len(names) != len(keys) or names != sorted(names):
        return None
    return next((k for k in keys if isinstance(k, ScalarNode) and k.value.lower() > name.lower()), None)


def declare_output(analysis: Analysis, finding: Finding) -> list[Fix]:
    """For ``needs.<job>.outputs.<name>`` that the job does not declare: declare it, read from
    each step with an id in turn (steps that mention the output first, then the last); the value
    is the output the step writes to $GITHUB_OUTPUT when it writes only one, and the entry keeps a
    sorted ``outputs`` map sorted (a new map goes before ``steps``)."""
    wf = analysis.workflow
    output, job_name = finding.data.get("output"), finding.data.get("job")
    if wf is None or not isinstance(output, str) or not isinstance(job_name, str):
        return []
    if finding.data.get("context") != "needs":
        return []
    job = _job(wf, job_name)
    m = job.mapping if job is not None else None
    if job is None or m is None or m.flow or not m.pairs:
        return []
    text = analysis.text
    ind = " " * m.pairs[0][0].span.start.character
    outputs = m.get("outputs")
    if isinstance(outputs, MapNode):
        if outputs.flow or not outputs.pairs:
            return []
        keys = [k for k, _ in outputs.pairs]
        before = _sorted_before(keys, output)
        if before is not None:
            at = line_start(text, before.span.start.offset)
        else:
            last_k, last_v = outputs.pairs[-1]
            at = line_end(text, max(content_end(last_v) - 1, last_k.span.end.offset))
        head, entry_ind = "", " " * keys[0].span.start.character
    elif outputs is None:
        steps_key = m.key_node("steps")
        anchor = steps_key if steps_key is not None else m.pairs[0][0]
        at = line_start(text, anchor.span.start.offset)
        head, entry_ind = f"{ind}outputs:\n", ind + "  "
    else:
        return []
    ids = [st for st in _steps_of(wf, job) if not st.payload.get("anonymous")]
    ids.sort(key=lambda st: (not _mentions(text, st, output), -st.index))
    out: list[Fix] = []
    for st in ids[:MAX_STEP_CANDIDATES]:
        b = st.body_span
        written = sorted(set(_WRITES.findall(_EXPR.sub("", text[b.start.offset : b.end.offset]))))
        source = output if output in written or len(written) != 1 else written[0]
        value = f"${{{{ steps.{st.name}.outputs.{source} }}}}"
        out.append(
            Fix(
                f'Declare output "{output}" of job "{job.name}" from step "{st.name}"',
                (TextEdit(at, at, f"{head}{entry_ind}{output}: {value}\n"),),
                finding.rule,
                data={"kind": "declare", "via": "declare_output", "mentions": _mentions(text, st, output)},
            )
        )
    return out


def add_need(analysis: Analysis, finding: Finding) -> list[Fix]:
    """For a job that reads ``needs.<job>`` without needing it: add the job to its ``needs``,
    keeping a sorted list sorted (a new ``needs`` names the one job)."""
    wf = analysis.workflow
    need, job_name = finding.data.get("missing_need"), finding.data.get("job")
    if wf is None or not isinstance(need, str) or not isinstance(job_name, str):
        return []
    job = _job(wf, job_name)
    m = job.mapping if job is not None else None
    if job is None or m is None or m.flow or not m.pairs:
        return []
    text = analysis.text
    needs = m.get("needs")
    edit: TextEdit | None = None
    if isinstance(needs, SeqNode) and needs.items:
        before = _sorted_before(list(needs.items), need)
        if needs.flow:
            if before is not None:
                edit = TextEdit(before.span.start.offset, before.span.start.offset, f"{need}, ")
            else:
                close = needs.span.end.offset - 1
                edit = TextEdit(close, close, f", {need}")
        else:
            last = needs.items[-1]
            dash = " " * (last.span.start.character - 2)
            at = (
                line_start(text, before.span.start.offset)
                if before is not None
                else line_end(text, max(content_end(last) - 1, last.span.start.offset))
            )
            edit = TextEdit(at, at, f"{dash}- {need}\n")
    elif isinstance(needs, ScalarNode) and not needs.is_null:
        pair = sorted([needs.value, need], key=str.lower)
        edit = TextEdit(needs.span.start.offset, needs.span.end.offset, f"[{', '.join(pair)}]")
    elif needs is None:
        first = m.pairs[0][0]
        at = line_start(text, first.span.start.offset)
        edit = TextEdit(at, at, f"{' ' * first.span.start.character}needs: {need}\n")
    if edit is None:
        return []
    title = f'Add "{need}" to the needs of job "{job.name}"'
    return [Fix(title, (edit,), finding.rule, preferred=True, data={"kind": "declare", "via": "add_need"})]
