"""The one did-you-mean helper and the rules' and lowering's use of it."""

from __future__ import annotations

from wfspec.analysis.engine import analyze
from wfspec.suggest import closest, did_you_mean


def test_closest_prefers_a_case_only_difference() -> None:
    assert closest("Build", ["build", "buildx", "test"]) == "build"
    assert closest("tset", ["build", "test"]) == "test"
    assert closest("deploy", ["build", "test"]) is None
    assert closest("x", []) is None


def test_did_you_mean_phrase() -> None:
    assert did_you_mean("tset", ["test"]) == '; did you mean "test"?'
    assert did_you_mean("deploy", ["test"]) == ""


def test_lowering_and_rules_suggest_the_same_way() -> None:
    text = """on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make
  test:
    needs: biuld
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ needs.biuld.result }}"
"""
    messages = [f.message for f in analyze(text, "file:///repo/ci.yml").findings]
    assert any('did you mean "build"?' in m for m in messages), messages
