"""expression-type: an array indexed by a string value (not only a string literal), and
``github.event.inputs``, whose values are strings whatever the input's type."""

from __future__ import annotations

import pytest

from wfspec.analysis.engine import analyze

HEAD = """\
on:
  workflow_dispatch:
    inputs:
      which:
        type: choice
        options: [a, b]
      n:
        type: number
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
"""


def _messages(step: str) -> list[str]:
    text = HEAD + "      " + step + "\n"
    result = analyze(text.encode(), "file:///w/.github/workflows/t.yml")
    return [f.message for f in result.findings if f.rule == "expression-type"]


@pytest.mark.parametrize(
    "step",
    [
        "- run: echo ${{ github.event.*[inputs.which] }}",
        "- run: echo ${{ github.event.*[github.event.inputs.n] }}",
    ],
)
def test_array_indexed_by_a_string_value(step: str) -> None:
    assert _messages(step) == ["an array is indexed by a string; array indexes are numbers"]


@pytest.mark.parametrize(
    "step",
    [
        "- run: echo ${{ github.event.*[inputs.n] }}",
        "- run: echo ${{ github.event.*[0] }} ${{ github[github.event.inputs.which] }}",
        "- if: ${{ github.event.inputs.n == '3' && github.event.pull_request.title != '' }}\n        run: echo",
    ],
)
def test_number_indexes_and_event_inputs_as_strings_are_clean(step: str) -> None:
    assert _messages(step) == []
