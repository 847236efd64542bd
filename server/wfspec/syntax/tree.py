"""Positioned YAML node tree: the only view of YAML the rest of wfspec sees.

Every node carries a :class:`Span` with 0-based line, UTF-16 character (what LSP counts) and
code-point offset into the document text. Rules never touch raw parser nodes.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from typing import NamedTuple


class Position(NamedTuple):
    """A point in a document: 0-based line, UTF-16 character within the line, code-point offset."""

    line: int
    character: int
    offset: int = 0


class Span(NamedTuple):
    """A half-open range ``[start, end)`` in a document."""

    start: Position
    end: Position

    @staticmethod
    def empty() -> Span:
        p = Position(0, 0, 0)
        return Span(p, p)

    def contains(self, line: int, character: int) -> bool:
        """True when (line, character) lies within the span (end inclusive, as editors expect)."""
        s, e = self.start, self.end
        return (s.line, s.character) <= (line, character) <= (e.line, e.character)


_BREAKS = re.compile(r"\r\n|\r|\n")
_LF = re.compile(r"\n")


def line_starts(text: str, start: int = 0, end: int | None = None) -> list[int]:
    """Offsets just past every line break (``\\n``, ``\\r\\n``, a lone ``\\r``) in
    ``text[start:end]``."""
    return [m.end() for m in _BREAKS.finditer(text, start, len(text) if end is None else end)]


def line_start(text: str, offset: int) -> int:
    """The offset where the line holding ``offset`` starts (``\\n``, ``\\r\\n`` or ``\\r`` breaks)."""
    return max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1


def line_end(text: str, offset: int) -> int:
    """The offset just past the line break ending the line holding ``offset`` (or the end)."""
    m = _BREAKS.search(text, offset)
    return len(text) if m is None else m.end()


def line_text(text: str, starts: list[int], line: int) -> str:
    """The text of ``line`` without its line break, given the line starts of ``text``
    (``[0, ...]``); '' when the line is out of range."""
    if line < 0 or line >= len(starts):
        return ""
    end = starts[line + 1] if line + 1 < len(starts) else len(text)
    return text[starts[line] : end].rstrip("\r\n")


def patch_line_starts(starts: list[int], text: str, start: int, end: int, delta: int) -> list[int]:
    """The line starts of ``text`` (``[0, ...]``), given ``starts`` of the text it was before
    ``[start, end)`` was replaced by ``delta`` more code points: lines before and after the edit
    are kept (the latter moved), only a window around it is scanned again."""
    first = bisect_right(starts, start) - 1
    last = bisect_right(starts, end) - 1
    a = max(first - 1, 0)  # one line back: a "\r" before the edit may join a "\n" in it
    if last + 2 < len(starts):
        window_end = starts[last + 2] + delta  # two lines on: past any break the edit touches
        tail = [s + delta for s in starts[last + 3 :]] if delta else starts[last + 3 :]
    else:
        window_end = len(text)
        tail = []
    return starts[: a + 1] + line_starts(text, starts[a], window_end) + tail


class LineIndex:
    """Maps code-point offsets to (line, UTF-16 character) and back for one text."""

    def __init__(self, text: str) -> None:
        self.reset(text)

    def reset(self, text: str) -> None:
        """Index ``text`` instead (every node sharing this index then reads the new text)."""
        self.text = text
        # Line breaks as YAML counts them: \n, \r\n and a lone \r.
        pattern = _BREAKS if "\r" in text else _LF
        self.starts = [0, *(m.end() for m in pattern.finditer(text))]
        self._ascii = text.isascii()

    def patch(self, text: str, start: int, old_end: int, new_end: int) -> None:
        """Index ``text``, which differs from the indexed text only in that ``[start, old_end)``
        became ``text[start:new_end]``."""
        self.starts = patch_line_starts(self.starts, text, start, old_end, new_end - old_end)
        self.text = text
        self._ascii = text.isascii()

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_text(self, line: int) -> str:
        """The text of ``line`` without its line break."""
        return line_text(self.text, self.starts, line)

    def position(self, offset: int) -> Position:
        """Position of a code-point offset (clamped to the text)."""
        if offset < 0:
            offset = 0
        elif offset > len(self.text):
            offset = len(self.text)
        line = bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        if self._ascii:
            char = offset - start
        else:
            char = utf16_len(self.text[start:offset])
        return Position(line, char, offset)

    def at(self, line: int, column: int) -> Position:
        """Position from a line and a code-point column (what the YAML parser reports)."""
        if line >= len(self.starts):
            return self.position(len(self.text))
        start = self.starts[max(line, 0)]
        offset = min(start + max(column, 0), len(self.text))
        return self.position(offset)

    def offset_of(self, line: int, character: int) -> int:
        """Code-point offset of an LSP (line, UTF-16 character) position, clamped."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start = self.starts[line]
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)
        if self._ascii:
            return min(start + character, end)
        units = 0
        i = start
        while i < end and units < character:
            units += 2 if ord(self.text[i]) > 0xFFFF else 1
            i += 1
        return i

    def span(self, start: int, end: int) -> Span:
        """Span of code-point offsets ``[start, end)``."""
        return Span(self.position(start), self.position(end))


