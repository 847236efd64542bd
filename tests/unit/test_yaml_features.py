"""YAML merge keys and explicit tags: merges resolve as YAML 1.1 loaders resolve them (checked
against ruamel.yaml's safe loader), with spans at the written nodes and the alias-bomb bound;
tags outside the YAML 1.2 core schema are ``schema`` warnings at the tag, in both dialects."""

from __future__ import annotations

from typing import Any

import pytest
from ruamel.yaml import YAML

from wfspec.analysis.engine import analyze
from wfspec.findings import Severity
from wfspec.syntax.incremental import reparse
from wfspec.syntax.parse import parse
from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode

SW_URI = "file:///w/flow.sw.yaml"
GH_URI = "file:///w/.github/workflows/ci.yml"
SW_HEAD = "document:\n  dsl: '1.0.0'\n  namespace: test\n  name: merge\n  version: '0.1.0'\n"


def python(n: Node | None) -> Any:
    """The tree as plain Python values, the way a loader would build it."""
    if n is None:
        return None
    if isinstance(n, ScalarNode):
        return n.python()
    if isinstance(n, SeqNode):
        return [python(i) for i in n.items]
    out: dict[Any, Any] = {}
    for k, v in n.pairs:
        key = python(k)
        if key not in out:  # the first of duplicate keys wins, as MapNode.get says
            out[key] = python(v)
    return out


MERGES = [
    # one mapping merged, explicit keys win
    "base: &b {a: 1, b: 2}\nt:\n  <<: *b\n  b: 3\n",
    # a list: an earlier mapping wins over a later one
    "x: &x {a: 1, b: 2}\ny: &y {b: 20, c: 30}\nt: {<<: [*x, *y], c: 0}\n",
    # a merged mapping that merges itself (nested), and an inline mapping
    "a: &a {k: 1}\nb: &b {<<: *a, m: 2}\nt:\n  <<: [*b, {n: 3, k: 9}]\n",
    # block style, merge key after the explicit keys
    "d: &d\n  call: http\n  with:\n    method: get\nt:\n  timeout: 5\n  <<: *d\n",
    # an empty list merges nothing; a quoted "<<" is an ordinary key
    "t: {<<: [], a: 1}\nu: {'<<': 1}\n",
    # merged into a list item
    "d: &d {x: 1}\nl:\n  - <<: *d\n    y: 2\n  - <<: *d\n",
]


@pytest.mark.parametrize("text", MERGES)
def test_merges_resolve_like_a_yaml_loader(text: str) -> None:
    doc = parse(text)
    assert doc.problems == []
    assert python(doc.root) == YAML(typ="safe", pure=True).load(text)


def test_merged_pairs_are_the_written_nodes() -> None:
    text = "defaults: &d\n  call: http\n  with: {method: get}\nt:\n  <<: *d\n  call: grpc\n"
    doc = parse(text)
    assert isinstance(doc.root, MapNode)
    d, t = doc.root.get("defaults"), doc.root.get("t")
    assert isinstance(d, MapNode) and isinstance(t, MapNode)
    assert t.keys() == ["call", "with"]
    assert t.get("with") is d.get("with")  # shared, not copied
    assert t.key_node("with") is d.key_node("with")
    with_key = t.key_node("with")
    assert with_key is not None and with_key.span.start.line == 2
    call = t.get("call")
    assert isinstance(call, ScalarNode) and call.value == "grpc" and call.span.start.line == 5
    ((merge_key, merge_value),) = t.merges
    assert merge_key.value == "<<" and merge_key.span.start.line == 4 and merge_value is d
    assert doc.merge_keys == [merge_key]
    assert doc.has_anchors


def test_a_merge_key_needs_mappings() -> None:
    doc = parse("a: 1\nt:\n  <<: [*x]\n".replace("*x", "1") + "u: {<<: }\n")
    msgs = [(p.span.start.line, p.span.start.character, p.message) for p in doc.problems]
    assert len(msgs) == 2
    assert msgs[0][:2] == (2, 2) and "needs a mapping or a list of mappings" in msgs[0][2]
    assert msgs[1][:2] == (3, 4)
    assert not doc.fatal


