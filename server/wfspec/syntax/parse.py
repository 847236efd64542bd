"""Parse workflow YAML text into a positioned node tree with ruamel.yaml's C composer.

Never raises. Syntax errors, duplicate keys, tabs, a byte order mark, invalid UTF-8, extra
documents, alias bombs, malformed merge keys and oversized files all become ``syntax`` findings.

Merge keys (``<<``) are resolved here, as the YAML 1.1 loaders of the runtimes resolve them (see
:class:`~wfspec.syntax.tree.MapNode`), so every dialect and rule sees the merged mappings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.error import MarkedYAMLError, YAMLError

from wfspec.findings import Finding, Severity
from wfspec.syntax.tree import LineIndex, MapNode, Node, Position, ScalarNode, SeqNode, Span

try:  # the C parser is about 10x faster; fall back to the pure-Python one if it is missing
    from ruamel.yaml.cyaml import CParser

    FAST = True
except ImportError:  # pragma: no cover - depends on the installation
    FAST = False
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)


class _PyParser:
    """The pure-Python event parser, used only when ruamel.yaml.clib is not installed."""

    def __init__(self, stream: str) -> None:
        from ruamel.yaml import YAML

        self._events = YAML(typ="safe", pure=True).parse(stream)

    def get_event(self) -> Any:
        return next(self._events)

    def dispose(self) -> None:
        pass


DEFAULT_MAX_BYTES = 5 * 1024 * 1024
#: an alias-expanded tree this many times larger than the written one is an alias bomb
ALIAS_EXPANSION_LIMIT = 100_000

_TAG_PREFIX = "tag:yaml.org,2002:"
_MERGE_TAG = _TAG_PREFIX + "merge"


@dataclass(frozen=True, slots=True)
class Comment:
    """A ``#`` comment: its text without the ``#`` and its span."""

    text: str
    span: Span
    own_line: bool  # True when nothing but whitespace precedes it on its line


@dataclass(slots=True)
class Document:
    """A parsed document: text, line index, node tree (None when unparsable) and problems."""

    text: str
    index: LineIndex
    root: Node | None
    problems: list[Finding] = field(default_factory=list)
    comments: dict[int, Comment] = field(default_factory=dict)
    fatal: bool = False  # True when nothing beyond the syntax findings should be analyzed
    #: (start, end) offsets of the block scalars (``|``/``>``), whose lines hold no comments
    block_scalars: list[tuple[int, int]] = field(default_factory=list)
    #: anchors, aliases or merge keys occur (an incremental re-parse must not)
    has_anchors: bool = False
    shift: int = 0  # 1 when a byte order mark precedes the YAML
    #: True once an incremental re-parse took this document's tree over (see
    #: :mod:`wfspec.syntax.incremental`): its nodes then describe a newer text
    consumed: bool = False
    #: ids of the nodes an incremental re-parse changed in place (the collections on the way
    #: down to the re-parsed entry); every other node carried over is as it was, moved at most
    modified: frozenset[int] = frozenset()
    #: results that analyses keep for the next version of this document, keyed by who keeps
    #: them; the incremental parser hands the dict on and counts the versions in ``generation``
    memo: dict[str, Any] = field(default_factory=dict)
    generation: int = 0
    #: the merge keys (``<<``) as written, in document order
    merge_keys: list[ScalarNode] = field(default_factory=list)

    @property
    def has_syntax_error(self) -> bool:
        return any(p.severity == Severity.ERROR for p in self.problems)


def decode(data: bytes) -> tuple[str, list[tuple[str, int]]]:
    """Decode file bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM.

    Returns the text and a list of (message, code-point offset) notes about the encoding.
    Invalid UTF-8 is replaced with U+FFFD and reported at the first bad byte.
    """
    notes: list[tuple[str, int]] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
            notes.append(("file is encoded as UTF-16; YAML tools expect UTF-8", 0))
            return text, notes
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), notes
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8", errors="replace")
        notes.append((f"invalid UTF-8 byte 0x{data[exc.start]:02x}; the file must be UTF-8", len(good)))
        return data.decode("utf-8", errors="replace"), notes