def utf16_len(s: str) -> int:
    """Number of UTF-16 code units in ``s``."""
    if s.isascii():
        return len(s)
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


class _Located:
    """Base of the node classes: the span is computed from code-point offsets on first use, so
    building a tree of thousands of nodes costs no position arithmetic for nodes nobody asks
    about."""

    __slots__ = ("_start", "_end", "_lines", "_span", "anchor")

    def __init__(self, start: int, end: int, lines: LineIndex | None, span: Span | None = None) -> None:
        self._start = start
        self._end = end
        self._lines = lines
        self._span = span
        self.anchor: str | None = None

    @property
    def span(self) -> Span:
        sp = self._span
        if sp is None:
            assert self._lines is not None
            sp = self._span = self._lines.span(self._start, self._end)
        return sp

    @property
    def start_offset(self) -> int:
        return self._start if self._span is None else self._span.start.offset

    @property
    def end_offset(self) -> int:
        return self._end if self._span is None else self._span.end.offset


class ScalarNode(_Located):
    """A scalar. ``value`` is the text after YAML unescaping; ``tag`` is the resolved YAML tag
    short name (``str``, ``int``, ``float``, ``bool``, ``null``, or the explicit tag)."""

    __slots__ = ("value", "tag", "style")
    kind = "scalar"

    def __init__(
        self,
        value: str,
        tag: str,
        span: Span | None = None,
        style: str = "",
        *,
        start: int = 0,
        end: int = 0,
        lines: LineIndex | None = None,
    ) -> None:
        # the attributes of _Located, set inline: this runs once per scalar of every document
        self._start = start
        self._end = end
        self._lines = lines
        self._span = span
        self.anchor = None
        self.value = value
        self.tag = tag
        self.style = style  # "" plain, "'" single, '"' double, "|" literal, ">" folded

    def __repr__(self) -> str:
        return f"ScalarNode({self.value!r}, {self.tag!r})"

    @property
    def is_null(self) -> bool:
        return self.tag == "null"

    def python(self) -> object:
        """The scalar as a Python value according to its tag (YAML 1.2 core schema)."""
        if self.tag == "null":
            return None
        if self.tag == "bool":
            return self.value.lower() == "true"
        if self.tag == "int":
            try:
                return int(self.value.replace("_", ""), 0)
            except ValueError:
                return self.value
        if self.tag == "float":
            try:
                return float(self.value.replace("_", ""))
            except ValueError:
                v = self.value.lower()
                if v.endswith("inf"):
                    return float("-inf") if v.startswith("-") else float("inf")
                return float("nan")
        return self.value

    def value_offset(self) -> int:
        """Code-point offset where the scalar's content starts (after an opening quote)."""
        return self.start_offset + (1 if self.style in ("'", '"') else 0)


