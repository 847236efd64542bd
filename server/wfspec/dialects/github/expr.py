"""Parser for GitHub Actions expressions: the text between ``${{`` and ``}}`` (or an ``if:`` value).

Owns the expression grammar: literals (``null``, booleans, numbers including hex and exponents,
single-quoted strings with ``''`` escapes), contexts, ``.name`` / ``['name']`` / ``[expr]`` access,
``.*`` and ``[*]`` filters, function calls, ``!``, comparisons, ``&&`` and ``||``. :func:`parse`
builds an AST whose nodes carry code-point offsets into the expression text, and
:func:`context_refs` lists every maximal literal context access chain (``steps.build.outputs.digest``)
for rules that check contexts, step ids, job outputs and secrets.

Function names and arities are not checked (any name is accepted), nor are context names. Pure
Python, no dependencies, and it never raises: deeply nested input is reported as an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NoReturn, TypeAlias

__all__ = [
    "MAX_DEPTH",
    "Binary",
    "Call",
    "Context",
    "ContextRef",
    "ExprError",
    "Index",
    "Literal",
    "Node",
    "Property",
    "Star",
    "Unary",
    "context_refs",
    "parse",
]

MAX_DEPTH = 50
"""Deepest nesting (parentheses, brackets, calls, ``!``) accepted, as GitHub's own parser does."""


