"""jq syntax checking for Serverless Workflow runtime expressions (the text inside ``${ ... }``).

Owns the jq grammar as far as runtime expressions need it: :func:`check` says whether the text
between the braces is a syntactically valid jq program and, when it is not, what is wrong and
where. The grammar is jq 1.7's (``if`` without ``else``, ``.a.[0]``, ``{$__loc__}``, keywords as
object keys), slightly lenient where newer jq relaxed it: ``reduce``, ``foreach``, ``if`` and
``try`` may also stand where a term does. Empty text is an error. :func:`variables` lists every
``$name`` reference with the literal field path written directly after it (``$secrets.apiKey``
gives ``("apiKey",)``), and :func:`bindings` lists the variables the program binds itself
(``as $x``, ``def f($x)``), so rules can check ``$secrets`` / ``$context`` usage.

Pure Python, no dependencies, linear time, and it never raises: deeply nested input is reported
as an error. Offsets are code-point offsets into the expression text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import NoReturn

__all__ = ["MAX_DEPTH", "JqError", "VarRef", "bindings", "check", "variables"]

MAX_DEPTH = 128
"""Deepest nesting (brackets, bindings, patterns) accepted before 'expression is nested too deeply'."""


@dataclass(frozen=True, slots=True)
class JqError:
    """A syntax error: a lower-case message and the code-point offset where the problem starts."""

    message: str
    offset: int


@dataclass(frozen=True, slots=True)
class VarRef:
    """A ``$name`` occurrence and the literal field path written directly after it.

    ``path`` holds the names of ``.name``, ``."name"``, ``["name"]`` and ``.["name"]`` suffixes up
    to the first suffix that is not a literal field name; ``offset`` is that of the ``$`` and ``end``
    is just past the last path component (past the ``$name`` when the path is empty).
    """

    name: str
    path: tuple[str, ...]
    offset: int
    end: int


# A token: (kind, start, end, value). Kinds are the operator or keyword text itself, or one of
# "num", "field" (.name), "var" ($name), "ident", "fmt" (@name), "str" (opening quote), "text"
# (string content, value decoded), "interp" (\(), "interp_end" (its closing paren), "str_end",
# "eof" and "err" (a lexical error; value is the message, and it is always the last token).
_Tok = tuple[str, int, int, str]

_KEYWORDS = frozenset(
    "as def module import include if then elif else end reduce foreach and or try catch label break".split()
)

_NAME = r"(?:[A-Za-z_][A-Za-z0-9_]*::)*[A-Za-z_][A-Za-z0-9_]*"
_CODE_RE = re.compile(
    r"(?P<ws>[ \t\r\n]+|#[^\n]*)"
    r"|(?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<field>\.[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<var>\$" + _NAME + r")"
    r"|(?P<ident>" + _NAME + r")"
    r"|(?P<fmt>@[A-Za-z0-9_]+)"
    r'|(?P<op>\?//|//=|\|=|\+=|-=|\*=|/=|%=|==|!=|<=|>=|//|\.\.|[.\[\]{}()|,:;?=<>+\-*/%"])'
)
_TEXT_RE = re.compile(r'[^"\\]+')
_HEX4_RE = re.compile(r"[0-9A-Fa-f]{4}")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}

# Binary operator precedence levels, loosest first (jq's parser.y). 4 and 7 are non-associative.
_LEVELS = {
    "|": 1,
    ",": 2,
    "//": 3,
    "=": 4,
    "|=": 4,
    "+=": 4,
    "-=": 4,
    "*=": 4,
    "/=": 4,
    "%=": 4,
    "//=": 4,
    "or": 5,
    "and": 6,
    "==": 7,
    "!=": 7,
    "<": 7,
    "<=": 7,
    ">": 7,
    ">=": 7,
    "+": 8,
    "-": 8,
    "*": 9,
    "/": 9,
    "%": 9,
}
_NONASSOC = (4, 7)
_UNARY_MINUS = 9  # `-x * y` negates the product, `-x + y` only x
_POSTFIX_ONLY = 10  # `try` and `catch` bodies take no binary operators


def _show_char(ch: str) -> str:
    return f'"{ch}"' if ch.isprintable() else f'"\\u{ord(ch):04x}"'


def _truncate_unclosed(toks: list[_Tok], frames: list[list[int]], str_start: int, str_tok: int) -> list[_Tok]:
    """End the token list at end of input inside a string (str_start >= 0) or an interpolation.

    The unfinished string is dropped and an "err" token stands in its place, so that the parser
    still reports any earlier error first. An open ``\\(`` is the likelier culprit than a quote.
    """
    if frames:
        _, _, t0, interp = frames[-1]
        del toks[t0:]
        toks.append(("err", interp, interp, 'unclosed "\\("'))
    else:
        del toks[str_tok:]
        toks.append(("err", str_start, str_start, "unterminated string"))
    return toks


def _lex(text: str) -> list[_Tok]:
    """Tokenise the whole text; the list ends with an "eof" token or, on a lexical error, an "err" one."""
    toks: list[_Tok] = []
    n = len(text)
    pos = 0
    # Open interpolations, innermost last: [paren depth, string offset, string token index, \( offset].
    frames: list[list[int]] = []
    str_start = -1  # offset of the opening quote while lexing string content, else -1
    str_tok = 0  # index of that string's "str" token
    match_code = _CODE_RE.match
    while True:
        if str_start >= 0:
            chunks: list[str] = []
            seg = pos
            while True:
                if pos >= n:
                    return _truncate_unclosed(toks, frames, str_start, str_tok)
                c = text[pos]
                if c == '"':
                    if pos > seg:
                        toks.append(("text", seg, pos, "".join(chunks)))
                    toks.append(("str_end", pos, pos + 1, ""))
                    pos += 1
                    str_start = -1
                    break
                if c == "\\":
                    nxt = text[pos + 1 : pos + 2]
                    if nxt == "(":
                        if pos > seg:
                            toks.append(("text", seg, pos, "".join(chunks)))
                        toks.append(("interp", pos, pos + 2, ""))
                        frames.append([0, str_start, str_tok, pos])
                        pos += 2
                        str_start = -1
                        break
                    esc = _ESCAPES.get(nxt)
                    if esc is not None:
                        chunks.append(esc)
                        pos += 2
                        continue
                    if nxt == "u" and _HEX4_RE.match(text, pos + 2):
                        chunks.append(chr(int(text[pos + 2 : pos + 6], 16)))
                        pos += 6
                        continue
                    if not nxt:
                        pos = n
                        continue
                    if nxt == "u":
                        message = 'invalid escape "\\u" (expected four hex digits)'
                    else:
                        message = f'invalid escape "\\{nxt}"' if nxt.isprintable() else "invalid escape"
                    toks.append(("err", pos, pos + 2, message))
                    return toks
                m = _TEXT_RE.match(text, pos)
                assert m is not None
                chunks.append(m.group())
                pos = m.end()
            continue
        if pos >= n:
            if frames:
                return _truncate_unclosed(toks, frames, -1, 0)
            toks.append(("eof", n, n, ""))
            return toks
        m = match_code(text, pos)
        if m is None:
            toks.append(("err", pos, pos + 1, f"unexpected character {_show_char(text[pos])}"))
            return toks
        kind = m.lastgroup
        s = pos
        pos = m.end()
        if kind == "ws":
            continue
        value = m.group()
        if kind == "op":
            if value == '"':
                str_start = s
                str_tok = len(toks)
                toks.append(("str", s, pos, ""))
                continue
            if frames:
                top = frames[-1]
                if value == "(":
                    top[0] += 1
                elif value == ")":
                    if top[0] == 0:
                        frames.pop()
                        toks.append(("interp_end", s, pos, ""))
                        str_start = top[1]
                        str_tok = top[2]
                        continue
                    top[0] -= 1
            toks.append((value, s, pos, value))
        elif kind == "ident":
            toks.append((value if value in _KEYWORDS else "ident", s, pos, value))
        elif kind == "num":
            toks.append(("num", s, pos, value))
        else:  # field, var, fmt: the value drops the sigil
            toks.append((kind or "err", s, pos, value[1:]))


def _plain_string(toks: list[_Tok], j: int) -> tuple[str, int] | None:
    """Value of the interpolation-free string literal starting at toks[j], and the index after it."""
    if toks[j][0] != "str":
        return None
    k = j + 1
    value = ""
    if toks[k][0] == "text":
        value = toks[k][3]
        k += 1
    if toks[k][0] != "str_end":
        return None
    return value, k + 1


def _var_ref(toks: list[_Tok], j: int) -> VarRef:
    """The reference made by the "var" token toks[j], with its literal field path."""
    _, start, end, name = toks[j]
    path: list[str] = []
    k = j + 1
    while True:
        kind = toks[k][0]
        if kind == "field":
            path.append(toks[k][3])
            end = toks[k][2]
            k += 1
            continue
        if kind == "?":
            k += 1
            continue
        if kind == ".":
            after_dot = _plain_string(toks, k + 1)
            if after_dot is not None:
                path.append(after_dot[0])
                end = toks[after_dot[1] - 1][2]
                k = after_dot[1]
                continue
            if toks[k + 1][0] != "[":
                break
            k += 1
            kind = "["
        if kind == "[":
            inside = _plain_string(toks, k + 1)
            if inside is not None and toks[inside[1]][0] == "]":
                path.append(inside[0])
                end = toks[inside[1]][2]
                k = inside[1] + 1
                continue
        break
    return VarRef(name, tuple(path), start, end)


class _Fail(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class _Parser:
    """Recursive descent (precedence climbing for binary operators) over the token list."""

    def __init__(self, text: str, toks: list[_Tok]) -> None:
        self.text = text
        self.toks = toks
        self.i = 0
        self.depth = 0
        self.refs: dict[int, VarRef] = {}  # token index -> reference
        self.binds: dict[int, VarRef] = {}  # token index -> binding site
        self.labels: set[int] = set()  # token indexes of label names (label $x, break $x)
        self.error: JqError | None = None

    # -- helpers ---------------------------------------------------------------------------------

    def _describe(self, tok: _Tok) -> str:
        if tok[0] in ("str", "text", "str_end"):
            return "string"
        return f'"{self.text[tok[1] : tok[2]]}"'

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
        if kind == "str":
            raise _Fail("unexpected string", tok[1])
        raise _Fail(f"unexpected {self._describe(tok)}", tok[1])

    def _expect(self, kind: str, opener: _Tok | None = None) -> _Tok:
        tok = self.toks[self.i]
        if tok[0] == kind:
            self.i += 1
            return tok
        if tok[0] == "eof" and opener is not None:
            raise _Fail(f'unclosed "{self.text[opener[1] : opener[2]]}"', opener[1])
        self._unexpected()

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Fail("expression is nested too deeply", self.toks[self.i][1])

    # -- grammar ---------------------------------------------------------------------------------

    def program(self) -> None:
        toks = self.toks
        seen = False
        if toks[0][0] == "module":
            self.i += 1
            self.exp(0)
            self._expect(";")
            seen = True
        while toks[self.i][0] in ("import", "include"):
            self.import_()
            seen = True
        while toks[self.i][0] == "def":
            self.funcdef()
            seen = True
        if not (seen and toks[self.i][0] == "eof"):
            self.exp(0)
        if toks[self.i][0] != "eof":
            self._unexpected()

    def import_(self) -> None:
        toks = self.toks
        keyword = toks[self.i][0]
        self.i += 1
        if toks[self.i][0] != "str":
            self._unexpected()
        self.string()
        if keyword == "import":
            self._expect("as")
            if toks[self.i][0] not in ("ident", "var"):
                self._unexpected()
            self.i += 1
        if toks[self.i][0] != ";":
            self.exp(0)
        self._expect(";")

    def funcdef(self) -> None:
        toks = self.toks
        def_tok = toks[self.i]
        self.i += 1
        self._expect("ident")
        if toks[self.i][0] == "(":
            opener = toks[self.i]
            self.i += 1
            self.param()
            while toks[self.i][0] == ";":
                self.i += 1
                self.param()
            self._expect(")", opener)
        self._expect(":")
        self.exp(0)
        self._expect(";", def_tok)

    def param(self) -> None:
        tok = self.toks[self.i]
        if tok[0] == "var" and tok[3] != "__loc__":
            self.binds[self.i] = VarRef(tok[3], (), tok[1], tok[2])
        elif tok[0] != "ident":
            self._unexpected()
        self.i += 1

    def exp(self, min_level: int) -> None:
        """An expression whose binary operators all bind at least as tightly as ``min_level``."""
        self._enter()
        self.operand()
        toks = self.toks
        last_nonassoc = 0
        while True:
            tok = toks[self.i]
            kind = tok[0]
            if kind == "?":
                self.i += 1
                continue
            if kind == "?//":
                # jq lexes `?//` as one token, the destructuring alternative, so `.a?//1` is an error.
                raise _Fail('unexpected "?//"; write "? //" for an optional value with a default', tok[1])
            level = _LEVELS.get(kind)
            if level is None or level < min_level:
                break
            if level in _NONASSOC:
                if level == last_nonassoc:
                    self._unexpected()
                last_nonassoc = level
            else:
                last_nonassoc = 0
            self.i += 1
            # Associativity does not change validity, so right-associative operators loop here too.
            self.exp(level + 1)
        self.depth -= 1

    def operand(self) -> None:
        toks = self.toks
        kind = toks[self.i][0]
        if kind == "-":
            self.i += 1
            self.exp(_UNARY_MINUS)
            return
        if kind == "def":
            self.funcdef()
            self.exp(0)
            return
        if kind == "label":
            self.i += 1
            self._expect("var")
            self.labels.add(self.i - 1)
            self._expect("|")
            self.exp(0)
            return
        self.term()
        if toks[self.i][0] == "as":
            self.i += 1
            self.patterns()
            self._expect("|")
            self.exp(0)

    def term(self) -> None:
        """A primary expression with its suffixes (.name, ."name", [..], .[..], ?)."""
        self._enter()
        toks = self.toks
        tok = toks[self.i]
        kind = tok[0]
        if kind == ".":
            self.i += 1
            nxt = toks[self.i][0]
            if nxt == "str" or (nxt == "fmt" and toks[self.i + 1][0] == "str"):
                self.string()
        elif kind in ("field", "num", ".."):
            self.i += 1
        elif kind == "str":
            self.string()
        elif kind == "fmt":
            self.i += 1
            if toks[self.i][0] == "str":
                self.string()
        elif kind == "var":
            self.refs[self.i] = _var_ref(toks, self.i)
            self.i += 1
        elif kind == "ident":
            self.i += 1
            if toks[self.i][0] == "(":
                opener = toks[self.i]
                self.i += 1
                self.exp(0)
                while toks[self.i][0] == ";":
                    self.i += 1
                    self.exp(0)
                self._expect(")", opener)
        elif kind == "(":
            self.i += 1
            self.exp(0)
            self._expect(")", tok)
        elif kind == "[":
            self.i += 1
            if toks[self.i][0] == "]":
                self.i += 1
            else:
                self.exp(0)
                self._expect("]", tok)
        elif kind == "{":
            self.mkdict()
        elif kind == "if":
            self.if_()
        elif kind == "try":
            self.i += 1
            self.exp(_POSTFIX_ONLY)
            if toks[self.i][0] == "catch":
                self.i += 1
                self.exp(_POSTFIX_ONLY)
        elif kind in ("reduce", "foreach"):
            self.reduce_foreach()
        elif kind == "break":
            self.i += 1
            self._expect("var")
            self.labels.add(self.i - 1)
        else:
            self._unexpected()
        while True:
            kind = toks[self.i][0]
            if kind == "field" or kind == "?":
                self.i += 1
            elif kind == "[":
                self.suffix_bracket()
            elif kind == ".":
                nxt = toks[self.i + 1][0]
                self.i += 1
                if nxt == "[":
                    self.suffix_bracket()
                elif nxt == "str" or (nxt == "fmt" and toks[self.i + 1][0] == "str"):
                    self.string()
                else:
                    self._unexpected()
            else:
                break
        self.depth -= 1

    def suffix_bracket(self) -> None:
        """``[]``, ``[e]``, ``[e:]``, ``[:e]`` or ``[e:e]`` after a term."""
        toks = self.toks
        opener = toks[self.i]
        self.i += 1
        kind = toks[self.i][0]
        if kind == "]":
            self.i += 1
            return
        if kind == ":":
            self.i += 1
            self.exp(0)
        else:
            self.exp(0)
            if toks[self.i][0] == ":":
                self.i += 1
                if toks[self.i][0] != "]":
                    self.exp(0)
        self._expect("]", opener)

    def string(self) -> None:
        """A string literal, optionally preceded by a format (@base64 "..."), with interpolations."""
        toks = self.toks
        if toks[self.i][0] == "fmt":
            self.i += 1
        self.i += 1  # the opening quote
        while True:
            tok = toks[self.i]
            kind = tok[0]
            if kind == "text":
                self.i += 1
            elif kind == "interp":
                self.i += 1
                self.exp(0)
                self._expect("interp_end", tok)
            elif kind == "str_end":
                self.i += 1
                return
            else:
                self._unexpected()

    def if_(self) -> None:
        toks = self.toks
        if_tok = toks[self.i]
        self.i += 1
        self.exp(0)
        self._expect("then", if_tok)
        self.exp(0)
        while True:
            kind = toks[self.i][0]
            if kind == "elif":
                self.i += 1
                self.exp(0)
                self._expect("then", if_tok)
                self.exp(0)
            elif kind == "else":
                self.i += 1
                self.exp(0)
                self._expect("end", if_tok)
                return
            elif kind == "end":
                self.i += 1
                return
            elif kind == "eof":
                raise _Fail('unclosed "if"', if_tok[1])
            else:
                self._unexpected()

    def reduce_foreach(self) -> None:
        toks = self.toks
        is_foreach = toks[self.i][0] == "foreach"
        self.i += 1
        self.term()
        self._expect("as")
        self.patterns()
        opener = self._expect("(")
        self.exp(0)
        self._expect(";", opener)
        self.exp(0)
        if is_foreach and toks[self.i][0] == ";":
            self.i += 1
            self.exp(0)
        self._expect(")", opener)

    def patterns(self) -> None:
        self.pattern()
        while self.toks[self.i][0] == "?//":
            self.i += 1
            self.pattern()

    def pattern(self) -> None:
        self._enter()
        toks = self.toks
        tok = toks[self.i]
        kind = tok[0]
        if kind == "var" and tok[3] != "__loc__":
            self.binds[self.i] = VarRef(tok[3], (), tok[1], tok[2])
            self.i += 1
        elif kind == "[":
            self.i += 1
            self.pattern()
            while toks[self.i][0] == ",":
                self.i += 1
                self.pattern()
            self._expect("]", tok)
        elif kind == "{":
            self.i += 1
            self.object_pattern()
            while toks[self.i][0] == ",":
                self.i += 1
                self.object_pattern()
            self._expect("}", tok)
        else:
            self._unexpected()
        self.depth -= 1

    def object_pattern(self) -> None:
        toks = self.toks
        tok = toks[self.i]
        kind = tok[0]
        if kind == "var" and tok[3] != "__loc__":
            self.binds[self.i] = VarRef(tok[3], (), tok[1], tok[2])
            self.i += 1
            if toks[self.i][0] == ":":
                self.i += 1
                self.pattern()
            return
        if kind == "ident" or kind in _KEYWORDS:
            self.i += 1
        elif kind == "str" or (kind == "fmt" and toks[self.i + 1][0] == "str"):
            self.string()
        elif kind == "(":
            self.i += 1
            self.exp(0)
            self._expect(")", tok)
        else:
            self._unexpected()
        self._expect(":")
        self.pattern()

    def mkdict(self) -> None:
        self._enter()
        toks = self.toks
        opener = toks[self.i]
        self.i += 1
        if toks[self.i][0] == "}":
            self.i += 1
            self.depth -= 1
            return
        while True:
            had_value = self.dict_pair(opener)
            tok = toks[self.i]
            kind = tok[0]
            if kind == ",":
                self.i += 1
                if toks[self.i][0] != "}":
                    continue
                kind = "}"
            if kind == "}":
                self.i += 1
                self.depth -= 1
                return
            if kind == "eof":
                raise _Fail('unclosed "{"', opener[1])
            if had_value and (kind in _LEVELS or kind in ("as", "?//")):
                raise _Fail(f"unexpected {self._describe(tok)}; wrap the object value in parentheses", tok[1])
            self._unexpected()

    def dict_pair(self, opener: _Tok) -> bool:
        """One ``key``, ``key: value`` or shorthand entry; True when it had a value."""
        toks = self.toks
        tok = toks[self.i]
        kind = tok[0]
        if kind == "ident" or kind in _KEYWORDS:
            self.i += 1
        elif kind == "var":
            self.refs[self.i] = _var_ref(toks, self.i)
            self.i += 1
            if tok[3] == "__loc__":
                return False
        elif kind == "str":
            self.string()
        elif kind == "fmt":
            if toks[self.i + 1][0] != "str":
                self.i += 1
                self._unexpected()
            self.string()
        elif kind == "(":
            self.i += 1
            self.exp(0)
            self._expect(")", tok)
            self._expect(":")
            self.object_value()
            return True
        elif kind == "eof":
            raise _Fail('unclosed "{"', opener[1])
        else:
            self._unexpected()
        if toks[self.i][0] == ":":
            self.i += 1
            self.object_value()
            return True
        return False

    def object_value(self) -> None:
        """jq's ExpD: terms joined by ``|``, optionally negated; anything else needs parentheses."""
        toks = self.toks
        while True:
            while toks[self.i][0] == "-":
                self.i += 1
            self.term()
            if toks[self.i][0] != "|":
                return
            self.i += 1


@functools.lru_cache(maxsize=8192)
def _run(expr: str) -> _Parser:
    """Parse once per distinct text (the same expressions recur across keystrokes and tasks);
    callers only read the parser's results."""
    parser = _Parser(expr, _lex(expr))
    try:
        parser.program()
    except _Fail as fail:
        parser.error = JqError(fail.message, fail.offset)
    except RecursionError:
        parser.error = JqError("expression is nested too deeply", 0)
    return parser


def check(expr: str) -> JqError | None:
    """None when ``expr`` (the text inside ``${ }``) is a syntactically valid jq program, else the first error."""
    return _run(expr).error


def variables(expr: str) -> list[VarRef]:
    """Every ``$name`` reference in ``expr``, in text order, with its literal field path.

    Variables inside string literals are text and are skipped; those inside ``\\( )`` interpolations
    are included. Binding sites (``as $x``, ``def f($x)``, ``label $x``) are not references. On a
    syntax error the references after the error are still reported, on a best-effort basis.
    """
    parser = _run(expr)
    refs = dict(parser.refs)
    if parser.error is not None:
        toks = parser.toks
        for j, tok in enumerate(toks):
            if tok[0] != "var" or j in refs or j in parser.binds or j in parser.labels:
                continue
            if j and toks[j - 1][0] in ("as", "?//", "label", "break"):
                continue
            refs[j] = _var_ref(toks, j)
    return [refs[j] for j in sorted(refs)]


def bindings(expr: str) -> list[VarRef]:
    """Every variable the program binds itself (patterns, ``$param`` of ``def``), in text order.

    Each has an empty path and spans the ``$name``. Scoping is not modelled: a rule that flags
    unknown variables can subtract these names from :func:`variables`.
    """
    parser = _run(expr)
    binds = dict(parser.binds)
    if parser.error is not None:
        toks = parser.toks
        for j, tok in enumerate(toks):
            if tok[0] == "var" and j not in binds and j and toks[j - 1][0] in ("as", "?//"):
                binds[j] = VarRef(tok[3], (), tok[1], tok[2])
    return [binds[j] for j in sorted(binds)]
