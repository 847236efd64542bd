"""The incremental re-parser gives exactly the tree a full parse gives, and is actually used."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfspec.analysis.engine import analyze
from wfspec.syntax.incremental import changed_range, reparse
from wfspec.syntax.parse import Document, parse
from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from gen_serverless import generate  # noqa: E402

SPECS = sorted(p for p in (ROOT / "specs").rglob("*.y*ml"))
#: a workflow whose entries hold complex keys (``? key``, with scalar, flow and block keys),
#: flow collections and multi-line scalars (plain, quoted, literal and folded)
SHAPES = """document:
  dsl: '1.0.0'
  namespace: shapes
  name: shapes
do:
  - first:
      set:
        ? a
        : 1
        ? [x, y]
        : 2
        ? {k: v}
        : 3
        plain: 4
  - second:
      set:
        ? |
          multi
          line
        : v
        ? - block
          - key
        : w
        other: x
  - third:
      call: http
      with:
        ? key one
        : value
        endpoint: {a: 1, b: [2, 3], c: {d: e}}
        list: [1, [2, 3], {x: y}]
        text: "quoted
          across lines"
        plain: first
          second
        folded: >
          some
          text
        last: 'single
          quoted'
  - fourth:
      set:
        ? trailing
? top
: level
"""
BASES = [generate(40, seed=1), SHAPES, *(p.read_text(encoding="utf-8") for p in SPECS[::3])]
LIMIT = 5 * 1024 * 1024


def tree(n: Node | None) -> Any:
    """Everything a node carries, recursively, spans included."""
    if n is None:
        return None
    where = (n.start_offset, n.end_offset, tuple(n.span.start), tuple(n.span.end))
    if isinstance(n, ScalarNode):
        return ("scalar", n.value, n.tag, n.style, where)
    if isinstance(n, MapNode):
        return ("map", n.flow, where, [(tree(k), tree(v)) for k, v in n.pairs], n.keys())
    assert isinstance(n, SeqNode)
    return ("seq", n.flow, where, [tree(i) for i in n.items])


def document(d: Document) -> Any:
    return (
        tree(d.root),
        [(p.rule, p.message, tuple(p.span.start)) for p in d.problems],
        d.fatal,
        sorted((line, c.text, tuple(c.span.start), c.own_line) for line, c in d.comments.items()),
        sorted(d.block_scalars),
        d.index.starts,
    )


def test_changed_range() -> None:
    old = "a" * 10_000 + "XYZ" + "b" * 9_000
    new = "a" * 10_000 + "Q" + "b" * 9_000
    assert changed_range(old, new) == (10_000, 10_003, 10_001)
    assert changed_range("abc", "abc") == (3, 3, 3)
    assert changed_range("aaa", "aaaa") == (3, 3, 4)
    assert changed_range("", "x") == (0, 0, 1)


def test_an_edit_inside_one_task_reparses_only_that_task() -> None:
    text = generate(200)
    old = parse(text)
    assert old.root is not None
    do = old.root.get("do") if isinstance(old.root, MapNode) else None
    assert isinstance(do, SeqNode)
    first, last = do.items[0], do.items[-1]
    at = text.index("https://api.example.com/items/40/") + 10
    new_text = text[:at] + "x" + text[at:]
    new = reparse(old, new_text, max_bytes=LIMIT)
    assert new is not None, "an edit inside a task's value should re-parse incrementally"
    assert old.consumed
    do2 = new.root.get("do") if isinstance(new.root, MapNode) else None
    assert isinstance(do2, SeqNode)
    # the tasks before and after the edited one are the same objects, moved where needed
    assert do2.items[0] is first and do2.items[-1] is last
    assert last.start_offset == new_text.rindex("\n  - ") + 5
    assert document(new) == document(parse(new_text))
    # a consumed document is never re-used
    assert reparse(old, new_text + "\n", max_bytes=LIMIT) is None


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t.replace("do:", "do: &anchor", 1),  # anchors: full parse
        lambda t: t + "\n---\nsecond: doc\n",  # a second document
        lambda t: t.replace("call: http", "call: http\r", 1),  # a lone CR
    ],
)
def test_falls_back_to_a_full_parse(edit: Any) -> None:
    text = generate(30)
    old = parse(text)
    assert reparse(old, edit(text), max_bytes=LIMIT) is None
    assert not old.consumed


def test_a_previous_syntax_error_means_a_full_parse() -> None:
    text = generate(30)
    broken = text.replace("call: http", "call: [http", 1)
    old = parse(broken)
    assert old.problems
    assert reparse(old, text, max_bytes=LIMIT) is None


SNIPPETS = st.sampled_from(
    ["a", "1", " ", "_", "-", ": ", "\n", "  ", "# c", "'", '"', "{", "[", "|\n  x\n", "\t", "&a ", "*a"]
    + ["\n  - t:\n      call: http\n", "k: v\n", "\n    b: 2", "${ .x }", "é", "😀"]
    # complex keys, flow collections, multi-line scalars
    + ["? ", "? k\n", ": v\n", "\n  ? q\n  : r", "]", "}", ", ", "[a, {b: c}]", "x\n    y", ">\n  f\n"]
)
EDIT = st.tuples(st.floats(0, 1), st.integers(0, 12), SNIPPETS | st.just(""))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from(range(len(BASES))), edits=st.lists(EDIT, min_size=1, max_size=8))
def test_random_edits_match_full_parses(base: int, edits: list[tuple[float, int, str]]) -> None:
    text = BASES[base]
    doc = parse(text)
    for where, removed, inserted in edits:
        at = int(where * len(text))
        new_text = text[:at] + inserted + text[at + removed :]
        full = parse(new_text)
        got = reparse(doc, new_text, max_bytes=LIMIT)
        if got is not None:
            assert document(got) == document(full)
            doc = got
        else:
            doc = full
        text = new_text


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # the key becomes a block mapping closing where the re-parsed entry ends
        (
            "document:\n  dsl: '1.0.0'\n  name: x\ndo:\n  - a: 1\n",
            "document:\n  ? dsl: '1.0.0'\n  name: x\ndo:\n  - a: 1\n",
        ),
        # a trailing complex key without a value: its empty value lies at the next token
        (
            "do:\n  - a:\n      set:\n        k: v\n  - b: 2\n",
            "do:\n  - a:\n      set:\n        ? k\n  - b: 2\n",
        ),
        # a block sequence as the last key of the entry
        (
            "do:\n  - a:\n      set:\n        ? - x\n          - y\n  - b: 2\n",
            "do:\n  - a:\n      set:\n        ? - x\n          - z\n  - b: 2\n",
        ),
    ],
)
def test_complex_keys_reparse_like_a_full_parse(before: str, after: str) -> None:
    got = reparse(parse(before), after, max_bytes=LIMIT)
    assert got is not None, "an edit inside one entry should re-parse incrementally"
    assert document(got) == document(parse(after))


def test_typing_through_a_document_mostly_reparses_incrementally() -> None:
    """Typing single characters into values (the common keystroke) stays incremental."""
    text = generate(100)
    doc = parse(text)
    rng = random.Random(3)
    lines = text.split("\n")
    hits = 0
    for _ in range(40):
        candidates = [i for i, line in enumerate(lines) if "endpoint:" in line or "method:" in line]
        i = rng.choice(candidates)
        lines[i] += rng.choice("abc")
        new_text = "\n".join(lines)
        got = reparse(doc, new_text, max_bytes=LIMIT)
        full = parse(new_text)
        if got is not None:
            hits += 1
            assert document(got) == document(full)
            doc = got
        else:
            doc = full
    assert hits == 40


def test_analyze_with_previous_equals_analyze() -> None:
    text = generate(120)
    prev = analyze(text, "file:///w.yaml")
    edited = text.replace("then: high1", "then: hihg1", 1)
    a = analyze(edited, "file:///w.yaml", previous=prev)
    b = analyze(edited, "file:///w.yaml")
    assert [(f.rule, f.span, f.message) for f in a.findings] == [
        (f.rule, f.span, f.message) for f in b.findings
    ]
    assert any(f.rule == "unknown-target" for f in a.findings)


def workflow(a: Any) -> Any:
    """Everything the IR of an analysis carries, positions included."""
    wf = a.workflow
    if wf is None:
        return None
    return (
        [
            (n.id, n.name, n.kind, n.name_span, n.body_span, n.scope, n.index, n.inner, n.payload)
            for n in wf.nodes.values()
        ],
        [(e.source, e.kind, e.target, e.target_name, e.span) for e in wf.edges],
        [(s.id, s.kind, s.owner, s.parent, s.tasks, s.span) for s in wf.scopes.values()],
        [(d.kind, d.name, d.span, d.owner, d.data) for d in wf.definitions],
        [(r.kind, r.name, r.span, r.node, r.path, r.data) for r in wf.references],
        [(x.text, x.span, x.inner_offset, x.node, x.field, x.offsets) for x in wf.expressions],
        wf.payload,
        [(f.rule, f.span, f.message) for f in a.findings],
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from(range(len(BASES))), edits=st.lists(EDIT, min_size=1, max_size=8))
def test_random_edits_lower_like_a_full_analysis(base: int, edits: list[tuple[float, int, str]]) -> None:
    """Reused tasks (moved by the edits) give exactly the IR and findings of a fresh analysis."""
    text = BASES[base]
    uri = "file:///w.yaml"
    prev = analyze(text, uri)
    for where, removed, inserted in edits:
        at = int(where * len(text))
        text = text[:at] + inserted + text[at + removed :]
        fresh = analyze(text, uri)
        got = analyze(text, uri, previous=prev)
        assert got.dialect == fresh.dialect
        assert workflow(got) == workflow(fresh)
        prev = got


def test_moved_tasks_are_taken_over_not_lowered_again() -> None:
    text = generate(200)
    prev = analyze(text, "file:///w.yaml")
    assert prev.workflow is not None
    last_id = list(prev.workflow.nodes)[-1]
    last = prev.workflow.nodes[last_id]
    at = text.index("https://api.example.com/items/40/") + 10
    edited = text[:at] + "x\n" + text[at:].replace("\n", "\n", 0)
    edited = text[:at] + "x" + text[at:]
    got = analyze(edited, "file:///w.yaml", previous=prev)
    assert got.workflow is not None
    assert got.workflow.nodes[last_id] is last  # the same object, moved
    assert last.name_span == analyze(edited, "file:///w.yaml").workflow.nodes[last_id].name_span  # type: ignore[union-attr]


def test_schema_problems_of_carried_over_tasks_move_with_them() -> None:
    text = generate(100)
    for task in ("fetch8_0", "fetch12_0"):  # a property tasks do not have, twice
        text = text.replace(
            f"  - {task}:\n      call: http\n", f"  - {task}:\n      call: http\n      retries: 3\n"
        )
    prev = analyze(text, "file:///w.yaml")
    before = [f for f in prev.findings if f.rule == "schema"]
    assert len(before) == 2
    # an edit above both problems that adds a line: both move, neither is checked again
    at = text.index("        endpoint: https://api.example.com/items/0/0")
    edited = text[:at] + "        # a new line\n" + text[at:]
    got = analyze(edited, "file:///w.yaml", previous=prev)
    fresh = analyze(edited, "file:///w.yaml")
    assert [(f.span, f.message) for f in got.findings] == [(f.span, f.message) for f in fresh.findings]
    assert got.doc.generation == 1 and "schema" in got.doc.memo
    assert [f.span.start.line for f in got.findings if f.rule == "schema"][-1] == before[
        -1
    ].span.start.line + 1
