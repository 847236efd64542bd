"""``actions/checkout`` leaves the job's token in ``.git/config`` unless ``persist-credentials:
false`` is set; in a workflow anyone can start (``pull_request_target``, ``workflow_run``,
``issue_comment``, ``issues``, ``discussion``, ``discussion_comment``) any code that runs after
the checkout (a ``run:`` step, a local action) can read it, and so can an artifact that uploads
the workspace. Severity warning. A job whose ``if:`` admits no fork (as for
``dangerous-trigger``) is not reported.

Bad::

    on: pull_request_target
    permissions:
      contents: read
    jobs:
      lint:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: make lint

Good::

    on: pull_request_target
    permissions:
      contents: read
    jobs:
      lint:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
            with:
              persist-credentials: false
          - run: make lint
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.findings import Finding, Related, Severity


def check(ctx: Context) -> Iterable[Finding]:
    from wfspec.dialects.github import security
    from wfspec.dialects.github.nodes import get

    evs = security.triggers(ctx.doc.root, ctx.extra)
    privileged = [e for e in evs if e in security.PRIVILEGED]
    if not privileged:
        return
    for jf in security.jobs(ctx.workflow, ctx.extra):
        job_if = get(jf.mapping, "if") if jf.mapping is not None else None
        for i, st in enumerate(jf.steps):
            if not st.checkout or not st.persist or security.same_repo_only(job_if, get(st.mapping, "if")):
                continue
            later = next((s for s in jf.steps[i + 1 :] if s.runs_code), None)
            if later is None:
                continue
            uses = get(st.mapping, "uses")
            anchor = uses.span if uses is not None else st.node.name_span
            yield RULE.finding(
                anchor,
                f'the checkout keeps the token in .git/config, where the code run later in this "{privileged[0]}" '
                'workflow can read it; set "persist-credentials: false" under "with:"',
                related=[Related(later.node.name_span, "code runs after the checkout here")],
                data={"node": st.node.id, "trigger": privileged[0]},
            )


RULE = make_rule(
    __name__,
    Severity.WARNING,
    "a checkout that leaves the token on disk in a workflow anyone can start",
    check,
    dialects=frozenset({"github"}),
)
