"""Two tasks, jobs or steps with the same name in one scope.

A flow directive naming such a task is ambiguous, and most runtimes reject the workflow. The
range is the second occurrence's name.

Bad::

    document:
      dsl: '1.0.0'
      namespace: examples
      name: duplicate-id
      version: '1.0.0'
    do:
      - notify:
          call: http
          with: {method: post, endpoint: 'https://chat.example/hook'}
      - notify:
          emit:
            event: {with: {source: 'https://example.com', type: com.example.notified}}

Good::

    document:
      dsl: '1.0.0'
      namespace: examples
      name: duplicate-id
      version: '1.0.0'
    do:
      - notifyChat:
          call: http
          with: {method: post, endpoint: 'https://chat.example/hook'}
      - emitNotified:
          emit:
            event: {with: {source: 'https://example.com', type: com.example.notified}}
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.findings import Finding, Related, Severity


def check(ctx: Context) -> Iterable[Finding]:
    wf = ctx.workflow
    for scope in wf.scopes.values():
        first: dict[str, str] = {}
        for tid in scope.tasks:
            node = wf.nodes[tid]
            if node.payload.get("anonymous"):
                continue
            key = node.name.lower() if scope.kind in ("jobs", "steps") else node.name
            if key in first:
                other = wf.nodes[first[key]]
                what = {"jobs": "job", "steps": "step id"}.get(scope.kind, "task")
                yield RULE.finding(
                    node.name_span,
                    f'duplicate {what} "{node.name}"; the first is on line {other.name_span.start.line + 1}',
                    related=[Related(other.name_span, f'first "{other.name}"')],
                    data={"name": node.name, "node": tid},
                )
            else:
                first[key] = tid


RULE = make_rule(__name__, Severity.ERROR, "two tasks, jobs or steps with the same name in one scope", check)
