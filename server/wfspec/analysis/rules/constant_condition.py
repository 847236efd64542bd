"""An ``if:`` that is always true or always false. Two shapes: a ``${{ }}`` embedded in a longer
string (``if: ${{ a }} && ${{ b }}``, or text or a line break around one expression), which GitHub
reads as a non-empty string and so always runs; and a condition that reads no context and calls
no status function (``if: false``, ``if: ${{ 1 == 1 }}``), which has the same value on every run.
The range is the condition.

Bad::

    on: push
    jobs:
      deploy:
        runs-on: ubuntu-latest
        if: ${{ github.ref == 'refs/heads/main' }} && ${{ github.event_name == 'push' }}
        steps:
          - run: ./deploy.sh

Good::

    on: push
    jobs:
      deploy:
        runs-on: ubuntu-latest
        if: ${{ github.ref == 'refs/heads/main' && github.event_name == 'push' }}
        steps:
          - run: ./deploy.sh
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.dialects.github import expr, facts
from wfspec.dialects.github.lowering import find_expressions
from wfspec.findings import Finding, Severity

#: functions whose value depends on the run, not on their arguments
RUN_DEPENDENT = frozenset(("success", "always", "cancelled", "failure", "hashfiles"))


def _constant(node: expr.Node) -> bool:
    """True when the expression reads no context and calls no run-dependent function."""
    stack: list[expr.Node] = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, expr.Context):
            return False
        if isinstance(cur, expr.Call):
            if cur.name.lower() in RUN_DEPENDENT:
                return False
            stack.extend(cur.args)
        elif isinstance(cur, (expr.Property, expr.Index)):
            stack.append(cur.target)
            if isinstance(cur, expr.Index):
                stack.append(cur.index)
        elif isinstance(cur, expr.Unary):
            stack.append(cur.operand)
        elif isinstance(cur, expr.Binary):
            stack.extend((cur.left, cur.right))
    return True


def _show(value: str) -> str:
    return value.replace("\n", "\\n")


def check(ctx: Context) -> Iterable[Finding]:
    for cond in facts.of(ctx.workflow.payload).conditions:
        value = cond.value.value
        where = "job" if cond.step is None else "step"
        if "${{" in value:
            found = find_expressions(value)
            if not found or any(e[3] < 0 for e in found):
                continue  # an unclosed expression: the expression rule reports it
            if len(found) == 1 and found[0][0] == 0 and found[0][3] == len(value):
                inner = value[found[0][1] : found[0][2]]
            else:
                yield RULE.finding(
                    cond.value.span,
                    f'the {where} condition "{_show(value)}" is always true: text around "${{{{ }}}}" '
                    'makes it a non-empty string; write the whole condition inside one "${{ }}"',
                    data={"kind": "embedded", "node": cond.node_id},
                )
                continue
        else:
            inner = value
        if not inner.strip():
            continue
        parsed, err = expr.parse(inner)
        if parsed is None or err is not None or not _constant(parsed):
            continue
        if isinstance(parsed, expr.Literal) and isinstance(parsed.value, bool):
            outcome = "always true" if parsed.value else "always false"
            msg = f'the {where} condition "{inner.strip()}" is {outcome}; remove the "if"'
            if not parsed.value:
                msg += f" or the {where}"
        else:
            msg = (
                f'the {where} condition "{inner.strip()}" is constant: it reads no context, so it has '
                'the same value on every run; remove the "if" or make it depend on the run'
            )
        yield RULE.finding(cond.value.span, msg, data={"kind": "constant", "node": cond.node_id})


RULE = make_rule(
    __name__,
    Severity.WARNING,
    'an "if:" that is always true or always false',
    check,
    dialects=frozenset({"github"}),
)
