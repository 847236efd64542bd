"""YAML that does not parse: bad indentation, tabs, unclosed quotes or brackets, duplicate keys,
invalid UTF-8, several documents in one file, alias bombs, files over the size limit.

The findings come from the syntax layer; this module gives them a rule id, a severity and
documentation. When the YAML does not parse, nothing else is analyzed.

Bad::

    do:
      - greet:
          set: {message: "hello}

Good::

    do:
      - greet:
          set: {message: "hello"}
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.findings import Finding, Severity


def check(ctx: Context) -> Iterable[Finding]:
    return ()  # reported by the syntax layer before any rule runs


RULE = make_rule(__name__, Severity.ERROR, "YAML that does not parse", check)
