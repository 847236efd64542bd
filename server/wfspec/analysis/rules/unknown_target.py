"""A transition names something that exists nowhere: a ``then`` (or switch case ``then``) naming
no task in the workflow, or a GitHub Actions ``needs`` naming no job.

The range is the reference; the message suggests the closest existing name. The reference
leads nowhere: tasks reachable only through it are not reported as unreachable on top, the
message counts them instead ("2 tasks are unreachable until this is fixed") and the finding
names them (``data["unreachable"]``, and one related location each).

Bad::

    document:
      dsl: '1.0.0'
      namespace: examples
      name: unknown-target
      version: '1.0.0'
    do:
      - classify:
          call: a2a
          with: {method: message/send, agentCard: {endpoint: 'https://agents.example/triage'}}
          then: routeTicket
      - routeTickets:
          set: {routed: true}

Good::

    document:
      dsl: '1.0.0'
      namespace: examples
      name: unknown-target
      version: '1.0.0'
    do:
      - classify:
          call: a2a
          with: {method: message/send, agentCard: {endpoint: 'https://agents.example/triage'}}
          then: routeTickets
      - routeTickets:
          set: {routed: true}
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec import ir
from wfspec.analysis import masking
from wfspec.analysis.rules.base import Context, make_rule
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
        best = masking.suggestion(wf, e)
        what = "job" if e.kind == ir.NEEDS else "task"
        msg = f'unknown {what} "{name}"'
        if best:
            msg += f'; did you mean "{best}"?'
        elif e.kind != ir.NEEDS:
            msg += " (flow directives are continue, exit, end or a task name in the same do list)"
        suffix, data, related = masking.describe(ctx, e)
        yield RULE.finding(
            e.span,  # type: ignore[arg-type]
            masking.append(msg, suffix),
            related=related,
            data={"name": name, "suggestion": best, "source": e.source, **data},
        )


RULE = make_rule(__name__, Severity.ERROR, "a transition naming something that exists nowhere", check)
