"""The rule registry: an explicit tuple, one module per rule, no import-time magic."""

from __future__ import annotations

from wfspec.analysis.rules import (
    constant_condition,
    credentials,
    cron,
    cycle,
    dangerous_trigger,
    deprecated_command,
    duplicate_id,
    event,
    expression,
    glob,
    loop_without_exit,
    matrix,
    out_of_scope_target,
    permissions,
    persist_credentials,
    runner_label,
    schema,
    script_injection,
    secrets_inherit,
    shell_name,
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
    constant_condition.RULE,
    cron.RULE,
    deprecated_command.RULE,
    event.RULE,
    glob.RULE,
    matrix.RULE,
    runner_label.RULE,
    credentials.RULE,
    shell_name.RULE,
    script_injection.RULE,
    dangerous_trigger.RULE,
    permissions.RULE,
    secrets_inherit.RULE,
    unpinned_action.RULE,
    persist_credentials.RULE,
)

BY_ID: dict[str, Rule] = {r.id: r for r in REGISTRY}
