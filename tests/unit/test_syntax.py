"""The syntax layer: positions, encodings and every kind of bad input as a finding."""

from __future__ import annotations

from wfspec.syntax.parse import parse
from wfspec.syntax.tree import LineIndex, MapNode, ScalarNode, SeqNode


def _msgs(source: str | bytes) -> list[tuple[int, int, str]]:
    doc = parse(source)
    return [(p.span.start.line, p.span.start.character, p.message) for p in doc.problems]


def test_positions_are_utf16() -> None:
    doc = parse("é😀: value\n")
    assert isinstance(doc.root, MapNode)
    key, value = doc.root.pairs[0]
    assert (key.span.start.line, key.span.start.character) == (0, 0)
    # é is one UTF-16 unit, 😀 two, then ": "
    assert value.span.start.character == 5
    assert value.span.start.offset == 4


def test_line_index_round_trip() -> None:
    text = "a: 1\r\nb: 😀x\n\rc: 3"
    idx = LineIndex(text)
    assert idx.line_count == 4
    for off in range(len(text) + 1):
        pos = idx.position(off)
        if text[off - 1 : off] != "\r" or text[off : off + 1] != "\n":
            assert idx.offset_of(pos.line, pos.character) == off


def test_crlf_positions() -> None:
    doc = parse("a: 1\r\nb:\r\n  - x\r\n")
    assert isinstance(doc.root, MapNode)
    seq = doc.root.get("b")
    assert isinstance(seq, SeqNode)
    assert (seq.items[0].span.start.line, seq.items[0].span.start.character) == (2, 4)
    assert doc.problems == []


def test_scalar_tags() -> None:
    doc = parse("a: 1\nb: 2.5\nc: true\nd: null\ne: yes\nf: '1'\n")
    assert isinstance(doc.root, MapNode)
    tags = {k: v.tag for k, v in ((k.value, v) for k, v in doc.root.items()) if isinstance(v, ScalarNode)}
    assert tags == {"a": "int", "b": "float", "c": "bool", "d": "null", "e": "str", "f": "str"}


def test_syntax_error_is_a_finding() -> None:
    ((line, char, msg),) = _msgs("a: [1, 2\nb: 3\n")
    assert line == 1 and "did not find expected" in msg


def test_duplicate_key_at_second_occurrence() -> None:
    assert _msgs("a: 1\nb: 2\na: 3\n") == [(2, 0, 'duplicate key "a" (first defined on line 1)')]


def test_tab_indentation() -> None:
    ((line, _, msg),) = _msgs("a:\n\t- x\n")
    assert line == 1 and "tab" in msg


def test_bom_is_information_and_positions_hold() -> None:
    doc = parse(b"\xef\xbb\xbfa: x\nb: y\n")
    assert [p.severity.label for p in doc.problems] == ["information"]
    assert isinstance(doc.root, MapNode)
    # the BOM is part of the decoded text, so line 0 columns count it
    assert doc.root.pairs[0][0].span.start.character == 1
    assert doc.root.pairs[1][0].span.start.character == 0


def test_invalid_utf8() -> None:
    ((line, char, msg),) = _msgs(b"a: ok\nb: \xff\xfe bad\n")
    assert (line, char) == (1, 3) and "utf-8" in msg.lower()


def test_utf16_file() -> None:
    doc = parse("a: é\n".encode("utf-16"))
    assert isinstance(doc.root, MapNode)
    assert "UTF-16" in doc.problems[0].message


def test_multiple_documents() -> None:
    ((line, _, msg),) = _msgs("a: 1\n---\nb: 2\n")
    assert line == 1 and "multiple" in msg


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        prev = "a" if i == 1 else f"a{i - 1}"
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*{prev}"] * 9) + "]")
    doc = parse("\n".join(lines) + "\n")
    assert doc.fatal and "alias bomb" in doc.problems[0].message


def test_size_limit() -> None:
    doc = parse("a: " + "x" * 200 + "\n", max_bytes=100)
    assert doc.fatal and "limit" in doc.problems[0].message


def test_binary_junk() -> None:
    doc = parse(bytes(range(256)) * 4)
    assert doc.problems and doc.root is None


def test_empty_and_comment_only() -> None:
    assert parse("").problems == []
    doc = parse("# only a comment\n")
    assert doc.root is None and 0 in doc.comments


def test_comments_by_line() -> None:
    doc = parse("a: 'x # not a comment'  # real\nb: |\n  # inside a block\nc: 1 # three\n")
    assert sorted(doc.comments) == [0, 3]
    assert doc.comments[0].text == " real"
    assert not doc.comments[0].own_line
