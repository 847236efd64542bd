"""A declared function, error, secret, authentication, retry or timeout policy, or job output
that nothing uses. Severity: hint (shown faded in editors).

Bad::

    document:
      dsl: '1.0.0'
      namespace: examples
      name: unused-definition
      version: '1.0.0'
    use:
      functions:
        sendSms:
          call: http
          with: {method: post, endpoint: 'https://sms.example/send'}
    do:
      - greet:
          set: {message: hello}

Good::

    document:
      dsl: '1.0.0'
      namespace: examples
      name: unused-definition
      version: '1.0.0'
    do:
      - greet:
          set: {message: hello}
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.findings import Finding, Severity

CHECKED = {
    "function": "function",
    "error": "error",
    "secret": "secret",
    "authentication": "authentication",
    "retry": "retry policy",
    "timeout": "timeout",
    "job-output": "job output",
}


def check(ctx: Context) -> Iterable[Finding]:
    wf = ctx.workflow
    used: dict[str, set[str]] = {}
    for ref in wf.references:
        used.setdefault(ref.kind, set()).add(ref.name)
    for d in wf.definitions:
        if d.kind not in CHECKED or d.data.get("external"):
            continue
        if d.name in used.get(d.kind, set()):
            continue
        yield RULE.finding(
            d.span,
            f'{CHECKED[d.kind]} "{d.name}" is declared but never used',
            tags=("unnecessary",),
            data={"kind": d.kind, "name": d.name},
        )


RULE = make_rule(__name__, Severity.HINT, "a declaration nobody uses", check)
