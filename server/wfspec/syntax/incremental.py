"""Incremental re-parsing: an edit inside one item of a block collection re-parses that item only.

An editor sends a new version of a document after every keystroke. When the change lies inside
one entry of a block sequence or mapping (a task of a ``do`` list, a job of ``jobs``, at the
deepest level that still holds the whole change), :func:`reparse` parses just that entry's lines
with the C parser, splices the new nodes into the previous tree and moves the nodes after it by
the change in length. Everything else is reused, so an edit in one task of 5,000 does not
re-parse the other 4,999.

It is conservative: whenever the result could differ from a full :func:`~wfspec.syntax.parse.parse`
(the previous version had any syntax finding, anchors or aliases are involved, the entry's lines
do not parse on their own as one block collection at the same indentation, a document marker or
a NUL appears, the size limit is crossed) it returns None and the caller parses in full. Tests
compare its trees with full parses over random edits.

The previous :class:`~wfspec.syntax.parse.Document` is consumed: its nodes and line index are
updated in place and shared with the new one.
"""

from __future__ import annotations

import re
from typing import Any

from wfspec.findings import Finding, Severity
from wfspec.syntax.parse import (
    FAST,
    Document,
    _Builder,
    _comments,
    _PyParser,
)
from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode, line_start

if FAST:
    from ruamel.yaml.cyaml import CParser

#: how many collection levels to descend looking for the smallest entry holding the change
MAX_DEPTH = 4
_CHUNK = 4096
_MARKER = re.compile(r"^(?:---|\.\.\.|%)", re.MULTILINE)


def changed_range(old: str, new: str) -> tuple[int, int, int]:
    """``(start, old_end, new_end)``: ``old[start:old_end]`` was replaced by ``new[start:new_end]``
    (the shortest such range; compared chunk by chunk at C speed)."""
    n = min(len(old), len(new))
    i = 0
    while i < n and old[i : i + _CHUNK] == new[i : i + _CHUNK]:
        i += _CHUNK
    i = min(i, n)
    j = min(i + _CHUNK, n)
    while i < j and old[i] == new[i]:
        i += 1
    # common suffix, not overlapping the prefix
    lo, ln = len(old), len(new)
    limit = n - i
    k = 0
    while k + _CHUNK <= limit and old[lo - k - _CHUNK : lo - k] == new[ln - k - _CHUNK : ln - k]:
        k += _CHUNK
    while k < limit and old[lo - k - 1] == new[ln - k - 1]:
        k += 1
    return i, lo - k, ln - k


def _entries(c: MapNode | SeqNode) -> list[tuple[int, Node]]:
    """(start offset, node to descend into) per entry of a collection."""
    if isinstance(c, SeqNode):
        return [(n.start_offset, n) for n in c.items]
    return [(k.start_offset, v) for k, v in c.pairs]


def _block(node: Node) -> bool:
    return isinstance(node, MapNode | SeqNode) and not node.flow


def _find(old: Document, a: int, b: int) -> list[tuple[MapNode | SeqNode, int, int, int]] | None:
    """The path of (container, entry index, region start, region end) down to the smallest
    entry whose lines hold the old range ``[a, b)``."""
    text = old.text
    root = old.root
    if root is None or not _block(root):
        return None
    path: list[tuple[MapNode | SeqNode, int, int, int]] = []
    container: Node = root
    for _ in range(MAX_DEPTH):
        assert isinstance(container, MapNode | SeqNode)
        entries = _entries(container)
        if not entries:
            break
        found = None
        for idx, (start, node) in enumerate(entries):
            if start > a:
                break
            if idx + 1 < len(entries):
                end = line_start(text, entries[idx + 1][0])
            else:
                end = (
                    line_start(text, container.end_offset) if container.end_offset < len(text) else len(text)
                )
            if b < end:
                found = (idx, line_start(text, start), end, node)
        if found is None:
            break
        idx, rs, re_, node = found
        if rs >= re_ or rs > a:
            break
        path.append((container, idx, rs, re_))
        # descend only into a collection that starts on a line of its own (not "- a: 1" or
        # "key: [..]"), so that its entries' lines hold nothing of the enclosing entry
        if not _block(node) or line_start(text, node.start_offset) <= rs or len(_entries(node)) < 2:  # type: ignore[arg-type]
            break
        container = node
    return path or None


def _move(node: Node, delta: int) -> None:
    """Shift a subtree by ``delta`` offsets (hot: it visits every node after the edit)."""
    stack: list[Node] = [node]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        n = pop()
        sp = n._span
        if sp is None:
            n._start += delta
            n._end += delta
        else:
            n._start = sp[0][2] + delta
            n._end = sp[1][2] + delta
            n._span = None
        cls = n.__class__
        if cls is MapNode:
            for k, v in n.pairs:  # type: ignore[union-attr]
                push(k)
                push(v)
        elif cls is SeqNode:
            extend(n.items)  # type: ignore[union-attr,arg-type]


def _next_token(text: str, pos: int) -> int:
    """Offset of the first YAML token at or after ``pos`` (blank and comment lines skipped)."""
    n = len(text)
    while pos < n:
        ch = text[pos]
        if ch in " \t\r\n":
            pos += 1
        elif ch == "#":
            nl = text.find("\n", pos)
            pos = n if nl < 0 else nl + 1
        else:
            return pos
    return n


