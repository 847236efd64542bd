"""An event trigger GitHub cannot honour: an activity type the webhook does not have
(``release: types: [publish]``), and ``workflow_dispatch``/``workflow_call`` inputs whose parts do
not fit together: a ``choice`` without options, duplicate options, a default outside the
options, ``options`` on an input that is not a ``choice``, a ``boolean`` default that is not true or
false, a ``number`` default that is not a number, and a ``workflow_call`` input both required and
given a default (the default is never used). Unknown event names and filters, and ``branches``
with ``branches-ignore``, are reported by ``schema``. The range is the value at fault.

Bad::

    on:
      release:
        types: [publish]
      workflow_dispatch:
        inputs:
          level:
            type: choice
            options: [info, debug]
            default: trace
    jobs:
      triage:
        runs-on: ubuntu-latest
        steps:
          - run: echo triage

Good::

    on:
      release:
        types: [published]
      workflow_dispatch:
        inputs:
          level:
            type: choice
            options: [info, debug]
            default: info
    jobs:
      triage:
        runs-on: ubuntu-latest
        steps:
          - run: echo triage
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from wfspec.analysis.rules.base import Context, did_you_mean, make_rule
from wfspec.dialects.github import facts
from wfspec.dialects.github.nodes import as_map, entries, get, is_expr
from wfspec.findings import Finding, Related, Severity
from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode

_PR = (
    "assigned unassigned labeled unlabeled opened edited closed reopened synchronize converted_to_draft "
    "locked unlocked enqueued dequeued milestoned demilestoned ready_for_review review_requested "
    "review_request_removed auto_merge_enabled auto_merge_disabled"
)
#: activity types per webhook event (GitHub's "Events that trigger workflows")
ACTIVITY_TYPES: dict[str, frozenset[str]] = {
    k: frozenset(v.split())
    for k, v in {
        "branch_protection_rule": "created edited deleted",
        "check_run": "created rerequested completed requested_action",
        "check_suite": "completed",
        "discussion": "created edited deleted transferred pinned unpinned labeled unlabeled locked unlocked "
        "category_changed answered unanswered",
        "discussion_comment": "created edited deleted",
        "issue_comment": "created edited deleted",
        "issues": "opened edited deleted transferred pinned unpinned closed reopened assigned unassigned "
        "labeled unlabeled locked unlocked milestoned demilestoned typed untyped",
        "label": "created edited deleted",
        "merge_group": "checks_requested",
        "milestone": "created closed opened edited deleted",
        "project": "created closed reopened edited deleted",
        "project_card": "created moved converted edited deleted",
        "project_column": "created updated moved deleted",
        "pull_request": _PR,
        "pull_request_target": _PR,
        "pull_request_review": "submitted edited dismissed",
        "pull_request_review_comment": "created edited deleted",
        "registry_package": "published updated",
        "release": "published unpublished created edited deleted prereleased released",
        "watch": "started",
        "workflow_run": "completed requested in_progress",
    }.items()
}


def _types(event: str, body: MapNode) -> Iterator[Finding]:
    allowed = ACTIVITY_TYPES.get(event)
    types = get(body, "types")
    if allowed is None or types is None:
        return
    items = [types] if isinstance(types, ScalarNode) else types.items if isinstance(types, SeqNode) else []
    for item in items:
        if not isinstance(item, ScalarNode) or item.tag == "null" or is_expr(item):
            continue
        if item.value not in allowed:
            hint = did_you_mean(item.value, allowed)
            if not hint:
                hint = "; its types are " + ", ".join(f'"{t}"' for t in sorted(allowed))
            yield RULE.finding(
                item.span,
                f'unknown activity type "{item.value}" of the "{event}" event{hint}',
                data={"event": event, "type": item.value, "kind": "activity-type"},
            )


def _number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _inputs(event: str, body: MapNode) -> Iterator[Finding]:
    inputs = as_map(get(body, "inputs"))
    if inputs is None:
        return
    for key, spec in entries(inputs):
        m = as_map(spec)
        if m is None:
            continue
        name = key.value
        typ_node = get(m, "type")
        typ = typ_node.value if isinstance(typ_node, ScalarNode) else "string" if typ_node is None else None
        default = get(m, "default")
        options = get(m, "options")
        data = {"event": event, "input": name}
        default_v = default.value if isinstance(default, ScalarNode) and default.tag != "null" else None
        if default_v is not None and "${{" in default_v:
            default_v = None
        if event == "workflow_dispatch" and typ == "choice":
            if isinstance(options, SeqNode) and not options.items:
                yield RULE.finding(key.span, f'input "{name}" has type "choice" but no options', data=data)
            if isinstance(options, SeqNode):
                seen: dict[str, ScalarNode] = {}
                for opt in options.items:
                    if not isinstance(opt, ScalarNode):
                        continue
                    if opt.value in seen:
                        yield RULE.finding(
                            opt.span,
                            f'option "{opt.value}" of input "{name}" is listed twice',
                            related=[Related(seen[opt.value].span, "the first occurrence")],
                            data=data,
                        )
                    else:
                        seen[opt.value] = opt
                if default_v is not None and seen and default_v not in seen and isinstance(default, Node):
                    shown = ", ".join(f'"{o}"' for o in seen)
                    yield RULE.finding(
                        default.span,
                        f'default "{default_v}" of input "{name}" is not one of its options ({shown})'
                        f"{did_you_mean(default_v, seen)}",
                        data=data,
                    )
        elif event == "workflow_dispatch" and options is not None:
            kn = next((k for k, _ in entries(m) if k.value == "options"), None)
            yield RULE.finding(
                key.span,
                f'"options" has no effect on input "{name}": its type is "{typ}", not "choice"',
                related=[Related((kn or options).span, 'the "options" to remove, or set "type: choice"')],
                data=data,
            )
        if default_v is not None and isinstance(default, ScalarNode):
            if typ == "boolean" and default_v.strip().lower() not in ("true", "false"):
                yield RULE.finding(
                    default.span,
                    f'default "{default_v}" of boolean input "{name}" must be true or false',
                    data=data,
                )
            elif typ == "number" and not _number(default_v):
                yield RULE.finding(
                    default.span,
                    f'default "{default_v}" of number input "{name}" is not a number',
                    data=data,
                )
        required = get(m, "required")
        if (
            event == "workflow_call"
            and default is not None
            and isinstance(required, ScalarNode)
            and required.value.strip().lower() == "true"
        ):
            yield RULE.finding(
                default.span,
                f'input "{name}" is required, so its default is never used; drop "default" or "required"',
                severity=Severity.WARNING,
                data=data,
            )


def check(ctx: Context) -> Iterable[Finding]:
    for ev in facts.of(ctx.workflow.payload).events:
        body = as_map(ev.body)
        if body is None:
            continue
        yield from _types(ev.key.value, body)
        if ev.key.value in ("workflow_dispatch", "workflow_call"):
            yield from _inputs(ev.key.value, body)


RULE = make_rule(
    __name__,
    Severity.ERROR,
    "an unknown activity type, or workflow_dispatch/workflow_call inputs that do not fit together",
    check,
    dialects=frozenset({"github"}),
)
