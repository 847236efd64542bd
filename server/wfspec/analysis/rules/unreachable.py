"""A task that no path from the workflow's start reaches: it follows a ``then: end``,
``then: exit``, a jump, or a switch whose cases all leave, and nothing names it.

Tasks nested in an unreachable task are not reported again, nor are tasks that only an
unresolved ``then`` (a typo) keeps from being reached: the typo's finding counts and names them.
Severity: warning.

Bad::

    document:
      dsl: '1.0.0'
      namespace: examples
      name: unreachable
      version: '1.0.0'
    do:
      - approve:
          set: {approved: true}
          then: end
      - notifyRequester:
          call: http
          with: {method: post, endpoint: 'https://chat.example/hook'}

Good::

    document:
      dsl: '1.0.0'
      namespace: examples
      name: unreachable
      version: '1.0.0'
    do:
      - approve:
          set: {approved: true}
      - notifyRequester:
          call: http
          with: {method: post, endpoint: 'https://chat.example/hook'}
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis import masking
from wfspec.analysis.rules.base import Context, make_rule
from wfspec.findings import Finding, Severity


def check(ctx: Context) -> Iterable[Finding]:
    wf = ctx.workflow
    reach = ctx.graph.reachable()
    presumed = masking.masking(ctx).presumed_reachable if ctx.graph.dangling else reach
    for nid, node in wf.nodes.items():
        if nid in reach or node.payload.get("independent"):
            continue
        if nid in presumed:
            continue  # reachable once a typo'd reference is fixed: the typo's finding says so
        owner = wf.scopes[node.scope].owner
        if owner is not None and owner not in presumed:
            continue  # its enclosing task is reported instead
        yield RULE.finding(
            node.name_span,
            masking.unreachable_message(masking.what_of(node), node.name),
            tags=("unnecessary",),
            data={"node": nid, "name": node.name},
        )


RULE = make_rule(__name__, Severity.WARNING, "a task no path from the entry reaches", check)
