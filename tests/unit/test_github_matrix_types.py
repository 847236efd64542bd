"""expression-type: the matrix's value types follow its static rows (arrays of different
elements are arrays) and its ``include`` entries, including ``${{ fromJSON('literal') }}``
values; an object searched by ``contains`` is an error."""

from __future__ import annotations

import pytest

from wfspec.analysis.engine import analyze

HEAD = """\
on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        nums:
          - [1]
          - [true]
          - []
        os: [ubuntu-latest]
        include:
          - os: windows-latest
            cfg: "${{ fromJSON('{\\"debug\\": true, \\"flags\\": [false]}') }}"
          - os: ubuntu-latest
            none: ${{ fromJSON('null') }}
            label: ${{ fromJSON('"x"') }}
            broken: ${{ fromJSON('[1') }}
    steps:
"""


def _messages(step: str) -> list[str]:
    text = HEAD + "      " + step + "\n"
    result = analyze(text.encode(), "file:///w/.github/workflows/t.yml")
    assert not result.doc.problems
    step_line = HEAD.count("\n")  # 0-based line of the step; the header's own findings are left out
    return [
        f.message for f in result.findings if f.rule == "expression-type" and f.span.start.line == step_line
    ]


@pytest.mark.parametrize(
    ("step", "words"),
    [
        ("- run: echo ${{ matrix.nums }}", "an array<any> value is written into a string"),
        ("- run: echo ${{ matrix.cfg }}", 'a {"debug", "flags"} value is written into a string'),
        ("- run: echo ${{ matrix.cfg.flags }}", "an array<bool> value is written into a string"),
        ("- run: echo ${{ matrix.none }}", "a null value is written into a string"),
        ("- run: echo ${{ contains(matrix.cfg, 'x') }}", '1st argument of "contains" is an object'),
    ],
)
def test_matrix_value_types(step: str, words: str) -> None:
    got = _messages(step)
    assert len(got) == 1 and words in got[0], got


@pytest.mark.parametrize(
    "step",
    [
        "- run: echo ${{ matrix.nums[0] }} ${{ matrix.os }} ${{ matrix.label }} ${{ matrix.cfg.debug }}",
        "- run: echo ${{ matrix.broken }} ${{ contains(matrix.nums, 1) }} ${{ toJSON(matrix.cfg) }}",
    ],
)
def test_matrix_scalars_and_unknowns_are_clean(step: str) -> None:
    assert _messages(step) == []
