"""expression-type: a workflow_call input's default reads only the inputs declared above it
(not itself, not those below), and a boolean or number input's default is of that type."""

from __future__ import annotations

from wfspec.analysis.engine import analyze

WORKFLOW = """\
on:
  workflow_call:
    inputs:
      first:
        type: string
        default: ${{ inputs.second }}
      second:
        type: string
        default: ${{ inputs.first }}
      flag:
        type: boolean
        default: ${{ inputs.flag }}
      strict:
        type: boolean
        default: ${{ inputs.first }}
      count:
        type: number
        default: ${{ inputs.first }}
      copy:
        type: boolean
        default: ${{ inputs.strict }}
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ inputs.first }} ${{ inputs.second }}"
"""


def test_input_defaults() -> None:
    result = analyze(WORKFLOW.encode(), "file:///w/.github/workflows/t.yml")
    got = sorted((f.span.start.line + 1, f.message) for f in result.findings if f.rule == "expression-type")
    assert [line for line, _ in got] == [6, 12, 15, 18], got
    assert 'property "second" is not defined' in got[0][1]
    assert 'property "flag" is not defined' in got[1][1]
    assert got[2][1] == 'the default of boolean input "strict" must be a boolean, not a string'
    assert got[3][1] == 'the default of number input "count" must be a number, not a string'
