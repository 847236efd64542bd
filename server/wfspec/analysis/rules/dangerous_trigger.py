"""A ``pull_request_target`` or ``workflow_run`` workflow that checks out the untrusted head (the
pull request's branch, sha or merge ref; the head of the run that triggered it) and then runs
code from it: a later ``run:`` step or a local action. These triggers run with the base
repository's secrets and a token that may write, so a pull request from any fork can change
what runs (the "pwn request"). Reported on the checkout's ``ref`` (or ``repository``). A job or
step whose ``if:`` admits no fork is not reported:
``github.event.pull_request.head.repo.full_name == github.repository``, ``!...head.repo.fork``,
or ``github.event.workflow_run.event == 'push'`` (a run no fork can start).

Bad::

    on: pull_request_target
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
            with:
              ref: ${{ github.event.pull_request.head.sha }}
          - run: npm ci && npm test

Good::

    on: pull_request
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: npm ci && npm test
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.findings import Finding, Related, Severity


def check(ctx: Context) -> Iterable[Finding]:
    from wfspec.dialects.github import security
    from wfspec.dialects.github.nodes import get

    evs = security.triggers(ctx.doc.root, ctx.extra)
    risky = [e for e in evs if e in security.HEAD_TRIGGERS]
    if not risky:
        return
    trigger = evs[risky[0]]
    for jf in security.jobs(ctx.workflow, ctx.extra):
        job_if = get(jf.mapping, "if") if jf.mapping is not None else None
        for i, st in enumerate(jf.steps):
            if not st.checkout or st.checkout_ref is None:
                continue
            if security.same_repo_only(job_if, get(st.mapping, "if")):
                continue
            later = next((s for s in jf.steps[i + 1 :] if s.runs_code), None)
            if later is None:
                continue
            related = [Related(later.node.name_span, "then runs code from the checkout here")]
            if trigger is not None:
                related.append(Related(trigger.span, f'"{risky[0]}" runs with the repository\'s secrets'))
            what = "a local action" if later.run is None else "a run step"
            yield RULE.finding(
                st.checkout_ref.span,
                f'"{risky[0]}" checks out the untrusted head of a pull request here and {what} runs its '
                "code with the repository's secrets and a token that may write; check out the base "
                'instead, or build the head in a "pull_request" workflow without secrets',
                related=related,
                data={"node": st.node.id, "trigger": risky[0], "runs": later.node.id},
            )


RULE = make_rule(
    __name__,
    Severity.ERROR,
    "pull_request_target or workflow_run that checks out and runs the untrusted head",
    check,
    dialects=frozenset({"github"}),
)
