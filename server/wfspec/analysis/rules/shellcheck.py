"""Problems shellcheck finds in a ``run:`` script run by ``bash`` or ``sh``, mapped back into the
YAML. The shell is the step's ``shell``, else the job's or the workflow's ``defaults.run.shell``,
else ``bash`` on a runner known to be Linux or macOS (Windows runs ``pwsh``; an unknown runner
is not checked). ``${{ }}`` expressions are read as underscores of the same length. Runs only
when shellcheck is installed (the ``lint`` extra ships it); otherwise it finds nothing.

Bad::

    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: rm -rf $BUILD_DIR/out

Good::

    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: rm -rf "$BUILD_DIR/out"
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.dialects.github import facts, scripts
from wfspec.findings import Finding, Severity


def _shell(s: facts.Script) -> str | None:
    if s.shell is None:
        if s.os is not None and "windows" not in s.os:
            return "bash"
        return None
    value = s.shell.value.strip()
    if "${{" in value or not value:
        return None
    name = value.split()[0].lower()
    return name if name in ("bash", "sh") else None


def check(ctx: Context) -> Iterable[Finding]:
    f = facts.of(ctx.workflow.payload)
    work = [(s.run.value, sh) for s in f.scripts if (sh := _shell(s)) is not None and s.run.value.strip()]
    scripts.prefetch_shellcheck(work)  # many scripts: a few processes, not one per step
    for s in f.scripts:
        shell = _shell(s)
        if shell is None or not s.run.value.strip():
            continue
        for issue in scripts.shellcheck(s.run, shell, ctx.doc.text, ctx.doc.index):
            yield RULE.finding(
                issue.span,
                f"{issue.code} ({issue.message})",
                data={"code": issue.code, "shell": shell},
            )


RULE = make_rule(
    __name__,
    Severity.WARNING,
    "problems shellcheck finds in a run: script",
    check,
    dialects=frozenset({"github"}),
)