def test_merge_chains_are_an_alias_bomb() -> None:
    # each mapping merges the previous one and adds a key: quadratic in the number of lines
    lines = ["m0: &m0 {k0: 0}"] + [f"m{i}: &m{i} {{<<: *m{i - 1}, k{i}: {i}}}" for i in range(1, 3000)]
    doc = parse("\n".join(lines) + "\n")
    assert doc.fatal and "alias bomb" in doc.problems[0].message
    # a modest chain is fine
    doc = parse("\n".join(lines[:50]) + "\n")
    assert not doc.fatal and doc.problems == []


def test_an_edit_adding_a_merge_key_is_parsed_in_full() -> None:
    text = SW_HEAD + "do:\n  - a:\n      set:\n        x: 1\n  - b:\n      set:\n        y: 2\n"
    old = parse(text)
    new_text = text.replace("        y: 2\n", "        <<: {z: 3}\n        y: 2\n")
    assert reparse(old, new_text, max_bytes=1 << 20) is None
    full = parse(new_text)
    assert full.has_anchors and len(full.merge_keys) == 1


def _sw(body: str) -> list[tuple[int, int, str, Severity, str]]:
    r = analyze(SW_HEAD + body, SW_URI)
    assert r.dialect == "serverless"
    return [(f.span.start.line, f.span.start.character, f.rule, f.severity, f.message) for f in r.findings]


def test_serverless_merged_task_is_a_known_task_type() -> None:
    body = (
        "do:\n"
        "  - first:\n"
        "      call: http\n"
        "      with: &req\n"
        "        method: get\n"
        "        endpoint: https://example.com/a\n"
        "  - second:\n"
        "      <<: &base\n"
        "        call: http\n"
        "        with: *req\n"
        "  - third:\n"
        "      <<: [*base]\n"
        "      timeout:\n"
        "        after: PT5S\n"
    )
    assert _sw(body) == []


def test_serverless_problem_in_a_merged_mapping_is_at_its_source() -> None:
    body = (
        "do:\n"
        "  - second:\n"
        "      <<: &base\n"
        "        call: http\n"
        "        with:\n"
        "          method: get\n"
        "          endpoint: https://example.com/a\n"
        "        retries: 3\n"
        "  - third:\n"
        "      <<: *base\n"
        "      timeout:\n"
        "        after: PT5S\n"
    )
    found = _sw(body)
    # "retries" is written once, on line 13 (0-based 12): both tasks that merge it report it there
    assert [(ln, c, rule) for ln, c, rule, _, _ in found] == [(12, 8, "schema"), (12, 8, "schema")]
    assert ['task "second"' in found[0][4], 'task "third"' in found[1][4]] == [True, True]


TAGGED = [
    ("!!python/object/apply:os.system [ls]", "!!python/object/apply:os.system"),
    ("!custom value", "!custom"),
    ("!<tag:example.com,2000:x> 1", "!<tag:example.com,2000:x>"),
    ("!!binary aGVsbG8=", "!!binary"),
    ("!!timestamp 2001-12-14", "!!timestamp"),
    ("!!set {a, b}", "!!set"),
    ("&anchor !!python/name:os.system x", "!!python/name:os.system"),
]


@pytest.mark.parametrize(("value", "tag"), TAGGED)
def test_a_tag_outside_the_core_schema_is_a_warning_at_the_tag(value: str, tag: str) -> None:
    line = f"        x: {value}"
    found = _sw(f"do:\n  - a:\n      set:\n{line}\n")
    col = line.index(tag)
    assert [(ln, c, rule, sev) for ln, c, rule, sev, _ in found] == [(8, col, "schema", Severity.WARNING)]
    assert f'tag "{tag}"' in found[0][4]


