"""A static matrix with a duplicate value in one of its rows, or an ``exclude`` entry that can
match nothing: a key the matrix has no row for, or a value the row does not hold (an object
value matches when every property it names is equal). ``exclude`` runs before ``include``, so only
the matrix rows count; ``include`` may add keys and is not checked. A matrix computed with an
expression (``fromJSON(...)``), and any row or entry holding ``${{ }}``, is never flagged. The range
is the duplicate value or the ``exclude`` key or value.

Bad::

    on: push
    jobs:
      test:
        runs-on: ${{ matrix.os }}
        strategy:
          matrix:
            os: [ubuntu-latest, windows-latest]
            node: [18, 20, 20]
            exclude:
              - os: macos-latest
        steps:
          - run: npm test

Good::

    on: push
    jobs:
      test:
        runs-on: ${{ matrix.os }}
        strategy:
          matrix:
            os: [ubuntu-latest, windows-latest]
            node: [18, 20]
            exclude:
              - os: windows-latest
                node: 18
        steps:
          - run: npm test
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, did_you_mean, make_rule
from wfspec.dialects.github import facts
from wfspec.dialects.github.nodes import entries
from wfspec.findings import Finding, Related, Severity
from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode, walk

Value = object


def plain(node: Node) -> Value:
    """A YAML value as plain data (scalars compare as the strings GitHub turns them into)."""
    if isinstance(node, ScalarNode):
        return None if node.tag == "null" else node.value
    if isinstance(node, SeqNode):
        return [plain(i) for i in node.items]
    assert isinstance(node, MapNode)
    return {k.value: plain(v) for k, v in entries(node)}


def _dynamic(node: Node) -> bool:
    return any(isinstance(n, ScalarNode) and "${{" in n.value for n in walk(node))


def _matches(pattern: Value, value: Value) -> bool:
    if isinstance(pattern, dict) and isinstance(value, dict):
        return all(k in value and _matches(v, value[k]) for k, v in pattern.items())
    return pattern == value


def _show(v: Value) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(", ", ": "))


def check(ctx: Context) -> Iterable[Finding]:
    for job in facts.of(ctx.workflow.payload).jobs:
        matrix = job.matrix
        if matrix is None:
            continue
        rows: dict[str, list[Value] | None] = {}  # None: the values are computed
        excludes: Node | None = None
        for key, value in entries(matrix):
            if key.value == "include":
                continue
            if key.value == "exclude":
                excludes = value
                continue
            if not isinstance(value, SeqNode) or _dynamic(value):
                rows[key.value] = None
                continue
            seen: dict[str, Node] = {}
            values: list[Value] = []
            for item in value.items:
                v = plain(item)
                values.append(v)
                canon = _show(v)
                if canon in seen:
                    first = seen[canon]
                    yield RULE.finding(
                        item.span,
                        f'duplicate value {_show(v)} in the matrix row "{key.value}" of job "{job.name}"; '
                        "the same combination runs twice",
                        related=[Related(first.span, "the first occurrence")],
                        data={"job": job.name, "key": key.value, "kind": "duplicate"},
                    )
                else:
                    seen[canon] = item
            rows[key.value] = values
        if not isinstance(excludes, SeqNode):
            continue
        for entry in excludes.items:
            if not isinstance(entry, MapNode) or _dynamic(entry):
                continue
            for key, value in entries(entry):
                if key.value not in rows:
                    names = ", ".join(f'"{n}"' for n in sorted(rows)) or "none"
                    yield RULE.finding(
                        key.span,
                        f'"exclude" names "{key.value}", which the matrix of job "{job.name}" has no row for'
                        f"{did_you_mean(key.value, rows)} (its rows: {names})",
                        data={"job": job.name, "key": key.value, "kind": "exclude-key"},
                    )
                    continue
                known = rows[key.value]
                if known is None:
                    continue
                v = plain(value)
                if not any(_matches(v, have) for have in known):
                    shown = ", ".join(_show(x) for x in known[:6]) + (", ..." if len(known) > 6 else "")
                    yield RULE.finding(
                        value.span,
                        f'"exclude" value {_show(v)} of "{key.value}" matches no value of that matrix row '
                        f'in job "{job.name}" ({shown}), so it excludes nothing',
                        data={"job": job.name, "key": key.value, "kind": "exclude-value"},
                    )


RULE = make_rule(
    __name__,
    Severity.ERROR,
    "duplicate matrix values, or an exclude entry that matches nothing",
    check,
    dialects=frozenset({"github"}),
)
