"""A token with every write permission: ``permissions: write-all`` on the workflow or a job, or no
``permissions`` at all in a workflow started by a privileged trigger (``pull_request_target``,
``workflow_run``, ``issue_comment``, ``issues``, ``discussion``, ``discussion_comment``), where
anyone can start it and the token is as wide as the repository's default (write, in many
repositories). Severity warning. A job with its own ``permissions`` is covered; the finding is on
``write-all``, or on the privileged trigger and names the uncovered jobs.

Bad::

    on: issue_comment
    jobs:
      label:
        runs-on: ubuntu-latest
        steps:
          - run: gh issue edit "$NUMBER" --add-label triage

Good::

    on: issue_comment
    permissions:
      issues: write
    jobs:
      label:
        runs-on: ubuntu-latest
        steps:
          - run: gh issue edit "$NUMBER" --add-label triage
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.findings import Finding, Related, Severity
from wfspec.syntax.tree import Node, ScalarNode


def _write_all(node: Node | None) -> bool:
    return isinstance(node, ScalarNode) and node.value.strip() == "write-all"


def check(ctx: Context) -> Iterable[Finding]:
    from wfspec.dialects.github import security
    from wfspec.dialects.github.nodes import as_map, get

    root = as_map(ctx.doc.root)
    top = get(root, "permissions") if root is not None else None
    jobs = security.jobs(ctx.workflow, ctx.extra)
    for where, node in [("the workflow", top)] + [
        (f'job "{jf.node.name}"', get(jf.mapping, "permissions") if jf.mapping is not None else None)
        for jf in jobs
    ]:
        if node is not None and _write_all(node):
            yield RULE.finding(
                node.span,
                f'"write-all" gives {where} a token that may write everything; grant only the scopes '
                'it needs (e.g. "contents: read")',
                data={"where": where, "kind": "write-all"},
            )
    if top is not None:
        return
    evs = security.triggers(ctx.doc.root, ctx.extra)
    privileged = [e for e in evs if e in security.PRIVILEGED]
    if not privileged:
        return
    bare = [jf for jf in jobs if jf.mapping is None or get(jf.mapping, "permissions") is None]
    if not bare:
        return
    trigger = evs[privileged[0]]
    names = ", ".join(f'"{jf.node.name}"' for jf in bare[:5]) + (", ..." if len(bare) > 5 else "")
    span = (
        trigger.span if trigger is not None else (root.span if root is not None else bare[0].node.name_span)
    )
    yield RULE.finding(
        span,
        f'"{privileged[0]}" lets anyone start this workflow, and no "permissions" limit the token of '
        f"job{'s' if len(bare) > 1 else ''} {names}; declare the scopes it needs "
        '(e.g. top-level "permissions: {contents: read}")',
        related=[Related(jf.node.name_span, f'job "{jf.node.name}" has no "permissions"') for jf in bare[:5]],
        data={"trigger": privileged[0], "jobs": [jf.node.name for jf in bare], "kind": "missing"},
    )


RULE = make_rule(
    __name__,
    Severity.WARNING,
    "write-all, or no permissions on a workflow anyone can start",
    check,
    dialects=frozenset({"github"}),
)
