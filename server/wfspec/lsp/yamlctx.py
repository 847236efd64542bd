"""Where is the cursor, structurally? A text-only reading of block YAML around a position.

Completion runs on every keystroke, usually in a document that does not parse yet, so it cannot
rely on the node tree. This module reads indentation instead: the chain of keys (``[]`` for a
sequence item) from the root to the mapping the cursor is in, what is being typed (a key, a
value of some key, a new list item, text inside a runtime expression), and the keys already
present beside it. Backward scans use regular expressions over the text, so the cost does not
grow with the number of sibling tasks above the cursor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

KEY = "key"
VALUE = "value"
EXPRESSION = "expression"

_LINE = re.compile(r"(?P<indent> *)(?P<dashes>(?:-(?: +|$))*)(?P<rest>.*)")
_KEY_RE = re.compile(
    r"""(?P<key>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"\[\]{},:-][^#:]*?|-[^\s#:][^#:]*?)\s*:(?:\s+(?P<value>.*?))?\s*$"""
)
_WORD_TAIL = re.compile(r"[\w.\-]*")
_WORD_HEAD = re.compile(r"[\w.\-]*$")


def _key_of(rest: str) -> tuple[str | None, str | None]:
    """(key, inline value) of a ``key: value`` line content, or (None, None)."""
    rest = _strip_comment(rest)
    m = _KEY_RE.match(rest)
    if m is None:
        return None, None
    key = m.group("key")
    if key[:1] in "\"'":
        key = key[1:-1]
    value = m.group("value")
    return key.strip(), (value if value else None)


def _strip_comment(s: str) -> str:
    quote = ""
    for i, ch in enumerate(s):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"" and (i == 0 or s[i - 1] in " :[{,-"):
            quote = ch
        elif ch == "#" and (i == 0 or s[i - 1] in " \t"):
            return s[:i].rstrip()
    return s.rstrip()


@dataclass(slots=True)
class Context:
    """The structural context of a cursor."""

    kind: str  # KEY, VALUE or EXPRESSION
    path: list[str] = field(default_factory=list)  # root to the mapping holding the cursor's key
    key: str | None = None  # VALUE: the key whose value is typed
    prefix: str = ""  # the partial word before the cursor
    start: int = 0  # code-point column where the replaced word starts
    end: int = 0  # code-point column where it ends
    column: int = 0  # column of the cursor's key (or of the item content)
    dash: bool = False  # the cursor line starts a sequence item ("- ")
    new_item: bool = False  # KEY at the column of a sequence's dashes, no dash typed yet
    expression: str = ""  # EXPRESSION: text from the expression start to the cursor
    flavour: str = ""  # EXPRESSION: "${" (Serverless Workflow) or "${{" (GitHub Actions)
    siblings: set[str] = field(default_factory=set)
    line: int = 0
    incomplete: bool = False  # set by completion when it cut the list short


@lru_cache(maxsize=64)
def _seq_parent(c: int) -> re.Pattern[str]:
    """Lines that can hold the key of a sequence whose dashes sit at column ``c``."""
    if c == 0:
        return re.compile(r"^(?!-(?: |$))[^ \r\n#]", re.M)
    return re.compile(rf"^(?: {{0,{c - 1}}}[^ \r\n#]| {{{c}}}(?!-(?: |$))[^ \r\n#])", re.M)


@lru_cache(maxsize=64)
def _map_parent(c: int) -> re.Pattern[str]:
    """Lines that can hold the parent of a mapping whose keys sit at column ``c`` (> 0)."""
    return re.compile(rf"^(?: {{0,{c - 1}}}[^ \r\n#]| {{{c}}}-(?: |$))", re.M)


class Reader:
    """Reads structure from a text with a line table (``starts`` as in ``TextDocument``)."""

    def __init__(self, text: str, starts: list[int]) -> None:
        self.text = text
        self.starts = starts

    def line(self, n: int) -> str:
        if n < 0 or n >= len(self.starts):
            return ""
        s = self.starts[n]
        e = self.starts[n + 1] if n + 1 < len(self.starts) else len(self.text)
        return self.text[s:e].rstrip("\r\n")

    def _line_of(self, offset: int) -> int:
        from bisect import bisect_right

        return bisect_right(self.starts, offset) - 1

    def _find_above(self, before_line: int, pattern: re.Pattern[str]) -> int | None:
        """The nearest line above ``before_line`` matching ``pattern`` (anchored with ^, MULTILINE)."""
        end = self.starts[before_line] if before_line < len(self.starts) else len(self.text)
        size = 2048
        while True:
            start = max(0, end - size)
            if start > 0:
                start = self.text.rfind("\n", 0, start) + 1
            last = None
            for m in pattern.finditer(self.text, start, end):
                last = m
            if last is not None:
                return self._line_of(last.start())
            if start == 0:
                return None
            size *= 4

    def path(self, line: int, col: int, seq: bool) -> tuple[list[str], bool]:
        """Keys from the root to the mapping whose keys sit at ``col`` (``seq``: to the sequence
        whose dashes sit at ``col``). Also whether the cursor is at a new-item position."""
        rev: list[str] = []
        new_item = False
        c = col
        first = True
        while c > 0 or seq:
            if seq:
                # the sequence's parent: a line indented less, or a key at the dash column
                pat = _seq_parent(c)
            else:
                pat = _map_parent(c)
            found = self._find_above(line, pat)
            if found is None:
                break
            line = found
            m = _LINE.match(self.line(line))
            assert m is not None
            indent = len(m.group("indent"))
            dashes = m.group("dashes")
            rest = m.group("rest")
            if rest.startswith("#") or rest.strip() in ("---", "..."):
                if rest.strip() in ("---", "..."):
                    break
                continue
            key, _ = _key_of(rest)
            if dashes:
                content = indent + len(dashes)
                if seq:
                    if indent < c:  # a sequence nested in an item: "- - x"
                        rev.append("[]")
                        c = indent
                        continue
                    break  # malformed
                if content == c or (content < c and key is None):
                    rev.append("[]")
                elif content < c:
                    rev.append(key or "")
                    rev.append("[]")
                elif indent == c:
                    if first:
                        new_item = True
                    rev.append("[]")
                else:
                    break
                c = indent
                seq = True
            else:
                if key is None:
                    break
                rev.append(key)
                c = indent
                seq = False
            first = False
        rev.reverse()
        return rev, new_item

    def siblings(self, line: int, col: int, item_start: bool) -> set[str]:
        """Keys at ``col`` in the block mapping around ``line`` (at most 300 lines each way);
        ``item_start``: the mapping begins on ``line`` (a "- " item), so nothing above counts."""
        out: set[str] = set()
        for step in (1,) if item_start else (-1, 1):
            n = line + step
            for _ in range(300):
                if n < 0 or n >= len(self.starts):
                    break
                m = _LINE.match(self.line(n))
                assert m is not None
                rest = m.group("rest")
                n += step
                if not rest.strip() or rest.startswith("#"):
                    continue
                indent = len(m.group("indent"))
                dashes = m.group("dashes")
                if dashes:
                    if indent + len(dashes) == col:
                        if step < 0:  # the item's first line: the mapping starts here
                            key, _ = _key_of(rest)
                            if key:
                                out.add(key)
                        break
                    if indent < col:
                        break
                elif indent < col:
                    break
                elif indent == col:
                    key, _ = _key_of(rest)
                    if key:
                        out.add(key)
        return out