class SeqNode(_Located):
    """A sequence of nodes. ``tag`` is the explicit tag's short name, or None (as for every
    collection written without a tag)."""

    __slots__ = ("items", "flow", "tag")
    kind = "seq"

    def __init__(
        self,
        items: list[Node],
        span: Span | None = None,
        flow: bool = False,
        *,
        start: int = 0,
        end: int = 0,
        lines: LineIndex | None = None,
    ) -> None:
        super().__init__(start, end, lines, span)
        self.items = items
        self.flow = flow
        self.tag: str | None = None

    def __repr__(self) -> str:
        return f"SeqNode({len(self.items)} items)"


class MapNode(_Located):
    """A mapping. Keys are kept in order; duplicates are kept too (the syntax layer reports them)
    and :meth:`get` returns the first.

    Merge keys (``<<: *defaults``, ``<<: [*a, *b]``) are resolved as YAML 1.1 loaders do:
    ``pairs`` holds the written pairs except the merge keys, then each merged pair whose key is
    not already there (the merged key and value nodes themselves, so their spans point where
    they are written); ``merges`` keeps the written ``<<`` pairs. ``tag`` is the explicit tag's
    short name, or None."""

    __slots__ = ("pairs", "flow", "_index", "tag", "merges")
    kind = "map"

    def __init__(
        self,
        pairs: list[tuple[Node, Node]],
        span: Span | None = None,
        flow: bool = False,
        *,
        start: int = 0,
        end: int = 0,
        lines: LineIndex | None = None,
    ) -> None:
        super().__init__(start, end, lines, span)
        self.pairs = pairs
        self.flow = flow
        self._index: dict[str, int] | None = None
        self.tag: str | None = None
        self.merges: tuple[tuple[ScalarNode, Node], ...] = ()

    def __repr__(self) -> str:
        return f"MapNode({self.keys()!r})"

    def _build(self) -> dict[str, int]:
        idx: dict[str, int] = {}
        for i, (k, _) in enumerate(self.pairs):
            if isinstance(k, ScalarNode) and k.value not in idx:
                idx[k.value] = i
        self._index = idx
        return idx

    def get(self, key: str) -> Node | None:
        """Value node for a string key, or None."""
        idx = self._index if self._index is not None else self._build()
        i = idx.get(key)
        return None if i is None else self.pairs[i][1]

    def key_node(self, key: str) -> ScalarNode | None:
        """The key node for a string key, or None."""
        idx = self._index if self._index is not None else self._build()
        i = idx.get(key)
        if i is None:
            return None
        k = self.pairs[i][0]
        return k if isinstance(k, ScalarNode) else None

    def __contains__(self, key: str) -> bool:
        idx = self._index if self._index is not None else self._build()
        return key in idx

    def keys(self) -> list[str]:
        return [k.value for k, _ in self.pairs if isinstance(k, ScalarNode)]

    def items(self) -> Iterator[tuple[ScalarNode, Node]]:
        """(key, value) pairs whose key is a scalar."""
        for k, v in self.pairs:
            if isinstance(k, ScalarNode):
                yield k, v


Node = ScalarNode | SeqNode | MapNode


def walk(node: Node) -> Iterator[Node]:
    """Every node of a tree once, depth first, keys included (aliased subtrees are shared, not
    copied), and the written ``<<`` pairs of merge keys after a mapping's own pairs."""
    stack: list[Node] = [node]
    seen: set[int] = set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        yield n
        if isinstance(n, MapNode):
            for k, v in reversed((*n.pairs, *n.merges) if n.merges else n.pairs):
                stack.append(v)
                stack.append(k)
        elif isinstance(n, SeqNode):
            stack.extend(reversed(n.items))


def scalar_str(node: Node | None) -> str | None:
    """The string value of a scalar node, or None for anything else."""
    if isinstance(node, ScalarNode) and not node.is_null:
        return node.value
    return None
