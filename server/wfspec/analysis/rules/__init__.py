"""The rule registry: an explicit tuple, one module per rule, no import-time magic."""

from __future__ import annotations

from wfspec.analysis.rules import (
    cycle,
    dangerous_trigger,
    duplicate_id,
    expression,
    loop_without_exit,
    out_of_scope_target,
    permissions,
    persist_credentials,
    schema,
    script_injection,
    secrets_inherit,
    syntax,
    undefined_reference,
    unknown_target,
    unpinned_action,
    unreachable,
    unused_definition,
)
from wfspec.analysis.rules.base import Rule

REGISTRY: tuple[Rule, ...] = (
    syntax.RULE,
    schema.RULE,
    duplicate_id.RULE,
    unknown_target.RULE,
    out_of_scope_target.RULE,
    unreachable.RULE,
    loop_without_exit.RULE,
    cycle.RULE,
    undefined_reference.RULE,
    unused_definition.RULE,
    expression.RULE,
    script_injection.RULE,
    dangerous_trigger.RULE,
    permissions.RULE,
    secrets_inherit.RULE,
    unpinned_action.RULE,
    persist_credentials.RULE,
)

BY_ID: dict[str, Rule] = {r.id: r for r in REGISTRY}
