"""Problems pyflakes finds in a ``run:`` script run by ``shell: python`` (the step's, or the
job's or workflow's ``defaults.run.shell``), mapped back into the YAML. ``${{ }}`` expressions
are read as underscores of the same length. Runs only when pyflakes is installed (the ``lint``
extra); otherwise it finds nothing.

Bad::

    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - shell: python
            run: print(hello)

Good::

    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - shell: python
            run: print("hello")
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.dialects.github import facts, scripts
from wfspec.findings import Finding, Severity


def check(ctx: Context) -> Iterable[Finding]:
    f = facts.of(ctx.workflow.payload)
    for s in f.scripts:
        if s.shell is None or "${{" in s.shell.value:
            continue
        words = s.shell.value.split()
        if not words or words[0].lower() not in ("python", "python3") or not s.run.value.strip():
            continue
        for issue in scripts.pyflakes(s.run, ctx.doc.text, ctx.doc.index):
            yield RULE.finding(issue.span, issue.message, data={"code": issue.code})


RULE = make_rule(
    __name__,
    Severity.WARNING,
    "problems pyflakes finds in a Python run: script",
    check,
    dialects=frozenset({"github"}),
)