def test_core_tags_are_accepted_when_they_fit() -> None:
    body = (
        "do:\n  - a:\n      set:\n"
        "        s: !!str 1\n        i: !!int '42'\n        f: !!float 1\n        b: !!bool true\n"
        "        n: !!null ''\n        m: !!map {k: v}\n        q: !!seq [1]\n        e: ! x\n"
        "        x: ${ .a != .b and (.c | not) }\n        y: 'hi! there'\n"
    )
    assert _sw(body) == []


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("!!int abc", '"abc" is not a valid !!int'),
        ("!!bool yes", '"yes" is not a valid !!bool'),
        ("!!float 1.2.3", "not a valid !!float"),
        ("!!seq {k: v}", 'tag "!!seq" cannot be applied to a mapping'),
        ("!!map x", 'tag "!!map" cannot be applied to a scalar'),
        ("!!str [1]", 'tag "!!str" cannot be applied to a sequence'),
    ],
)
def test_core_tags_that_do_not_fit_their_value(value: str, words: str) -> None:
    found = _sw(f"do:\n  - a:\n      set:\n        x: {value}\n")
    assert [(ln, c, sev) for ln, c, _, sev, _ in found] == [(8, 11, Severity.WARNING)]
    assert words in found[0][4]


def test_a_tag_directive_handle_is_outside_the_core_schema() -> None:
    text = (
        "%TAG !e! tag:example.com,2000:\n---\n" + SW_HEAD + "do:\n  - a:\n      set:\n        x: !e!thing 1\n"
    )
    r = analyze(text, SW_URI)
    assert [(f.span.start.line, f.span.start.character, f.rule) for f in r.findings] == [(10, 11, "schema")]


def test_tags_inside_an_overridden_merge_source_are_still_found() -> None:
    # a loader constructs every merged value, also those an explicit key overrides
    from wfspec.syntax.tags import tag_problems

    doc = parse("t:\n  <<: {x: !!python/object/apply:os.system [ls]}\n  x: 1\n")
    ((span, msg),) = tag_problems(doc)
    assert (span.start.line, span.start.character) == (1, 10) and "python/object" in msg


def test_a_tag_survives_incremental_reanalysis() -> None:
    text = SW_HEAD + "do:\n  - a:\n      set:\n        x: !custom 1\n  - b:\n      set:\n        y: 2\n"
    first = analyze(text, SW_URI)
    new_text = text.replace("y: 2", "y: 23")
    again = analyze(new_text, SW_URI, previous=first)
    full = analyze(new_text, SW_URI)
    assert [f.message for f in again.findings] == [f.message for f in full.findings]
    assert len(full.findings) == 1 and "!custom" in full.findings[0].message


def _gh(text: str) -> list[tuple[int, int, str, Severity, str]]:
    r = analyze(text, GH_URI)
    assert r.dialect == "github"
    return [(f.span.start.line, f.span.start.character, f.rule, f.severity, f.message) for f in r.findings]


GH = (
    "on: push\n"
    "jobs:\n"
    "  build:\n"
    "    runs-on: ubuntu-latest\n"
    "    env: &env\n"
    "      A: '1'\n"
    "    steps:\n"
    "      - run: echo hi\n"
    "  test:\n"
    "    runs-on: ubuntu-latest\n"
    "    env: *env\n"
    "    steps:\n"
    "      - run: make test\n"
)


def test_github_anchors_and_aliases_are_clean() -> None:
    assert _gh(GH) == []


def test_github_merge_key_is_an_error_and_still_resolved() -> None:
    text = GH.replace(
        "    runs-on: ubuntu-latest\n    env: *env\n", "    <<: {runs-on: ubuntu-latest}\n    env: *env\n"
    )
    found = _gh(text)
    # GitHub rejects merge keys; the merged runs-on still counts (no "missing runs-on")
    assert [(ln, c, rule, sev) for ln, c, rule, sev, _ in found] == [(9, 4, "schema", Severity.ERROR)]
    assert "merge keys" in found[0][4]


def test_github_tag_is_a_warning() -> None:
    text = GH.replace("run: make test", "run: !!python/object/apply:os.system [make test]")
    found = _gh(text)
    assert [(ln, c, rule, sev) for ln, c, rule, sev, _ in found][:1] == [(12, 13, "schema", Severity.WARNING)]
    assert "python/object/apply" in found[0][4]
