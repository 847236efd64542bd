"""A task that no path from the workflow's start reaches: it follows a ``then: end``,
``then: exit``, a jump, or a switch whose cases all leave, and nothing names it.

Tasks nested in an unreachable task are not reported again. Severity: warning.

Bad::

    do:
      - approve:
          set: {approved: true}
          then: end
      - notifyRequester:
          call: http
          with: {method: post, endpoint: https://chat.example/hook}

Good::

    do:
      - approve:
          set: {approved: true}
      - notifyRequester:
          call: http
          with: {method: post, endpoint: https://chat.example/hook}
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.findings import Finding, Severity


def check(ctx: Context) -> Iterable[Finding]:
    wf = ctx.workflow
    reach = ctx.graph.reachable()
    for nid, node in wf.nodes.items():
        if nid in reach or node.payload.get("independent"):
            continue
        owner = wf.scopes[node.scope].owner
        if owner is not None and owner not in reach:
            continue  # its enclosing task is reported instead
        what = {"job": "job", "step": "step"}.get(node.kind, "task")
        yield RULE.finding(
            node.name_span,
            f'{what} "{node.name}" is unreachable: no path from the start leads to it',
            tags=("unnecessary",),
            data={"node": nid, "name": node.name},
        )


RULE = make_rule(__name__, Severity.WARNING, "a task no path from the entry reaches", check)
