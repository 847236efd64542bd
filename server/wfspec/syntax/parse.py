"""Parse workflow YAML text into a positioned node tree with ruamel.yaml's C composer.

Never raises. Syntax errors, duplicate keys, tabs, a byte order mark, invalid UTF-8, extra
documents, alias bombs and oversized files all become ``syntax`` findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.error import MarkedYAMLError, YAMLError

from wfspec.findings import Finding, Severity
from wfspec.syntax.tree import LineIndex, MapNode, Node, Position, ScalarNode, SeqNode, Span

try:  # the C composer is about 10x faster; fall back to the pure-Python one if it is missing
    from ruamel.yaml.cyaml import CSafeLoader as _Loader

    FAST = True
except ImportError:  # pragma: no cover - depends on the installation
    from ruamel.yaml.loader import SafeLoader as _Loader  # type: ignore[assignment]

    FAST = False

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
#: an alias-expanded tree this many times larger than the written one is an alias bomb
ALIAS_EXPANSION_LIMIT = 100_000

_TAG_PREFIX = "tag:yaml.org,2002:"


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

    try:
        loader: Any = _Loader(body)
    except Exception as exc:  # noqa: BLE001 - the parser must never take the caller down
        problem(f"cannot read YAML: {exc}".lower(), 0)
        doc.fatal = True
        return doc
    try:
        raw = loader.get_node() if loader.check_node() else None
        if raw is not None and loader.check_node():
            extra = loader.get_node()
            start = extra.start_mark.index + shift
            problem("multiple YAML documents; only the first is analyzed", _doc_marker(text, start))
    except MarkedYAMLError as exc:
        raw = _compose_reused_anchors(body, exc)  # a re-defined anchor is legal YAML
        if raw is None:
            mark = exc.problem_mark or exc.context_mark
            offset = (mark.index + shift) if mark is not None else 0
            msg = (exc.problem or exc.context or "invalid YAML").strip()
            if offset < len(text) and text[offset] == "\t" or "\\t" in msg or "tab" in msg:
                msg = (
                    "tab character used for indentation; YAML indents with spaces"
                    if "\t" in _line_of(text, offset)
                    else msg
                )
            ctx = exc.context.strip() if exc.context else ""
            problem(_lower_first(msg) + (f" ({ctx})" if ctx and ctx != msg else ""), offset)
            doc.fatal = True
            return doc
    except (YAMLError, RecursionError, ValueError, TypeError) as exc:
        problem(
            f"cannot parse YAML: {_lower_first(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)}",
            0,
        )
        doc.fatal = True
        return doc
    finally:
        try:
            loader.dispose()
        except Exception:  # noqa: BLE001
            pass

    if raw is None:
        doc.comments = _comments(text, index, [])
        return doc

    converter = _Converter(index, shift)
    try:
        root = converter.convert(raw)
    except RecursionError:
        problem("YAML nesting is too deep to analyze", 0)
        doc.fatal = True
        return doc
    if converter.expanded > ALIAS_EXPANSION_LIMIT and converter.expanded > 10 * converter.count:
        problem(
            f"aliases expand to {converter.expanded:,} nodes (an alias bomb); not analyzed",
            converter.first_alias if converter.first_alias is not None else 0,
        )
        doc.fatal = True
        return doc
    doc.root = root
    for key in converter.duplicates:
        first = converter.duplicate_first[id(key)]
        doc.problems.append(
            Finding(
                "syntax",
                Severity.ERROR,
                f'duplicate key "{key.value}" (first defined on line {first.start.line + 1})',
                key.span,
            )
        )
    doc.comments = _comments(text, index, converter.block_scalars)
    return doc


def _compose_reused_anchors(body: str, exc: MarkedYAMLError) -> Any:
    """The root node of a document whose only problem is a re-defined anchor (legal YAML 1.2: an
    alias refers to the latest node with that anchor), composed with ruamel's pure-Python
    composer, which accepts it; None for any other error."""
    if "duplicate anchor" not in f"{exc.context} {exc.problem}":
        return None
    import warnings

    from ruamel.yaml import YAML

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return YAML(typ="safe", pure=True).compose(body)
    except Exception:  # noqa: BLE001 - fall back to reporting the original error
        return None


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


class _Converter:
    """Converts ruamel nodes to wfspec nodes, sharing aliased subtrees and counting expansion."""

    def __init__(self, index: LineIndex, shift: int) -> None:
        self.index = index
        self.shift = shift
        self.memo: dict[int, tuple[Node, int]] = {}
        self.count = 0
        self.expanded = 0
        self.first_alias: int | None = None
        self.duplicates: list[ScalarNode] = []
        self.duplicate_first: dict[int, Span] = {}
        self.block_scalars: list[tuple[int, int]] = []

    def convert(self, raw: Any) -> Node:
        node, size = self._convert(raw)
        self.expanded = size
        return node

    def _convert(self, raw: Any) -> tuple[Node, int]:
        hit = self.memo.get(id(raw))
        if hit is not None:
            if self.first_alias is None:
                self.first_alias = hit[0].span.start.offset
            return hit
        self.count += 1
        tag: str = raw.tag or ""
        if tag.startswith(_TAG_PREFIX):
            tag = tag[len(_TAG_PREFIX) :]
        shift = self.shift
        start = raw.start_mark.index + shift
        end = raw.end_mark.index + shift
        lines = self.index
        node: Node
        size = 1
        if raw.id == "scalar":
            style = raw.style or ""
            node = ScalarNode(str(raw.value), tag or "str", None, style, start=start, end=end, lines=lines)
            if style in ("|", ">"):
                self.block_scalars.append((start, end))
        elif raw.id == "sequence":
            items: list[Node] = []
            for child in raw.value:
                c, n = self._convert(child)
                items.append(c)
                size += n
            node = SeqNode(items, None, bool(raw.flow_style), start=start, end=end, lines=lines)
        else:
            pairs: list[tuple[Node, Node]] = []
            seen: dict[str, Node] = {}
            for k, v in raw.value:
                kn, a = self._convert(k)
                vn, b = self._convert(v)
                size += a + b
                if isinstance(kn, ScalarNode):
                    if kn.value in seen and kn.value != "<<":
                        self.duplicates.append(kn)
                        self.duplicate_first[id(kn)] = seen[kn.value].span
                    else:
                        seen[kn.value] = kn
                pairs.append((kn, vn))
            node = MapNode(pairs, None, bool(raw.flow_style), start=start, end=end, lines=lines)
        size = min(size, 10**12)
        self.memo[id(raw)] = (node, size)
        return node, size


_COMMENT_RE = re.compile(r"(^|[ \t])#(.*)$")


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
