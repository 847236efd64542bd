"""A third-party action or reusable workflow used by a tag or branch instead of a full 40-digit
commit SHA: whoever controls that repository can move the tag to other code, which then runs
with your secrets (tj-actions/changed-files, March 2025). Actions of ``actions/*`` and
``github/*`` are GitHub's own, run on GitHub's runners anyway, and are not reported by default;
local actions (``./``) and ``docker://`` images are not reported.

Severity hint. With ``require-pinned-actions = true`` in ``[tool.wfspec]`` every remote action,
GitHub's included, must be pinned, and the finding is an error. Keep the version in a comment
(``@<sha> # v4.1.1``) so that Dependabot and Renovate can update it.

Bad::

    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - uses: docker/login-action@v3

Good::

    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - uses: docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772 # v3.4.0
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.findings import Finding, Severity
from wfspec.syntax.tree import Node, ScalarNode

FIRST_PARTY = ("actions", "github")


def _check_uses(node: Node | None, strict: bool) -> Finding | None:
    from wfspec.dialects.github import security

    if not isinstance(node, ScalarNode):
        return None
    uses = node.value.strip()
    if "${{" in uses or uses.startswith(("./", "../", "docker://")) or "@" not in uses:
        return None
    name, _, ref = uses.rpartition("@")
    owner = name.split("/", 1)[0].lower()
    if not ref or "/" not in name or security.is_sha(ref):
        return None
    if owner in FIRST_PARTY and not strict:
        return None
    return RULE.finding(
        node.span,
        f'"{name}" is used by "{ref}", which its owner can move to other code; pin it to a full commit SHA '
        f'("{name}@<40-digit sha> # {ref}")',
        severity=Severity.ERROR if strict else None,
        data={"action": name, "ref": ref},
    )


def check(ctx: Context) -> Iterable[Finding]:
    from wfspec.dialects.github import security
    from wfspec.dialects.github.nodes import get

    strict = ctx.config.require_pinned_actions
    for jf in security.jobs(ctx.workflow, ctx.extra):
        if jf.mapping is not None:
            f = _check_uses(get(jf.mapping, "uses"), strict)
            if f is not None:
                yield f
        for st in jf.steps:
            f = _check_uses(get(st.mapping, "uses"), strict)
            if f is not None:
                yield f


RULE = make_rule(
    __name__,
    Severity.HINT,
    "a third-party action not pinned to a commit SHA",
    check,
    dialects=frozenset({"github"}),
)