@dataclass(frozen=True, slots=True)
class Literal:
    """``null``, ``true``, ``false``, a number (int when integral in the source) or a string."""

    value: str | int | float | bool | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Context:
    """A context name such as ``github`` or ``steps``, as written (contexts are case-insensitive)."""

    name: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Property:
    """``target.name``; ``name`` keeps its original case and ends at ``end``."""

    target: Node
    name: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Index:
    """``target[index]``; ``target.*`` and ``target[*]`` have a :class:`Star` index."""

    target: Node
    index: Node
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Star:
    """The ``*`` of an object filter (``.*`` or ``[*]``)."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Call:
    """A function call ``name(args)``; the name is as written (functions are case-insensitive)."""

    name: str
    args: list[Node]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Unary:
    """``!operand``."""

    op: str
    operand: Node
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Binary:
    """``left op right`` with op one of ``== != < <= > >= && ||``."""

    op: str
    left: Node
    right: Node
    start: int
    end: int


Node: TypeAlias = Literal | Context | Property | Index | Star | Call | Unary | Binary


@dataclass(frozen=True, slots=True)
class ExprError:
    """A syntax error: a lower-case message and the code-point offset where the problem starts."""

    message: str
    offset: int


@dataclass(frozen=True, slots=True)
class ContextRef:
    """A literal context access chain such as ``needs.build.outputs['image-tag']``.

    ``path`` starts with the context name and stops before the first index that is not a string
    literal (a star, a number or a computed index). ``offsets`` holds the start of each component:
    the identifier for the root and ``.name`` parts, the opening quote for ``['name']`` parts.
    ``start`` is that of the root and ``end`` is just past the last component (past ``]``).
    """

    path: tuple[str, ...]
    offsets: tuple[int, ...]
    start: int
    end: int


# A token: (kind, start, end, value). Kinds are the punctuation or operator text itself, or
# "num" (value: the lexeme), "str" (value: the unescaped text), "ident", "eof" and "err" (a lexical
# error, always the last token; value: the message).
_Tok = tuple[str, int, int, str]
_Span = tuple[Node, int, int]  # a node and its extent including any parentheses around it

_NUMBER_RE = re.compile(
    r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|Infinity)|0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+"
)
_INT_RE = re.compile(r"[+-]?[0-9]+")
_NUMBER_RUN_RE = re.compile(r"[^()\[\],!<>=&|\s]*")  # a number lexeme runs to the next boundary
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_WORDS: dict[str, str | int | float | bool | None] = {
    "null": None,
    "true": True,
    "false": False,
    "NaN": float("nan"),
    "Infinity": float("inf"),
}
_LEVELS: tuple[tuple[str, ...], ...] = (("||",), ("&&",), ("==", "!="), ("<", "<=", ">", ">="))
_POSTFIX_AFTER = ("ident", "]", ")", "*")  # a "." after these is a dereference, not a number


def _number_value(lexeme: str) -> int | float:
    head = lexeme[:2].lower()
    if head in ("0x", "0o", "0b"):
        return int(lexeme, 0)
    if lexeme.endswith("Infinity"):
        return float("-inf") if lexeme.startswith("-") else float("inf")
    if _INT_RE.fullmatch(lexeme):
        return int(lexeme)
    return float(lexeme)


def _show_char(ch: str) -> str:
    return f'"{ch}"' if ch.isprintable() else f'"\\u{ord(ch):04x}"'


def _lex(text: str) -> list[_Tok]:
    """Tokenise the whole text; the list ends with an "eof" token or, on a lexical error, an "err" one."""
    toks: list[_Tok] = []
    n = len(text)
    pos = 0
    while pos < n:
        c = text[pos]
        if c in " \t\r\n":
            pos += 1
            continue
        if c in "()[],*":
            toks.append((c, pos, pos + 1, c))
            pos += 1
            continue
        if c == "." and toks and toks[-1][0] in _POSTFIX_AFTER:
            toks.append((".", pos, pos + 1, "."))
            pos += 1
            continue
        if c in ".+-" or "0" <= c <= "9":
            m = _NUMBER_RUN_RE.match(text, pos + 1)
            end = m.end() if m else pos + 1
            lexeme = text[pos:end]
            if not _NUMBER_RE.fullmatch(lexeme):
                if lexeme in (".", "+", "-") or (c == "." and not lexeme[1:2].isdigit()):
                    message = f'unexpected "{c}"'
                else:
                    message = f'invalid number "{lexeme}"'
                toks.append(("err", pos, end, message))
                return toks
            toks.append(("num", pos, end, lexeme))
            pos = end
            continue
        two = text[pos : pos + 2]
        if two in ("==", "!=", "<=", ">=", "&&", "||"):
            toks.append((two, pos, pos + 2, two))
            pos += 2
            continue
        if c in "!<>":
            toks.append((c, pos, pos + 1, c))
            pos += 1
            continue
        if c == "'":
            chunks: list[str] = []
            j = pos + 1
            while True:
                k = text.find("'", j)
                if k < 0:
                    toks.append(("err", pos, n, "unterminated string"))
                    return toks
                if text[k + 1 : k + 2] == "'":
                    chunks.append(text[j : k + 1])
                    j = k + 2
                    continue
                chunks.append(text[j:k])
                break
            toks.append(("str", pos, k + 1, "".join(chunks)))
            pos = k + 1
            continue
        if ("a" <= c <= "z") or ("A" <= c <= "Z") or c == "_":
            m = _IDENT_RE.match(text, pos)
            end = m.end() if m else pos + 1
            toks.append(("ident", pos, end, text[pos:end]))
            pos = end
            continue
        if c == '"':
            message = "unexpected double quote; strings use single quotes"
        elif c == "=":
            message = 'unexpected "="; use "==" to compare'
        elif c in "&|":
            message = f'unexpected character "{c}"; use "{c}{c}"'
        else:
            message = f"unexpected character {_show_char(c)}"
        toks.append(("err", pos, pos + 1, message))
        return toks
    toks.append(("eof", n, n, ""))
    return toks


class _Fail(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class _Parser:
    """Recursive descent: || < && < equality < comparison < ! < postfix access < primary."""

    def __init__(self, text: str, toks: list[_Tok]) -> None:
        self.text = text
        self.toks = toks
        self.i = 0
        self.depth = 0

    def _unexpected(self) -> NoReturn:
        """Fail on the current token."""
        tok = self.toks[self.i]
        kind = tok[0]
        if kind == "err":
            raise _Fail(tok[3], tok[1])
        if kind == "eof":
            if self.i == 0:
                raise _Fail("empty expression", 0)
            prev = self.toks[self.i - 1]
            raise _Fail(f"unexpected end of input after {self._describe(prev)}", prev[1])
        raise _Fail(f"unexpected {self._describe(tok)}", tok[1])

    def _describe(self, tok: _Tok) -> str:
        if tok[0] == "str":
            return "string"
        return f'"{self.text[tok[1] : tok[2]]}"'

    def _expect(self, kind: str, opener: _Tok) -> _Tok:
        tok = self.toks[self.i]
        if tok[0] == kind:
            self.i += 1
            return tok
        if tok[0] == "eof":
            raise _Fail(f'unclosed "{opener[0]}"', opener[1])
        self._unexpected()

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Fail("expression is nested too deeply", self.toks[self.i][1])

    def parse(self) -> Node:
        node = self.expression()[0]
        if self.toks[self.i][0] != "eof":
            self._unexpected()
        return node

    def expression(self) -> _Span:
        self._enter()
        span = self.binary(0)
        self.depth -= 1
        return span

    def binary(self, level: int) -> _Span:
        if level == len(_LEVELS):
            return self.unary()
        ops = _LEVELS[level]
        toks = self.toks
        node, start, end = self.binary(level + 1)
        while toks[self.i][0] in ops:
            op = toks[self.i][0]
            self.i += 1
            right, _, end = self.binary(level + 1)
            node = Binary(op, node, right, start, end)
        return node, start, end

    def unary(self) -> _Span:
        tok = self.toks[self.i]
        if tok[0] != "!":
            return self.postfix()
        self.i += 1
        self._enter()
        operand, _, end = self.unary()
        self.depth -= 1
        return Unary("!", operand, tok[1], end), tok[1], end

    def postfix(self) -> _Span:
        toks = self.toks
        node, start, end, accessible = self.primary()
        if not accessible:
            return node, start, end
        while True:
            tok = toks[self.i]
            if tok[0] == "[":
                self.i += 1
                star = toks[self.i]
                if star[0] == "*":
                    self.i += 1
                    index: Node = Star(star[1], star[2])
                else:
                    index = self.expression()[0]
                end = self._expect("]", tok)[2]
                node = Index(node, index, start, end)
            elif tok[0] == ".":
                self.i += 1
                name = toks[self.i]
                if name[0] == "ident":
                    self.i += 1
                    end = name[2]
                    node = Property(node, name[3], start, end)
                elif name[0] == "*":
                    self.i += 1
                    end = name[2]
                    node = Index(node, Star(name[1], name[2]), start, end)
                else:
                    self._unexpected()
            else:
                return node, start, end

    def primary(self) -> tuple[Node, int, int, bool]:
        """A node, its extent and whether property/index access may follow it."""
        toks = self.toks
        tok = toks[self.i]
        kind, start, end, value = tok
        if kind == "num":
            self.i += 1
            return Literal(_number_value(value), start, end), start, end, False
        if kind == "str":
            self.i += 1
            return Literal(value, start, end), start, end, False
        if kind == "ident":
            self.i += 1
            if value in _WORDS:
                return Literal(_WORDS[value], start, end), start, end, False
            opener = toks[self.i]
            if opener[0] != "(":
                return Context(value, start, end), start, end, True
            self.i += 1
            args: list[Node] = []
            if toks[self.i][0] != ")":
                while True:
                    args.append(self.expression()[0])
                    if toks[self.i][0] != ",":
                        break
                    self.i += 1
            end = self._expect(")", opener)[2]
            return Call(value, args, start, end), start, end, True
        if kind == "(":
            self.i += 1
            node = self.expression()[0]
            end = self._expect(")", tok)[2]
            return node, start, end, True
        self._unexpected()


def parse(expr: str) -> tuple[Node | None, ExprError | None]:
    """The AST of ``expr`` (the text inside ``${{ }}``) and None, or None and the first syntax error."""
    parser = _Parser(expr, _lex(expr))
    try:
        return parser.parse(), None
    except _Fail as fail:
        return None, ExprError(fail.message, fail.offset)
    except RecursionError:
        return None, ExprError("expression is nested too deeply", 0)


def _chain_ref(root: Context, links: list[Property | Index]) -> ContextRef:
    """The literal path of ``root`` followed by ``links`` (in source order)."""
    path = [root.name]
    offsets = [root.start]
    end = root.end
    for link in links:
        if isinstance(link, Property):
            path.append(link.name)
            offsets.append(link.end - len(link.name))
        elif isinstance(link.index, Literal) and isinstance(link.index.value, str):
            path.append(link.index.value)
            offsets.append(link.index.start)
        else:
            break
        end = link.end
    return ContextRef(tuple(path), tuple(offsets), root.start, end)


def context_refs(node: Node) -> list[ContextRef]:
    """Every maximal context access chain in the tree, in text order.

    ``steps.a.outputs.b`` gives one reference, not four; ``fromJSON(x).a`` gives only those inside
    ``x``; computed indexes (``matrix[inputs.key]``) contribute their own references.
    """
    refs: list[ContextRef] = []
    stack: list[Node] = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, Property | Index):
            links: list[Property | Index] = []
            root: Node = cur
            while isinstance(root, Property | Index):
                links.append(root)
                if isinstance(root, Index) and not isinstance(root.index, Star):
                    stack.append(root.index)
                root = root.target
            if isinstance(root, Context):
                links.reverse()
                refs.append(_chain_ref(root, links))
            else:
                stack.append(root)
        elif isinstance(cur, Context):
            refs.append(ContextRef((cur.name,), (cur.start,), cur.start, cur.end))
        elif isinstance(cur, Call):
            stack.extend(cur.args)
        elif isinstance(cur, Unary):
            stack.append(cur.operand)
        elif isinstance(cur, Binary):
            stack.append(cur.left)
            stack.append(cur.right)
    refs.sort(key=lambda ref: ref.start)
    return refs
