"""The event rule: ``options`` on a workflow_dispatch input that is not a ``choice`` is reported
at the input (the thing whose type and options disagree), with the ``options`` key related."""

from __future__ import annotations

from wfspec.analysis.engine import analyze

WORKFLOW = """\
on:
  workflow_dispatch:
    inputs:
      flag:
        type: boolean
        options: [a, b]
      pick:
        type: choice
        options: [a, b]
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo
"""


def test_options_on_a_boolean_input_is_reported_at_the_input() -> None:
    result = analyze(WORKFLOW.encode(), "file:///repo/.github/workflows/x.yml", dialect="github")
    found = [f for f in result.findings if f.rule == "event"]
    assert len(found) == 1
    f = found[0]
    assert (f.span.start.line + 1, f.span.start.character + 1) == (4, 7)
    assert '"options" has no effect on input "flag"' in f.message
    assert [r.span.start.line + 1 for r in f.related] == [6]