def _expression_start(before: str) -> tuple[int, str] | None:
    """Where an unclosed ``${`` / ``${{`` starts in ``before``, and which one."""
    i = before.rfind("${")
    while i >= 0:
        tail = before[i + 2 :]
        flavour = "${{" if tail.startswith("{") else "${"
        depth = 1
        quote = False
        for ch in tail[1:] if flavour == "${{" else tail:
            if quote:
                if ch == '"' or (flavour == "${{" and ch == "'"):
                    quote = False
            elif ch in "\"'":
                quote = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    break
        if depth > 0:
            return i, flavour
        i = before.rfind("${", 0, i)
    return None


def _mapping_path(r: Reader, line: int, indent: int, content: int, dash: bool) -> list[str]:
    """Path of the mapping whose keys sit at ``content`` on ``line``."""
    if dash:
        path, _ = r.path(line, indent, True)
        path.append("[]")
        return path
    if not content:
        return []
    return r.path(line, content, False)[0]


def context_at(text: str, starts: list[int], line: int, col: int) -> Context | None:
    """The context of a cursor at (``line``, code-point ``col``), or None when it is not one
    completion knows (inside a comment, a block scalar body, flow collections...)."""
    r = Reader(text, starts)
    full = r.line(line)
    col = min(col, len(full))
    before = full[:col]
    after = full[col:]
    word_end = col + len(_WORD_TAIL.match(after).group(0))  # type: ignore[union-attr]
    if _strip_comment(before) != before.rstrip():
        return None  # in a comment
    expr = _expression_start(before)
    if expr is not None:
        at, flavour = expr
        body = before[at + len(flavour) :]
        head = re.search(r"[\w]*$", body)
        prefix = head.group(0) if head else ""
        return Context(
            EXPRESSION,
            prefix=prefix,
            start=col - len(prefix),
            end=col + len(re.match(r"\w*", after).group(0)),  # type: ignore[union-attr]
            expression=body,
            flavour=flavour,
            line=line,
        )
    m = _LINE.match(before)
    assert m is not None
    indent = len(m.group("indent"))
    dashes = m.group("dashes")
    rest = m.group("rest")
    content = indent + len(dashes)
    key, value = (None, None)
    if ":" in rest:
        km = re.match(r"""(?P<key>"[^"]*"|'[^']*'|[^\s#'"\[\]{},:][^#:]*?)\s*:\s+(?P<value>.*)$""", rest)
        if km is None:
            return None
        key = km.group("key").strip("\"'")
        value = km.group("value")
        if value.startswith(("|", ">", "{")):
            return None
        prefix = _WORD_HEAD.search(value).group(0)  # type: ignore[union-attr]
        if value.startswith("["):
            inner = value[1:]
            piece = inner.rsplit(",", 1)[-1].lstrip()
            prefix = piece.strip("\"'")
        elif value[:1] in "\"'":
            prefix = value[1:]
        path = _mapping_path(r, line, indent, content, bool(dashes))
        return Context(
            VALUE,
            path=path,
            key=key,
            prefix=prefix,
            start=col - len(prefix),
            end=word_end,
            column=content,
            dash=bool(dashes),
            line=line,
        )
    if not re.fullmatch(r"[\w.\-]*", rest):
        return None
    new_item = False
    if dashes:
        path = _mapping_path(r, line, indent, content, True)
    else:
        path, new_item = r.path(line, content, False) if content else ([], False)
    ctx = Context(
        KEY,
        path=path,
        prefix=rest,
        start=col - len(rest),
        end=word_end,
        column=content,
        dash=bool(dashes),
        new_item=new_item,
        line=line,
    )
    ctx.siblings = r.siblings(line, content, bool(dashes))
    return ctx
