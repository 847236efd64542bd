"""A context or special function used at a GitHub Actions key where GitHub does not provide it:
``env``, ``runner``, ``secrets``, ``strategy`` or ``job`` outside the keys GitHub's context
availability table lists for them (``secrets`` in a job-level ``if``, ``env`` in a job's own
``env``), a status function (``success()``, ``always()``, ``cancelled()``, ``failure()``) outside
an ``if``, or ``hashFiles()`` outside steps. ``needs``, ``steps``, ``jobs`` and ``matrix`` are
checked by ``undefined-reference``. The table is ``dialects/github/availability.py``.

Bad::

    on: push
    jobs:
      deploy:
        if: ${{ secrets.DEPLOY_KEY != '' }}
        runs-on: ubuntu-latest
        steps:
          - run: echo "${{ success() }}"

Good::

    on: push
    jobs:
      deploy:
        if: ${{ vars.DEPLOY_ENABLED == 'true' }}
        runs-on: ubuntu-latest
        steps:
          - if: success()
            run: echo deploying
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.findings import Finding, Severity


def check(ctx: Context) -> Iterable[Finding]:
    for span, message in ctx.workflow.payload.get("context_availability_findings", ()):
        yield RULE.finding(span, message)


RULE = make_rule(
    __name__,
    Severity.ERROR,
    "a context or special function used where GitHub does not provide it",
    check,
    dialects=frozenset({"github"}),
)
