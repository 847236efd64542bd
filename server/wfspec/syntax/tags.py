"""Explicit YAML tags checked against the YAML 1.2 core schema.

A tag outside the core schema (``!!python/object/apply:os.system``, ``!custom``, ``!<tag:...>``,
a ``%TAG`` handle, and the YAML 1.1 types ``!!binary``, ``!!timestamp``, ``!!set``, ``!!omap``,
``!!pairs``) makes one runtime reject the document and another construct something from it:
each is a problem at the tag itself. The core tags (``!!str``, ``!!int``, ``!!float``,
``!!bool``, ``!!null`` on scalars, ``!!map`` on mappings, ``!!seq`` on sequences, and the
non-specific ``!``) are accepted when the value is one the core schema reads with that tag;
``!!int abc``, ``!!bool yes`` or ``!!seq`` on a mapping are problems too.

:func:`tag_problems` returns ``(span, message)`` pairs; the ``schema`` rule reports them.
"""

from __future__ import annotations

import re

from wfspec.syntax.parse import _BOOL, _FLOAT, _INT, _NULL, Document
from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode, Span, walk

#: the scalar tags of the YAML 1.2 core schema, and what each accepts (None: anything)
_SCALAR_CORE: dict[str, re.Pattern[str] | frozenset[str] | None] = {
    "str": None,
    "int": _INT,
    "float": _FLOAT,
    "bool": _BOOL,
    "null": _NULL,
}
_COLLECTION_CORE = {"map": MapNode, "seq": SeqNode}
_KIND = {ScalarNode: "a scalar", MapNode: "a mapping", SeqNode: "a sequence"}
#: what may precede a tag: the start of a line, a space or a flow indicator
_BEFORE_TAG = frozenset(" \t\r\n[{,")
_TAG_END = re.compile(r"[\s,\[\]{}]")
_SHOWN = 60


def tag_span(text: str, node: Node) -> Span | None:
    """The span of the tag written before ``node`` (among its properties, before or after an
    anchor), or None when none is written."""
    lines = node._lines
    if lines is None:
        return None
    i = node.start_offset
    n = len(text)
    for _ in range(2):  # at most an anchor and a tag, in either order
        if i >= n:
            return None
        c = text[i]
        if c == "&":
            m = _TAG_END.search(text, i)
            i = m.start() if m else n
        elif c == "!":
            if text.startswith("!<", i):
                close = text.find(">", i)
                end = close + 1 if close >= 0 else n
            else:
                m = _TAG_END.search(text, i)
                end = m.start() if m else n
            return lines.span(i, end)
        else:
            return None
        while i < n and text[i] in " \t\r\n":
            i += 1
    return None


def _shown(text: str, span: Span) -> str:
    written = text[span.start.offset : span.end.offset]
    return written if len(written) <= _SHOWN else written[: _SHOWN - 3] + "..."


def _problem(text: str, node: Node) -> tuple[Span, str] | None:
    tag = node.tag
    if tag is None:
        return None
    if isinstance(node, ScalarNode):
        if tag in _SCALAR_CORE:
            accepts = _SCALAR_CORE[tag]
            value = node.value
            if accepts is None:
                return None
            if isinstance(accepts, frozenset):
                if value in accepts:
                    return None
            elif accepts.fullmatch(value) or (tag == "float" and _INT.fullmatch(value)):
                return None
            span = tag_span(text, node)
            if span is None:
                return None  # a plain scalar resolved this way needs no check (it cannot fail)
            return span, (
                f'"{value[:_SHOWN]}" is not a valid !!{tag} in the YAML core schema; '
                "fix the value or remove the tag"
            )
    elif _COLLECTION_CORE.get(tag) is type(node):
        return None
    span = tag_span(text, node)
    if span is None:
        return None
    shown = _shown(text, span)
    if tag in _SCALAR_CORE or tag in _COLLECTION_CORE:
        return span, f'tag "{shown}" cannot be applied to {_KIND[type(node)]}; remove the tag'
    return span, (
        f'tag "{shown}" is outside the YAML core schema: runtimes reject it or construct '
        "something from it; remove the tag"
    )


def _may_have_tags(text: str) -> bool:
    """False when no "!" in ``text`` stands where a tag could (``!=`` aside): then the tree
    holds no explicit tag and is not walked."""
    i = text.find("!")
    while i >= 0:
        if (i == 0 or text[i - 1] in _BEFORE_TAG) and not text.startswith("!=", i):
            return True
        i = text.find("!", i + 1)
    return False


def tag_problems(doc: Document) -> list[tuple[Span, str]]:
    """``(span, message)`` for every explicit tag in ``doc`` outside the YAML 1.2 core schema
    or not fitting its node, in document order (merged-in mappings included, once)."""
    root = doc.root
    text = doc.text
    if root is None or not _may_have_tags(text):
        return []
    out: list[tuple[Span, str]] = []
    for node in walk(root):
        if node.tag is not None and not (isinstance(node, ScalarNode) and node.tag == "str"):
            p = _problem(text, node)
            if p is not None:
                out.append(p)
    out.sort(key=lambda p: p[0].start.offset)
    return out
