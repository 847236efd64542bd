"""A registry password written into the workflow: ``credentials.password`` of a job
``container`` or of a ``services`` entry holding a literal value instead of a ``${{ secrets.X }}``
(or other) expression. Everyone who can read the repository can read it, forks and logs
included. The range is the password value.

Bad::

    on: push
    jobs:
      test:
        runs-on: ubuntu-latest
        services:
          redis:
            image: ghcr.io/acme/redis:7
            credentials:
              username: acme-ci
              password: hunter2
        steps:
          - run: make test

Good::

    on: push
    jobs:
      test:
        runs-on: ubuntu-latest
        services:
          redis:
            image: ghcr.io/acme/redis:7
            credentials:
              username: acme-ci
              password: ${{ secrets.REGISTRY_TOKEN }}
        steps:
          - run: make test
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.dialects.github import facts
from wfspec.findings import Finding, Severity
from wfspec.syntax.tree import ScalarNode


def check(ctx: Context) -> Iterable[Finding]:
    for cred in facts.of(ctx.workflow.payload).credentials:
        value = cred.value
        if (
            not isinstance(value, ScalarNode)
            or value.tag == "null"
            or not value.value
            or "${{" in value.value
        ):
            continue
        where = "the job container" if cred.service is None else f'service "{cred.service}"'
        yield RULE.finding(
            value.span,
            f'the registry password of {where} in job "{cred.job}" is written into the workflow; '
            'pass it from a secret ("${{ secrets.NAME }}")',
            data={"job": cred.job, "service": cred.service},
        )


RULE = make_rule(
    __name__,
    Severity.ERROR,
    "a container or service registry password written into the workflow instead of a secret",
    check,
    dialects=frozenset({"github"}),
)
