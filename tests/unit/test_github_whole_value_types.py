"""expression-type: a key whose value is one whole ``${{ }}`` expression gets a value of the
shape the key needs: an object at ``env``, ``services`` and a container's ``credentials`` and
``env``; a label or a list of labels (not an object) at ``runs-on``."""

from __future__ import annotations

import pytest

from wfspec.analysis.engine import analyze

HEAD = """\
on: push
permissions:
  contents: read
jobs:
  build:
    strategy:
      matrix:
        s: ['A=1']
        o: [{A: "1"}]
"""


def _messages(body: str) -> list[str]:
    text = HEAD + body
    result = analyze(text.encode(), "file:///w/.github/workflows/t.yml")
    assert not result.doc.problems
    return [f.message for f in result.findings if f.rule == "expression-type"]


STEPS = "    steps:\n      - run: echo\n"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            "    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n        env: ${{ matrix.s }}\n",
            'the expression at "env" must give an object, but its value is a string',
        ),
        (
            "    runs-on: ubuntu-latest\n    services: ${{ 'redis' }}\n" + STEPS,
            'at "services" must give an object',
        ),
        (
            "    runs-on: ubuntu-latest\n    container:\n      image: node\n      credentials: ${{ format('a{0}', 1) }}\n"
            + STEPS,
            'at "credentials" must give an object',
        ),
        (
            "    runs-on: ${{ matrix.o }}\n" + STEPS,
            'at "runs-on" must give a runner label or a list of labels',
        ),
    ],
)
def test_whole_expression_of_the_wrong_shape(body: str, words: str) -> None:
    got = _messages(body)
    assert len(got) == 1 and words in got[0], got


@pytest.mark.parametrize(
    "body",
    [
        "    runs-on: ubuntu-latest\n    env: ${{ matrix.o }}\n" + STEPS,
        "    runs-on: ${{ matrix.s }}\n    services: ${{ fromJSON('{}') }}\n" + STEPS,
        "    runs-on: ubuntu-latest\n    env:\n      A: ${{ matrix.s }}\n    container:\n      image: ${{ matrix.s }}\n"
        + STEPS,
    ],
)
def test_objects_and_nested_strings_are_clean(body: str) -> None:
    assert _messages(body) == []
