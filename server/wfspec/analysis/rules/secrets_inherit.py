"""``secrets: inherit`` on a reusable workflow call hands every secret the caller can read (the
repository's, the organization's and the environment's) to the called workflow, whatever it
needs. Severity warning for a workflow of another repository, whose code you do not review with
yours; hint for a local one (``./.github/workflows/...``), which changes with your own code.
Pass the secrets it needs by name.

Bad::

    on: push
    jobs:
      scan:
        uses: example-org/shared/.github/workflows/scan.yml@v3
        secrets: inherit

Good::

    on: push
    jobs:
      scan:
        uses: example-org/shared/.github/workflows/scan.yml@v3
        secrets:
          SCAN_TOKEN: ${{ secrets.SCAN_TOKEN }}
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.findings import Finding, Severity
from wfspec.syntax.tree import ScalarNode


def check(ctx: Context) -> Iterable[Finding]:
    from wfspec.dialects.github import security
    from wfspec.dialects.github.nodes import get, text

    for jf in security.jobs(ctx.workflow, ctx.extra):
        if jf.mapping is None:
            continue
        secrets = get(jf.mapping, "secrets")
        uses = text(get(jf.mapping, "uses"))
        if uses is None or not isinstance(secrets, ScalarNode) or secrets.value.strip() != "inherit":
            continue
        local = uses.startswith("./")
        yield RULE.finding(
            secrets.span,
            f'"secrets: inherit" hands every secret of this repository to "{uses}"; pass only the secrets it '
            "needs by name",
            severity=Severity.HINT if local else None,
            data={"job": jf.node.name, "uses": uses, "local": local},
        )


RULE = make_rule(
    __name__,
    Severity.WARNING,
    "secrets: inherit hands every secret to a reusable workflow",
    check,
    dialects=frozenset({"github"}),
)