def reparse(old: Document, text: str, *, max_bytes: int) -> Document | None:
    """The document for ``text``, re-parsing only the entry that changed since ``old``; None
    when that cannot be done exactly (then parse in full). Consumes ``old``."""
    if old.consumed or old.fatal or old.problems or old.has_anchors or old.shift or old.root is None:
        return None
    size = len(text) if text.isascii() else len(text.encode("utf-8", errors="surrogatepass"))
    if size > max_bytes or text.startswith("\ufeff") or "\r" in text:
        return None  # (regions are found by "\n"; a lone "\r" also breaks lines in YAML)
    a, b, nb = changed_range(old.text, text)
    if a == b == nb:  # same text
        old.consumed = True
        return Document(
            text=text,
            index=old.index,
            root=old.root,
            comments=old.comments,
            block_scalars=old.block_scalars,
            memo=old.memo,
            generation=old.generation + 1,
        )
    path = _find(old, a, b)
    if path is None:
        return None
    container, idx, rs, re_ = path[-1]
    delta = nb - b
    new_end = re_ + delta
    piece = text[rs:new_end]
    if "\x00" in piece or "&" in piece or "*" in piece or _MARKER.search(piece):
        return None
    index = old.index
    builder = _Builder(index, rs)
    try:
        parser: Any = CParser(piece) if FAST else _PyParser(piece)
    except Exception:  # noqa: BLE001 - any trouble: parse in full
        return None
    try:
        root = builder.build(parser.get_event)
    except Exception:  # noqa: BLE001
        return None
    finally:
        try:
            parser.dispose()
        except Exception:  # noqa: BLE001
            pass
    if builder.extra_document is not None or builder.anchors or builder.first_alias is not None:
        return None
    is_seq = isinstance(container, SeqNode)
    if not isinstance(root, SeqNode if is_seq else MapNode) or root.flow:
        return None
    # the piece must sit at the container's indentation: its first dash (a block sequence starts
    # there; the entries themselves start after "- ") or its first key
    first = (
        container.items[0].start_offset
        if isinstance(container, SeqNode)
        else container.pairs[0][0].start_offset
    )
    line = line_start(old.text, first)
    column = (old.text.find("-", line, first) if is_seq else first) - line
    if root.start_offset - rs != column:
        return None

    # -- commit: from here on the old tree is updated in place --------------------------------
    old.consumed = True
    index.patch(text, a, b, nb)
    # what the parser put at the end of the piece (where the stream ended) lies at the next
    # token in context: the ends of block collections closing there, and the empty value of a
    # trailing complex key (``? key`` without ``:``)
    closing = _next_token(text, new_end)
    piece_end = rs + len(piece)
    stack: list[Node] = [root]
    while stack:
        n = stack.pop()
        if n._end == piece_end and (not isinstance(n, ScalarNode) or n._start == piece_end):
            if n._start == piece_end:
                n._start = closing
            n._end = closing
            n._span = None
        if isinstance(n, MapNode):
            for k, v in n.pairs:  # keys too: a complex key (``? key``) may be a collection
                stack.append(k)
                stack.append(v)
        elif isinstance(n, SeqNode):
            stack.extend(n.items)
    # everything after the entry moves; every container on the path ends later
    moved = delta != 0 or "\n" in old.text[a:b] or "\n" in text[a:nb]
    for c, i, _, _ in path:
        if moved and isinstance(c, SeqNode):
            for n in c.items[i + 1 :]:
                _move(n, delta)
        elif moved and isinstance(c, MapNode):
            for k, v in c.pairs[i + 1 :]:
                _move(k, delta)
                _move(v, delta)
        e = c.end_offset
        c._end = e + delta if e >= b else e
        c._start = c.start_offset
        c._span = None
    problems: list[Finding] = []
    if isinstance(container, SeqNode):
        assert isinstance(root, SeqNode)
        container.items[idx : idx + 1] = root.items
    else:
        assert isinstance(root, MapNode)
        container.pairs[idx : idx + 1] = root.pairs
        container._index = None
        at_root = {id(k) for k, _ in root.pairs}  # checked again below, with the siblings
        builder.duplicates = [d for d in builder.duplicates if id(d[0]) not in at_root]
        builder._check_duplicates(container.pairs)
    for key, earlier in builder.duplicates:
        problems.append(
            Finding(
                "syntax",
                Severity.ERROR,
                f'duplicate key "{key.value}" (first defined on line {earlier.span.start.line + 1})',
                key.span,
            )
        )
    scalars = [(s, e) for s, e in old.block_scalars if e <= rs]
    scalars += builder.block_scalars
    scalars += [(s + delta, e + delta) for s, e in old.block_scalars if s >= re_]
    doc = Document(text=text, index=index, root=old.root, problems=problems, block_scalars=scalars)
    doc.modified = frozenset(id(c) for c, _, _, _ in path)
    doc.memo, doc.generation = old.memo, old.generation + 1
    doc.comments = _comments(text, index, scalars)
    return doc
