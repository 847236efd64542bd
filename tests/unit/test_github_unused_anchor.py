"""GitHub Actions: an anchor (``&name``) that no alias reads is a warning of the schema rule,
judged per anchored node (a later anchor of the same name replaces an earlier one)."""

from __future__ import annotations

import textwrap

from wfspec.analysis.engine import analyze

WORKFLOW = """\
on: &unused_on push
jobs:
  a: &unused_job
    runs-on: &os ubuntu-latest
    env:
      OS: *os
    steps:
      - &step
        run: echo one
        env: &vars
          A: "1"
      - run: echo two
        env: *vars
      - *step
      - &step
        run: echo three
"""


def test_unused_anchors_are_reported_at_the_anchor() -> None:
    result = analyze(WORKFLOW.encode(), "file:///repo/.github/workflows/ci.yml", dialect="github")
    got = sorted(
        (f.span.start.line + 1, f.span.start.character + 1, f.message)
        for f in result.findings
        if "anchor" in f.message
    )
    assert [(line, col) for line, col, _ in got] == [(1, 5), (3, 6), (15, 9)]
    assert 'the anchor "unused_on" is never used' in got[0][2]
    assert all(f.rule == "schema" for f in result.findings if "anchor" in f.message)


def test_aliased_anchor_is_clean() -> None:
    text = textwrap.dedent(
        """\
        on: push
        env: &common
          A: "1"
        jobs:
          a:
            runs-on: ubuntu-latest
            env: *common
            steps:
              - run: echo
        """
    )
    result = analyze(text.encode(), "file:///repo/.github/workflows/ci.yml", dialect="github")
    assert [f.message for f in result.findings if "anchor" in f.message] == []
