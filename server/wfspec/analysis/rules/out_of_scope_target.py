"""Serverless Workflow: a ``then`` naming a task declared in another ``do`` block.

Flow directives may only redirect to tasks declared within their own scope; a task inside a
``for``, ``try`` or nested ``do`` cannot jump to a task of the enclosing list (use ``then: exit``
and let the outer list continue). The range is the reference.

Bad::

    document:
      dsl: '1.0.0'
      namespace: examples
      name: out-of-scope-target
      version: '1.0.0'
    do:
      - review:
          do:
            - check:
                set: {ok: true}
                then: publish
      - publish:
          set: {published: true}

Good::

    document:
      dsl: '1.0.0'
      namespace: examples
      name: out-of-scope-target
      version: '1.0.0'
    do:
      - review:
          do:
            - check:
                set: {ok: true}
                then: exit
      - publish:
          set: {published: true}
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis import masking
from wfspec.analysis.rules.base import Context, make_rule
from wfspec.analysis.rules.unknown_target import unresolved_edges
from wfspec.findings import Finding, Related, Severity


def check(ctx: Context) -> Iterable[Finding]:
    wf = ctx.workflow
    by_name: dict[str, list[str]] = {}
    for nid, n in wf.nodes.items():
        by_name.setdefault(n.name, []).append(nid)
    for e in unresolved_edges(ctx):
        targets = by_name.get(e.target_name or "")
        if not targets:
            continue
        target = wf.nodes[targets[0]]
        owner = wf.scopes[target.scope].owner
        where = f'inside "{wf.nodes[owner].name}"' if owner else "in the top-level do list"
        assert e.span is not None
        suffix, data, related = masking.describe(ctx, e)
        yield RULE.finding(
            e.span,
            masking.append(
                f'"{target.name}" is declared {where}, outside this do list; flow directives may '
                "only target tasks in their own scope (use then: exit to leave this block)",
                suffix,
            ),
            related=[Related(target.name_span, f'"{target.name}" is declared here'), *related],
            data={"name": target.name, "source": e.source, **data},
        )


RULE = make_rule(
    __name__,
    Severity.ERROR,
    "a then naming a task declared in another do block",
    check,
    dialects=frozenset({"serverless"}),
)
