"""The faults an unresolved reference masks, and the masked findings put back for comparisons.

An unresolved ``then`` (a typo, a task of another block) leads nowhere in the graph
(:mod:`wfspec.analysis.graph`). Left at that, the tasks reachable only through it would be
reported as unreachable on top of the typo; drawn as "may go anywhere" (what the graph once did)
it made every task reachable and hid real faults. Here each dangling reference is presumed to
lead where it was meant to go:

- to the task it names, when that task exists in another block (out-of-scope-target), or
  anywhere in its own block or out of it (a jump out of a block may mean to leave it);
- else to the task the unknown-target finding suggests ("did you mean ..."), when there is one;
- else to any task of its own block, or out of the block.

A task is *masked* by a reference when it is reachable with every dangling reference led where
it was presumed to go, and not without that one. The unreachable rule leaves masked tasks out;
the reference's own finding names them (``data["masked"]``, ``data["unreachable"]``, one related
location each) and says how many there are. :func:`with_masked` turns those back into the
unreachable findings they stand for, so that comparing two analyses (suggestion validation)
never takes a masked fault for a fixed one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from wfspec import ir
from wfspec.analysis.rules.base import Context
from wfspec.findings import Finding, Related, Severity
from wfspec.ir import Workflow
from wfspec.suggest import closest

UNREACHABLE = "unreachable"


def unreachable_message(what: str, name: str) -> str:
    """The unreachable rule's message (shared with the findings :func:`with_masked` restores)."""
    return f'{what} "{name}" is unreachable: no path from the start leads to it'


def what_of(node: ir.TaskNode) -> str:
    return {"job": "job", "step": "step"}.get(node.kind, "task")


def suggestion(wf: Workflow, e: ir.Edge) -> str | None:
    """The closest existing name for an unresolved reference: in its own block first."""
    name = e.target_name or ""
    names = {n.name for n in wf.nodes.values()}
    source = wf.nodes.get(e.source)
    scope = wf.scopes[source.scope] if source is not None else None
    in_scope = [wf.nodes[t].name for t in scope.tasks if t != e.source] if scope else []
    return closest(name, in_scope) or closest(name, names - {source.name if source else ""})


def reporting_rule(wf: Workflow, e: ir.Edge) -> str:
    """The rule that reports dangling reference ``e``."""
    name = e.target_name or ""
    if e.kind != ir.NEEDS and any(n.name == name for n in wf.nodes.values()):
        return "out-of-scope-target"
    return "unknown-target"


def presumed_targets(wf: Workflow, e: ir.Edge) -> list[str]:
    """Where a dangling reference was presumably meant to lead (graph node ids)."""
    name = e.target_name or ""
    source = wf.nodes.get(e.source)
    block = []
    if source is not None:
        scope = wf.scopes[source.scope]
        block = [t for t in scope.tasks if t != e.source] + [scope.exit]
    named = [nid for nid, n in wf.nodes.items() if n.name == name]
    if named:
        return named + block  # a jump out of its block: it may have meant to leave it
    best = suggestion(wf, e)
    if best is not None:
        return [nid for nid, n in wf.nodes.items() if n.name == best][:1]
    return block


@dataclass(frozen=True, slots=True)
class Masking:
    """What the dangling references of one workflow mask."""

    presumed_reachable: frozenset[str]
    """Graph nodes reachable with every dangling reference led where it was presumed to go."""
    by_edge: dict[int, tuple[str, ...]]
    """``id(edge)`` -> the tasks (ids, document order) only that reference makes reachable and
    that the unreachable rule would report."""

    def masked(self, e: ir.Edge) -> tuple[str, ...]:
        return self.by_edge.get(id(e), ())


def _reported(wf: Workflow, nid: str, reach: set[str] | frozenset[str]) -> bool:
    """Whether the unreachable rule reports task ``nid`` given the reachable set ``reach``."""
    node = wf.nodes[nid]
    if nid in reach or node.payload.get("independent"):
        return False
    owner = wf.scopes[node.scope].owner
    return owner is None or owner in reach


def masking(ctx: Context) -> Masking:
    """The masking of ``ctx``'s workflow (computed once per analysis)."""
    got = ctx.extra.get("masking")
    if isinstance(got, Masking):
        return got
    wf, g = ctx.workflow, ctx.graph
    # a reference masks only where its own finding says so: its rule must be on
    reported = [e for e in g.dangling if ctx.config.enabled(reporting_rule(wf, e))]
    if not ctx.config.enabled(UNREACHABLE):
        reported = []
    presumed = {id(e): [(e.source, t) for t in presumed_targets(wf, e)] for e in reported}
    every = [pair for pairs in presumed.values() for pair in pairs]
    full = g.reachable_with(every)
    by_edge: dict[int, tuple[str, ...]] = {}
    if full != g.reachable():
        for e in reported:
            without = g.reachable_with([p for k, pairs in presumed.items() if k != id(e) for p in pairs])
            gained = [nid for nid in wf.nodes if nid in full and _reported(wf, nid, without)]
            if gained:
                by_edge[id(e)] = tuple(gained)
    got = Masking(frozenset(full), by_edge)
    ctx.extra["masking"] = got
    return got


def describe(ctx: Context, e: ir.Edge) -> tuple[str, dict[str, object], list[Related]]:
    """For the finding of dangling reference ``e``: the message's last sentence (join it with
    :func:`append`), the data and the
    related locations of the tasks it masks (empty when it masks none). The related locations
    go last, after the finding's own."""
    wf = ctx.workflow
    ids = masking(ctx).masked(e)
    if not ids:
        return "", {}, []
    nodes = [wf.nodes[nid] for nid in ids]
    what = what_of(nodes[0]) if len({what_of(n) for n in nodes}) == 1 else "task"
    count = f"1 {what} is" if len(nodes) == 1 else f"{len(nodes)} {what}s are"
    suffix = f"{count} unreachable until this is fixed"
    data: dict[str, object] = {
        "unreachable": [n.name for n in nodes],
        "masked": [{"node": n.id, "name": n.name, "what": what_of(n)} for n in nodes],
    }
    related = [Related(n.name_span, f'"{n.name}" is unreachable until this is fixed') for n in nodes]
    return suffix, data, related


def append(message: str, sentence: str) -> str:
    """``message`` and a further clause: after "?" as a new sentence, else after "; "."""
    if not sentence:
        return message
    return f"{message} {sentence}" if message.endswith("?") else f"{message}; {sentence}"


def with_masked(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` plus the unreachable findings their dangling references mask, as the
    unreachable rule would report them without the masking (at each task's name)."""
    out: list[Finding] = []
    for f in findings:
        out.append(f)
        masked = f.data.get("masked")
        if not isinstance(masked, list):
            continue
        spans = [r.span for r in f.related][-len(masked) :] if masked else []
        for i, m in enumerate(masked):
            if not isinstance(m, dict):
                continue
            name, what = str(m.get("name", "")), str(m.get("what", "task"))
            span = spans[i] if len(spans) == len(masked) else f.span
            out.append(
                Finding(
                    UNREACHABLE,
                    Severity.WARNING,
                    unreachable_message(what, name),
                    span,
                    data={"node": m.get("node"), "name": name, "masked_by": f.data.get("name")},
                    tags=("unnecessary",),
                )
            )
    return out
