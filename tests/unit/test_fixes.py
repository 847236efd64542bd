"""Deterministic fixes: each one removes its finding and adds nothing new."""

from __future__ import annotations

import pytest

from wfspec.analysis.engine import analyze
from wfspec.fixes import apply_edits, fix_all, fixes_for

HEAD = """\
document:
  dsl: '1.0.3'
  namespace: test
  name: fixes
  version: '0.1.0'
"""


def _fix(text: str, rule: str, title_part: str) -> str:
    result = analyze(text, "t.sw.yaml")
    (finding,) = [f for f in result.findings if f.rule == rule]
    fixes = [fx for fx in fixes_for(result, finding) if title_part in fx.title]
    assert fixes, [fx.title for fx in fixes_for(result, finding)]
    new = apply_edits(text, fixes[0].edits)
    after = analyze(new, "t.sw.yaml")
    assert [f for f in after.findings if f.rule == rule] == []
    assert len(after.findings) <= len(result.findings) - 1
    return new


def test_closest_target_name() -> None:
    text = HEAD + "do:\n  - a:\n      set: {x: 1}\n      then: bb\n  - bbb:\n      set: {z: 1}\n"
    new = _fix(text, "unknown-target", 'Change to "bbb"')
    assert "then: bbb" in new


@pytest.mark.parametrize(
    "use_block, expected",
    [
        ("use:\n  secrets:\n    - other\n", "use:\n  secrets:\n    - other\n    - apiKey\n"),
        ("use:\n  secrets: [other]\n", "use:\n  secrets: [other, apiKey]\n"),
        ("use:\n  functions: {}\n", "use:\n  secrets:\n    - apiKey\n  functions: {}\n"),
        ("", "use:\n  secrets:\n    - apiKey\n"),
        # an empty key in a document that writes block lists gets a block list
        ("use:\n  secrets:\n", "use:\n  secrets:\n    - apiKey\n"),
        ("use:\n  secrets: ~\n", "use:\n  secrets: [apiKey]\n"),
    ],
)
def test_declare_missing_secret(use_block: str, expected: str) -> None:
    body = "do:\n  - a:\n      set:\n        token: ${ $secrets.apiKey }\n"
    extra = "  - b:\n      set:\n        o: ${ $secrets.other }\n" if "other" in use_block else ""
    text = HEAD + use_block + body + extra
    new = _fix(text, "undefined-reference", "Declare secret")
    assert expected in new


def test_declare_secret_flow_where_the_document_writes_flow_lists() -> None:
    body = (
        "use:\n  secrets:\n"
        "do:\n  - a:\n      set:\n        token: ${ $secrets.apiKey }\n        l: [1, 2]\n        m: [3]\n"
    )
    new = _fix(HEAD + body, "undefined-reference", "Declare secret")
    assert "use:\n  secrets: [apiKey]\n" in new


def test_declare_secret_in_the_order_of_first_use() -> None:
    """A list that declares its secrets in the order the document first uses them gets the new
    one at its place in that order, not at the end."""
    body = (
        "use:\n  secrets:\n    - first\n    - third\n"
        "do:\n  - a:\n      set:\n        x: ${ $secrets.first }\n"
        "  - b:\n      set:\n        y: ${ $secrets.second }\n"
        "  - c:\n      set:\n        z: ${ $secrets.third }\n"
    )
    new = _fix(HEAD + body, "undefined-reference", "Declare secret")
    assert "secrets:\n    - first\n    - second\n    - third\n" in new


def test_remove_unreachable_task() -> None:
    text = HEAD + "do:\n  - a:\n      set: {x: 1}\n      then: end\n  - dead:\n      set: {y: 1}\n  # tail\n"
    new = _fix(text, "unreachable", "Remove")
    assert "dead" not in new and "# tail" in new


def test_add_default_case_to_endless_loop() -> None:
    text = HEAD + (
        "do:\n"
        "  - draft:\n      set: {d: 1}\n"
        "  - review:\n"
        "      switch:\n"
        "        - again:\n"
        "            when: .bad\n"
        "            then: draft\n"
        "      then: draft\n"
    )
    new = _fix(text, "loop-without-exit", "default case")
    assert "- default:" in new


def test_rename_duplicate() -> None:
    text = HEAD + "do:\n  - a:\n      set: {x: 1}\n  - a:\n      set: {y: 1}\n"
    new = _fix(text, "duplicate-id", 'Rename to "a2"')
    assert "  - a2:" in new


def test_fix_all_is_non_overlapping() -> None:
    text = (
        HEAD
        + "do:\n  - a:\n      set: {x: 1}\n      then: cc\n  - ccc:\n      set: {z: 1}\n      then: dd\n  - ddd:\n      set: {w: 1}\n"
    )
    result = analyze(text, "t.sw.yaml")
    new = apply_edits(text, fix_all(result))
    assert analyze(new, "t.sw.yaml").findings == []


GHA = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - id: meta
        run: echo "tag=v1" >> "$GITHUB_OUTPUT"
      - id: meta
        run: echo again
  deploy:
    needs: [test]
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ needs.build.outputs.tag }}
  test:
    needs: biuld
    runs-on: ubuntu-latest
    steps:
      - run: echo ok
"""
GHA_URI = "file:///repo/.github/workflows/ci.yml"


def _gha_fix(text: str, rule: str, title_part: str) -> str:
    result = analyze(text, GHA_URI)
    for finding in [f for f in result.findings if f.rule == rule]:
        fixes = [fx for fx in fixes_for(result, finding) if title_part in fx.title]
        if fixes:
            new = apply_edits(text, fixes[0].edits)
            after = analyze(new, GHA_URI)
            assert finding.message not in [f.message for f in after.findings]
            return new
    raise AssertionError(f"no fix {title_part!r} for {rule}")


def test_github_closest_job_for_unknown_needs() -> None:
    assert "needs: build\n" in _gha_fix(GHA, "unknown-target", 'Change to "build"')


def test_github_add_missing_needs_entry() -> None:
    assert "needs: [test, build]" in _gha_fix(GHA, "undefined-reference", 'Add "build" to the needs')


def test_github_declare_job_output() -> None:
    text = GHA.replace("needs: [test]", "needs: [test, build]")
    new = _gha_fix(text, "undefined-reference", 'Declare output "tag"')
    assert "    outputs:\n      tag: ${{ steps.meta.outputs.tag }}\n" in new


def test_github_rename_duplicate_step_id() -> None:
    assert "- id: meta2" in _gha_fix(GHA, "duplicate-id", 'Rename to "meta2"')


def test_rename_secret_inside_expression_keeps_the_expression() -> None:
    text = HEAD + (
        "use:\n  secrets: [helpdesk]\n"
        'do:\n  - a:\n      set:\n        h: ${ "Bearer " + $secrets.helpdesc.token }\n'
    )
    new = _fix(text, "undefined-reference", 'Change to "helpdesk"')
    assert '${ "Bearer " + $secrets.helpdesk.token }' in new


def test_declare_secret_block_when_block_and_flow_lists_tie() -> None:
    """An empty ``secrets:`` in a document with as many block lists as flow ones gets a block
    list: the style workflow files are written in."""
    body = (
        "use:\n  secrets:\ndo:\n  - a:\n      set:\n        token: ${ $secrets.apiKey }\n        l: [1, 2]\n"
    )
    new = _fix(HEAD + body, "undefined-reference", "Declare secret")
    assert "use:\n  secrets:\n    - apiKey\ndo:" in new