def parse(
    source: str | bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Document:
    """Parse ``source`` (text or file bytes) into a :class:`Document`. Never raises."""
    notes: list[tuple[str, int]] = []
    if isinstance(source, bytes):
        size = len(source)
        text, notes = decode(source)
    else:
        text = source
        size = len(text.encode("utf-8", errors="surrogatepass")) if not text.isascii() else len(text)
    index = LineIndex(text)
    doc = Document(text=text, index=index, root=None)

    def problem(
        message: str, start: int, end: int | None = None, severity: Severity = Severity.ERROR
    ) -> None:
        end = start + 1 if end is None else end
        doc.problems.append(Finding("syntax", severity, message, index.span(start, min(end, len(text)))))

    if size > max_bytes:
        problem(
            f"file is {size:,} bytes, larger than the {max_bytes:,}-byte limit; not analyzed "
            "(raise max_file_size to analyze it)",
            0,
            min(len(index.line_text(0)), 1) or 0,
        )
        doc.fatal = True
        return doc
    for message, offset in notes:
        problem(message, offset)

    shift = 0
    body = text
    if body.startswith("\ufeff"):
        problem("file starts with a byte order mark; remove it", 0, 1, Severity.INFORMATION)
        body = body[1:]
        shift = 1
    if "\x00" in body:
        i = body.index("\x00") + shift
        problem("file contains NUL characters; it looks binary, not YAML", i)
        doc.fatal = True
        return doc

    doc.shift = shift
    builder = _Builder(index, shift)
    try:
        parser: Any = CParser(body) if FAST else _PyParser(body)
    except Exception as exc:  # noqa: BLE001 - the parser must never take the caller down
        problem(f"cannot read YAML: {exc}".lower(), 0)
        doc.fatal = True
        return doc
    try:
        root = builder.build(parser.get_event)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        offset = (mark.index + shift) if mark is not None else 0
        msg = (exc.problem or exc.context or "invalid YAML").strip()
        if "\t" in _line_of(text, offset) and ("tab" in msg or "\\t" in msg or "found character" in msg):
            msg = "tab character used for indentation; YAML indents with spaces"
        ctx = exc.context.strip() if exc.context else ""
        problem(_lower_first(msg) + (f" ({ctx})" if ctx and ctx != msg else ""), offset)
        doc.fatal = True
        return doc
    except _BuildError as exc:
        problem(exc.message, exc.offset)
        doc.fatal = True
        return doc
    except (YAMLError, RecursionError, ValueError, TypeError, IndexError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        problem(f"cannot parse YAML: {_lower_first(first)}", 0)
        doc.fatal = True
        return doc
    finally:
        try:
            parser.dispose()
        except Exception:  # noqa: BLE001
            pass
    if builder.extra_document is not None:
        problem(
            "multiple YAML documents; only the first is analyzed", _doc_marker(text, builder.extra_document)
        )
    if root is None:
        doc.comments = _comments(text, index, [])
        doc.has_anchors = bool(builder.anchors)
        return doc
    if builder.expanded > ALIAS_EXPANSION_LIMIT and builder.expanded > 10 * builder.count:
        problem(
            f"aliases expand to {builder.expanded:,} nodes (an alias bomb); not analyzed",
            builder.first_alias if builder.first_alias is not None else 0,
        )
        doc.fatal = True
        return doc
    doc.root = root
    doc.block_scalars = builder.block_scalars
    doc.has_anchors = bool(builder.anchors) or builder.first_alias is not None
    doc.merge_keys = builder.merge_keys
    for message, offset in builder.merge_problems:
        problem(message, offset, offset + 2)
    for key, earlier in builder.duplicates:
        doc.problems.append(
            Finding(
                "syntax",
                Severity.ERROR,
                f'duplicate key "{key.value}" (first defined on line {earlier.span.start.line + 1})',
                key.span,
            )
        )
    doc.comments = _comments(text, index, builder.block_scalars)
    return doc


def _doc_marker(text: str, start: int) -> int:
    """Offset of the ``---`` that opens the document starting near ``start``."""
    i = text.rfind("---", 0, start + 3)
    return i if i >= 0 else start


def _line_of(text: str, offset: int) -> str:
    s = text.rfind("\n", 0, offset) + 1
    e = text.find("\n", offset)
    return text[s : e if e >= 0 else len(text)]


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s else s


_BOOL = frozenset({"true", "True", "TRUE", "false", "False", "FALSE"})
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_INT = re.compile(r"[-+]?[0-9][0-9_]*|0o[0-7_]+|0x[0-9a-fA-F_]+")
_FLOAT = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)


def _plain_tag(value: str) -> str:
    """The YAML 1.2 core-schema tag of a plain (unquoted, untagged) scalar."""
    if not value:
        return "null"
    c = value[0]
    if c in "0123456789+-.":
        if _INT.fullmatch(value):
            return "int"
        if _FLOAT.fullmatch(value):
            return "float"
        return "str"
    if c in "tTfF" and value in _BOOL:
        return "bool"
    if c in "~nN" and value in _NULL:
        return "null"
    return "str"


class _BuildError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class _Builder:
    """Builds wfspec nodes straight from the C parser's events (no intermediate composer
    nodes), sharing aliased subtrees and counting how large aliases would expand."""

    def __init__(self, index: LineIndex, shift: int) -> None:
        self.index = index
        self.shift = shift
        self.anchors: dict[str, tuple[Node, int]] = {}
        self.count = 0
        self.expanded = 0
        #: offset of the first alias or merge key (the first place nodes are shared)
        self.first_alias: int | None = None
        self.merge_keys: list[ScalarNode] = []
        self.merge_problems: list[tuple[str, int]] = []
        self.merged = 0  # pairs copied into mappings by merge keys (bounded like aliases)
        self._merging = False  # a "<<" scalar was seen: mappings may hold merge keys
        self.duplicates: list[tuple[ScalarNode, ScalarNode]] = []
        self.block_scalars: list[tuple[int, int]] = []
        self.extra_document: int | None = None

    def build(self, get: Any) -> Node | None:
        ev = get()  # stream start
        ev = get()
        if isinstance(ev, StreamEndEvent):
            return None
        root = self._node(get)
        get()  # document end
        ev = get()
        if isinstance(ev, DocumentStartEvent):
            self.extra_document = ev.start_mark.index + self.shift
        return root

    def _node(self, get: Any) -> Node:
        shift = self.shift
        lines = self.index
        anchors = self.anchors
        # frame: [is_map, items, start, anchor, flow, size, tag]
        stack: list[list[Any]] = []
        while True:
            ev = get()
            t = type(ev)
            node: Node
            if t is ScalarEvent:
                value = ev.value
                style = ev.style or ""
                tag = ev.tag
                if tag and tag != "!":
                    if tag == _MERGE_TAG:
                        self._merging = True
                    tag = tag[len(_TAG_PREFIX) :] if tag.startswith(_TAG_PREFIX) else tag
                elif style or tag == "!":
                    tag = "str"
                else:
                    tag = _plain_tag(value)
                    if value == "<<":
                        self._merging = True
                start = ev.start_mark.index + shift
                end = ev.end_mark.index + shift
                node = ScalarNode(value, tag, None, style, start=start, end=end, lines=lines)
                if style in ("|", ">"):
                    self.block_scalars.append((start, end))
                size = 1
                self.count += 1
                if ev.anchor is not None:
                    node.anchor = ev.anchor
                    anchors[ev.anchor] = (node, 1)
            elif t is MappingStartEvent or t is SequenceStartEvent:
                stack.append(
                    [
                        t is MappingStartEvent,
                        [],
                        ev.start_mark.index + shift,
                        ev.anchor,
                        bool(ev.flow_style),
                        1,
                        ev.tag,
                    ]
                )
                continue
            elif t is MappingEndEvent or t is SequenceEndEvent:
                is_map, items, start, anchor, flow, size, tag = stack.pop()
                end = ev.end_mark.index + shift
                if is_map:
                    pairs = list(zip(items[0::2], items[1::2], strict=False))
                    self._check_duplicates(pairs)
                    written: tuple[tuple[ScalarNode, Node], ...] = ()
                    if self._merging:
                        pairs, written = self._merge(pairs)
                    node = MapNode(pairs, None, flow, start=start, end=end, lines=lines)
                    node.merges = written
                else:
                    node = SeqNode(items, None, flow, start=start, end=end, lines=lines)
                if tag and tag != "!":
                    node.tag = tag[len(_TAG_PREFIX) :] if tag.startswith(_TAG_PREFIX) else tag
                self.count += 1
                if anchor is not None:
                    node.anchor = anchor
                    anchors[anchor] = (node, size)
            elif t is AliasEvent:
                hit = anchors.get(ev.anchor)
                if hit is None:
                    raise _BuildError(f'undefined alias "{ev.anchor}"', ev.start_mark.index + shift)
                if self.first_alias is None:
                    self.first_alias = ev.start_mark.index + shift
                node, size = hit
            else:  # pragma: no cover - the parser guarantees the event grammar
                raise _BuildError(f"unexpected {t.__name__}", ev.start_mark.index + shift)
            if not stack:
                self.expanded = size
                return node
            frame = stack[-1]
            frame[1].append(node)
            total = frame[5] + size
            frame[5] = total if total < 10**12 else 10**12

    def _merge(
        self, pairs: list[tuple[Node, Node]]
    ) -> tuple[list[tuple[Node, Node]], tuple[tuple[ScalarNode, Node], ...]]:
        """Resolve the merge keys of one mapping: (its pairs, its written ``<<`` pairs).

        As YAML 1.1 loaders (PyYAML's ``flatten_mapping``, SnakeYAML, js-yaml, go-yaml) do: the
        mapping's own keys win over merged ones, an earlier mapping of a ``<<: [*a, *b]`` list
        wins over a later one, and a later ``<<`` key over an earlier one. The merged mappings
        are already resolved themselves (they were built first)."""
        own: list[tuple[Node, Node]] = []
        written: list[tuple[ScalarNode, Node]] = []
        groups: list[list[MapNode]] = []
        for k, v in pairs:
            if (
                isinstance(k, ScalarNode)
                and k.value == "<<"
                and (k.tag == "merge" or (k.tag == "str" and not k.style))
            ):
                written.append((k, v))
                self.merge_keys.append(k)
                if self.first_alias is None:
                    self.first_alias = k.start_offset
                if isinstance(v, MapNode):
                    groups.append([v])
                elif isinstance(v, SeqNode) and all(isinstance(i, MapNode) for i in v.items):
                    groups.append(v.items)  # type: ignore[arg-type]
                else:
                    self.merge_problems.append(
                        (
                            'merge key "<<" needs a mapping or a list of mappings '
                            '(such as "<<: *defaults"); YAML loaders reject anything else',
                            k.start_offset,
                        )
                    )
            else:
                own.append((k, v))
        if not written:
            return pairs, ()
        seen = {k.value for k, _ in own if isinstance(k, ScalarNode)}
        out = own
        for group in reversed(groups):
            for source in group:
                for k, v in source.pairs:
                    if isinstance(k, ScalarNode):
                        if k.value in seen:
                            continue
                        seen.add(k.value)
                    out.append((k, v))
        self.merged += len(out)
        if self.merged > ALIAS_EXPANSION_LIMIT and self.merged > 10 * self.count:
            raise _BuildError(
                f"merge keys copy more than {ALIAS_EXPANSION_LIMIT:,} entries (an alias bomb); not analyzed",
                written[0][0].start_offset,
            )
        return out, tuple(written)

    def _check_duplicates(self, pairs: list[tuple[Node, Node]]) -> None:
        if len(pairs) < 2:
            return
        seen: dict[str, ScalarNode] = {}
        for k, _ in pairs:
            if isinstance(k, ScalarNode):
                first = seen.get(k.value)
                if first is None:
                    seen[k.value] = k
                elif k.value != "<<":
                    self.duplicates.append((k, first))


def _comments(text: str, index: LineIndex, block_scalars: list[tuple[int, int]]) -> dict[int, Comment]:
    """Comments by line. Lines inside block scalars are skipped; quotes are respected."""
    out: dict[int, Comment] = {}
    if "#" not in text:
        return out
    skip: set[int] = set()
    for start, end in block_scalars:
        first = index.position(start).line
        last_pos = index.position(end)
        last = last_pos.line if last_pos.character else last_pos.line - 1
        skip.update(range(first + 1, last + 1))
    seen_lines: set[int] = set()
    pos = text.find("#")
    while pos >= 0:
        line = index.position(pos).line
        if line not in seen_lines:
            seen_lines.add(line)
            if line not in skip:
                s = index.line_text(line)
                col = _comment_column(s)
                if col is not None:
                    start = index.starts[line] + col
                    end = index.starts[line] + len(s)
                    out[line] = Comment(s[col + 1 :], index.span(start, end), not s[:col].strip())
        nxt = index.starts[line + 1] if line + 1 < len(index.starts) else len(text)
        pos = text.find("#", max(nxt, pos + 1))
    return out


def _comment_column(s: str) -> int | None:
    quote = ""
    prev = " "
    for i, ch in enumerate(s):
        if quote:
            if ch == quote:
                if quote == "'" and i + 1 < len(s) and s[i + 1] == "'":
                    continue
                if quote == '"' and prev == "\\":
                    prev = ch
                    continue
                quote = ""
        elif ch in "'\"" and (prev in " \t:[{,-" or i == 0):
            quote = ch
        elif ch == "#" and (i == 0 or prev in " \t"):
            return i
        prev = ch
    return None


def position_of(doc: Document, offset: int) -> Position:
    """Position of a code-point offset in ``doc``."""
    return doc.index.position(offset)
