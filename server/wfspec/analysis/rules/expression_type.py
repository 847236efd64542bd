"""A GitHub Actions ``${{ }}`` expression whose types do not fit: a property that a known object
(``runner``, ``job``, ``strategy``, ``github``, ``steps.<id>``, ``needs.<id>``, a ``fromJSON``
literal) does not have, a property read from a string, number or boolean, an index of the wrong
kind, a comparison of values of incompatible types, a built-in function called with the wrong
number or kind of arguments, ``format`` placeholders without arguments (or arguments no
placeholder uses), ``fromJSON`` of a literal that is not JSON, and an object, array or null
written into a string. The types are recorded by lowering (``dialects/github/exprtypes.py``).

Bad::

    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: echo "${{ runner.operating_system }}"
          - if: ${{ startsWith(github.ref) }}
            run: echo "${{ format('{0}-{1}', github.sha) }}"

Good::

    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: echo "${{ runner.os }}"
          - if: ${{ startsWith(github.ref, 'refs/tags/') }}
            run: echo "${{ format('{0}-{1}', github.sha, runner.os) }}"
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.findings import Finding, Severity


def check(ctx: Context) -> Iterable[Finding]:
    for span, message in ctx.workflow.payload.get("expression_type_findings", ()):
        yield RULE.finding(span, message)


RULE = make_rule(
    __name__,
    Severity.ERROR,
    "a GitHub Actions expression whose types do not fit (properties, functions, comparisons)",
    check,
    dialects=frozenset({"github"}),
)
