"""Cursor questions over an analysis: which node tree path, task, finding or named thing lies at
an offset. Pure functions over the syntax tree and the IR; no protocol types.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from wfspec.ir import TaskNode
from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode, Span, line_start

if TYPE_CHECKING:
    from wfspec.analysis.engine import Analysis


def contains(span: Span, offset: int) -> bool:
    """True when ``offset`` lies in ``span``, its end included (a cursor right after a word)."""
    return span.start.offset <= offset <= span.end.offset


def pair_span(key: Node, value: Node) -> tuple[int, int]:
    """Offsets of a whole ``key: value`` pair."""
    return key.span.start.offset, max(value.span.end.offset, key.span.end.offset)


def path_at(root: Node | None, offset: int) -> list[tuple[int, int, Node | None]]:
    """The nested (start, end, node) ranges containing ``offset``, outermost first: each
    collection, each ``key: value`` pair (node None) and the innermost node."""
    out: list[tuple[int, int, Node | None]] = []
    node = root
    while node is not None:
        if not (node.span.start.offset <= offset <= node.span.end.offset):
            break
        out.append((node.span.start.offset, node.span.end.offset, node))
        nxt: Node | None = None
        if isinstance(node, MapNode):
            for k, v in node.pairs:
                s, e = pair_span(k, v)
                if s <= offset <= e:
                    out.append((s, e, None))
                    nxt = k if k.span.start.offset <= offset <= k.span.end.offset else v
                    break
        elif isinstance(node, SeqNode):
            for item in node.items:
                if item.span.start.offset <= offset <= item.span.end.offset:
                    nxt = item
                    break
        node = nxt
    return out


def task_at(analysis: Analysis, offset: int) -> TaskNode | None:
    """The innermost task whose ``name: body`` contains ``offset``."""
    wf = analysis.workflow
    if wf is None:
        return None
    best: TaskNode | None = None
    for node in wf.nodes.values():
        span = node.body_span
        if span.start.offset <= offset <= span.end.offset:
            if best is None or span.start.offset >= best.body_span.start.offset:
                best = node
    return best


def multiline_scalar_lines(root: Node | None) -> set[int]:
    """Lines that continue a multi-line scalar (block, quoted or plain): a new line inserted
    before one of them would change the scalar's value."""
    out: set[int] = set()
    if root is None:
        return out
    stack: list[Node] = [root]
    while stack:
        n = stack.pop()
        if isinstance(n, ScalarNode):
            s, e = n.span.start, n.span.end
            last = e.line if e.character > 0 else e.line - 1
            if last > s.line:
                out.update(range(s.line + 1, last + 1))
        elif isinstance(n, MapNode):
            for k, v in n.pairs:
                stack.append(k)
                stack.append(v)
        else:
            stack.extend(n.items)
    return out


_WORD = r"[A-Za-z0-9_][A-Za-z0-9_.\-]*"


@dataclass(frozen=True, slots=True)
class NameRange:
    """Where a name is written: code-point offsets of exactly the name's characters."""

    start: int
    end: int


def name_range(text: str, span: Span, name: str) -> NameRange | None:
    """The offsets of ``name`` itself inside ``span`` (skipping quotes, ``$secrets.`` and the
    like), or None when the source does not spell it literally."""
    s, e = span.start.offset, span.end.offset
    seg = text[s:e]
    if seg == name:
        return NameRange(s, e)
    if not name:
        return None
    # the first occurrence not glued to a longer name: no word character, "$" or "-" before
    # it, no word character or "-" after it (a plain scan: thousands of names per document)
    n = len(name)
    i = seg.find(name)
    while i >= 0:
        before = seg[i - 1] if i else " "
        after = seg[i + n] if i + n < len(seg) else " "
        if not (before.isalnum() or before in "_$-") and not (after.isalnum() or after in "_-"):
            return NameRange(s + i, s + i + n)
        i = seg.find(name, i + 1)
    return None


def indent_at(text: str, offset: int) -> str:
    s = line_start(text, offset)
    i = s
    while i < len(text) and text[i] == " ":
        i += 1
    return text[s:i]
