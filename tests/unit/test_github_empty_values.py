"""GitHub Actions schema: values written empty (a key with nothing after it, ``[]``, ``{}`` or
``''``) where the workflow needs something, the ``snapshot`` key of a job, quoted numbers, and
``credentials`` that lack a part even when the other part is an expression."""

from __future__ import annotations

import textwrap

import pytest

from wfspec.dialects.github import schema
from wfspec.syntax.parse import parse


def lines(text: str) -> dict[int, list[str]]:
    """1-based line -> the schema problems reported there."""
    out: dict[int, list[str]] = {}
    root = parse(textwrap.dedent(text)).root
    for span, message, _ in schema.validate(root):
        out.setdefault(span.start.line + 1, []).append(message)
    return out


EVENTS = """\
on:
  schedule: []
  workflow_dispatch:
    inputs:
      pick:
        type: choice
        options:
          - ''
      other:
        type: choice
        options: []
  repository_dispatch:
    types: []
  push:
    branches: []
  image_version:
    names: MyImage
    versions: ['']
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo
"""


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (2, '"schedule" is an empty list'),
        (8, "must not be an empty string"),
        (11, '"options" of input "other" is an empty list'),
        (13, '"types" of the "repository_dispatch" event is an empty list'),
        (15, '"branches" of the "push" event is an empty list'),
        (17, '"names" of the "image_version" event must be a list'),
        (18, "an entry of"),
    ],
)
def test_empty_event_filters(line: int, words: str) -> None:
    assert any(words in m for m in lines(EVENTS).get(line, [])), lines(EVENTS)


JOBS = """\
on: push
permissions:
defaults:
jobs:
  a:
    runs-on:
      group:
      labels: ''
    needs: []
    container:
    strategy:
      matrix:
        x: [1]
        include: []
        exclude: []
    steps:
      - run: echo
        id: ""
      - uses: actions/checkout@v4
        with:
  b:
    runs-on: ubuntu-latest
    container:
      image: node:20
      credentials:
      ports: ['']
    steps:
      - run: echo
  c:
    runs-on: ubuntu-latest
    container:
      image: node:20
      credentials:
        password: ${{ secrets.P }}
    steps:
      - run: echo
"""


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (2, '"permissions" is empty'),
        (3, '"defaults" is empty'),
        (7, 'the runner "group" must not be empty'),
        (8, 'the runner "labels" must not be an empty string'),
        (9, '"needs" is an empty list'),
        (10, '"container" must not be empty'),
        (14, '"include" of the matrix is an empty list'),
        (15, '"exclude" of the matrix is an empty list'),
        (18, "a step id must not be empty"),
        (20, '"with" is empty'),
        (25, '"credentials" in "container" is empty'),
        (26, 'an entry of "ports" in "container" must not be an empty string'),
        (34, 'need both "username" and "password"'),
    ],
)
def test_empty_job_and_step_values(line: int, words: str) -> None:
    found = lines(JOBS)
    assert any(words in m for m in found.get(line, [])), found


def test_explicit_null_and_empty_lists_where_allowed_stay_clean() -> None:
    text = """\
    on:
      push:
        branches: [main]
    jobs:
      a:
        runs-on: ubuntu-latest
        container: null
        services:
          db:
            image: postgres
            ports: []
        steps:
          - run: echo
            id: build
    """
    assert lines(text) == {}


def test_workflow_call_output_value_and_input_type() -> None:
    text = """\
    on:
      workflow_call:
        inputs:
          x:
            type:
              foo: bar
        outputs:
          out:
            description: d
            value:
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: echo
    """
    found = lines(text)
    assert any('the "type" of input "x" must be a string' in m for m in found.get(6, [])), found
    assert any('"value" of output "out" must not be empty' in m for m in found.get(10, [])), found


def test_snapshot() -> None:
    text = """\
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        snapshot:
          version: ''
          image-id: x
        steps:
          - run: echo
      b:
        runs-on: ubuntu-latest
        snapshot:
          - image-name: x
        steps:
          - run: echo
      c:
        runs-on: ubuntu-latest
        snapshot:
          image-name: my-image
          version: "1.*"
          if: ${{ github.ref == 'refs/heads/main' }}
        steps:
          - run: echo
      d:
        runs-on: ubuntu-latest
        snapshot: my-image
        steps:
          - run: echo
    """
    found = lines(text)
    assert any('must name its image with "image-name"' in m for m in found.get(5, [])), found
    assert any('"version" must not be an empty string' in m for m in found.get(6, [])), found
    assert any('unknown key "image-id"' in m for m in found.get(7, [])), found
    assert any("must be an image name or a mapping" in m for m in found.get(13, [])), found
    assert not any(n >= 16 for n in found), found


@pytest.mark.parametrize(("key", "value"), [("timeout-minutes", "'3.5'"), ("max-parallel", "'3'")])
def test_quoted_numbers_are_strings(key: str, value: str) -> None:
    where = "strategy:\n      " if key == "max-parallel" else ""
    text = f"""\
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    {where}{key}: {value}
    steps:
      - run: echo
"""
    found = lines(text)
    line = 6 if where else 5
    assert any("remove the quotes" in m for m in found.get(line, [])), found
