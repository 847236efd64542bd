"""A transition names something that exists nowhere: a ``then`` (or switch case ``then``) naming
no task in the workflow, or a GitHub Actions ``needs`` naming no job.

The range is the reference; the message suggests the closest existing name.

Bad::

    do:
      - classify:
          call: a2a
          with: {method: message/send, agentCard: https://agents.example/triage}
          then: routeTicket
      - routeTickets:
          set: {routed: true}

Good::

    do:
      - classify:
          call: a2a
          with: {method: message/send, agentCard: https://agents.example/triage}
          then: routeTickets
      - routeTickets:
          set: {routed: true}
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec import ir
from wfspec.analysis.rules.base import Context, closest, make_rule
from wfspec.findings import Finding, Severity


def unresolved_edges(ctx: Context) -> Iterable[ir.Edge]:
    """Edges naming a target that did not resolve (dynamic expressions excluded)."""
    for e in ctx.workflow.edges:
        if (
            e.target is None
            and e.target_name is not None
            and e.span is not None
            and "${" not in e.target_name
        ):
            yield e


def check(ctx: Context) -> Iterable[Finding]:
    wf = ctx.workflow
    names = {n.name for n in wf.nodes.values()}
    for e in unresolved_edges(ctx):
        name = e.target_name or ""
        if name in names:
            continue  # exists elsewhere: out-of-scope-target
        source = wf.nodes.get(e.source)
        scope = wf.scopes[source.scope] if source is not None else None
        in_scope = [wf.nodes[t].name for t in scope.tasks if t != e.source] if scope else []
        best = closest(name, in_scope) or closest(name, names - {source.name if source else ""})
        what = "job" if e.kind == ir.NEEDS else "task"
        msg = f'unknown {what} "{name}"'
        if best:
            msg += f'; did you mean "{best}"?'
        elif e.kind != ir.NEEDS:
            msg += " (flow directives are continue, exit, end or a task name in the same do list)"
        yield RULE.finding(e.span, msg, data={"name": name, "suggestion": best, "source": e.source})  # type: ignore[arg-type]


RULE = make_rule(__name__, Severity.ERROR, "a transition naming something that exists nowhere", check)
