"""Expressions written in mapping keys (a computed ``env`` name such as ``${{ inputs.name }}: x``)
are checked like values: their contexts' availability and their types."""

from __future__ import annotations

from wfspec.analysis.engine import analyze

WORKFLOW = """\
on: push
permissions:
  contents: read
env:
  ${{ runner.name }}: x
jobs:
  build:
    runs-on: ubuntu-latest
    env:
      ${{ github.sha }}: x
    steps:
      - run: echo
        env:
          ${{ runner.nme }}: x
          ${{ runner.os }}: y
"""


def test_expressions_in_env_names() -> None:
    result = analyze(WORKFLOW.encode(), "file:///w/.github/workflows/t.yml")
    got = sorted(
        (f.span.start.line + 1, f.rule, f.message)
        for f in result.findings
        if f.rule in ("context-availability", "expression-type")
    )
    assert [(line, rule) for line, rule, _ in got] == [
        (5, "context-availability"),
        (14, "expression-type"),
    ], got
    assert 'the "runner" context is not available in "env"' in got[0][2]
    assert 'property "nme" is not defined' in got[1][2]
