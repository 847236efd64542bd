"""A cycle of transitions from which no path leads to the end: the workflow can never finish.

Loops through ``then`` are legal; a loop is a finding only when every path stays in it (no
switch case leaves, no ``then: end``/``exit``, no ``raise``). The range is the first task of the
cycle in document order; the related information lists the cycle.

Bad::

    document:
      dsl: '1.0.0'
      namespace: examples
      name: loop-without-exit
      version: '1.0.0'
    do:
      - draft:
          call: a2a
          with: {method: message/send, agentCard: {endpoint: 'https://agents.example/writer'}}
      - review:
          call: a2a
          with: {method: message/send, agentCard: {endpoint: 'https://agents.example/reviewer'}}
          then: draft

Good::

    document:
      dsl: '1.0.0'
      namespace: examples
      name: loop-without-exit
      version: '1.0.0'
    do:
      - draft:
          call: a2a
          with: {method: message/send, agentCard: {endpoint: 'https://agents.example/writer'}}
      - review:
          switch:
            - approved:
                when: .approved
                then: end
            - revise:
                then: draft
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.findings import Finding, Related, Severity


def check(ctx: Context) -> Iterable[Finding]:
    wf = ctx.workflow
    if wf.dialect != "serverless":
        return
    finish = ctx.graph.can_finish()
    for comp in ctx.graph.cyclic_components():
        if comp & finish:
            continue
        tasks = [wf.nodes[n] for n in comp if n in wf.nodes]
        if not tasks:
            continue
        tasks.sort(key=lambda t: t.name_span.start.offset)
        first = tasks[0]
        names = ", ".join(f'"{t.name}"' for t in tasks[:6]) + (", ..." if len(tasks) > 6 else "")
        yield RULE.finding(
            first.name_span,
            f"loop without exit: {names} repeat forever and the workflow can never finish; "
            "add a switch case that leaves the loop (then: end, exit or a task after it)",
            related=[Related(t.name_span, f'"{t.name}" is part of the loop') for t in tasks[1:20]],
            data={"nodes": [t.id for t in tasks]},
        )


RULE = make_rule(__name__, Severity.ERROR, "a cycle of transitions with no path to the end", check)
