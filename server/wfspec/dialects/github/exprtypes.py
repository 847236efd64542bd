"""Types of GitHub Actions expressions: the contexts' shapes, the built-in functions' signatures
and the checks that follow from them.

Owns the type model (any, null, bool, number, string, arrays, objects that are strict, with a
known set of properties, or loose maps), the shape of each context whose shape GitHub documents
(``github``, ``runner``, ``job``, ``strategy``, ``env``, ``vars``, ``secrets``, ``steps.<id>``,
``needs.<id>``), the signatures of the built-in functions, and :func:`check`, which walks a parsed
expression and returns its type with the problems found: unknown properties of strict objects,
property access on scalars, bad index types, incompatible comparisons, wrong argument counts or
kinds, ``format`` placeholders without arguments, and ``fromJSON`` of a literal that is not JSON.

Precision first: whatever is not known is ``any`` and never reported. Names compare
case-insensitively, as GitHub does. Pure Python; nothing here raises.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from wfspec.dialects.github import expr

__all__ = [
    "ANY",
    "BOOL",
    "NULL",
    "NUMBER",
    "STRING",
    "Arr",
    "Obj",
    "Prim",
    "Problem",
    "Type",
    "check",
    "context_type",
    "show",
    "value_type",
]


@dataclass(frozen=True, slots=True)
class Prim:
    """``any``, ``null``, ``bool``, ``number`` or ``string``."""

    name: str


@dataclass(frozen=True, slots=True)
class Arr:
    """An array of ``elem``."""

    elem: Type


@dataclass(frozen=True, slots=True)
class Obj:
    """An object. ``props`` (lower-cased names) when its properties are known; ``elem`` the type
    of any other property (None: there is none, the object is strict; ``props`` None: a map)."""

    props: dict[str, Type] | None = field(default=None, hash=False)
    elem: Type | None = None


Type = Prim | Arr | Obj

ANY = Prim("any")
NULL = Prim("null")
BOOL = Prim("bool")
NUMBER = Prim("number")
STRING = Prim("string")
_SCALARS = (NULL, BOOL, NUMBER, STRING)


def _strict(**props: Type) -> Obj:
    return Obj({k.replace("_dash_", "-").lower(): v for k, v in props.items()})


def _map(elem: Type = ANY) -> Obj:
    return Obj(None, elem)


_GITHUB_STRINGS = (
    "action action_path action_ref action_repository action_status actor actor_id api_url base_ref "
    "env event_name event_path graphql_url head_ref job job_workflow_sha path ref ref_name ref_type "
    "repository repository_id repository_owner repository_owner_id repositoryurl repository_visibility "
    "retention_days run_id run_number run_attempt secret_source server_url sha token triggering_actor "
    "workflow workflow_ref workflow_sha workspace output state step_summary"
).split()
#: ``github.event``: any payload; its ``inputs`` (workflow_dispatch) are always strings
_EVENT = Obj({"inputs": _map(STRING)}, ANY)
GITHUB = Obj({**{n: STRING for n in _GITHUB_STRINGS}, "event": _EVENT, "ref_protected": BOOL})
RUNNER = _strict(
    name=STRING,
    os=STRING,
    arch=STRING,
    temp=STRING,
    tool_cache=STRING,
    debug=STRING,
    environment=STRING,
    workspace=STRING,
)
_CONTAINER = _strict(id=STRING, network=STRING)
JOB = _strict(
    container=_CONTAINER,
    services=_map(_strict(id=STRING, network=STRING, ports=_map(STRING))),
    status=STRING,
    check_run_id=NUMBER,
    workflow_ref=STRING,
    workflow_sha=STRING,
    workflow_repository=STRING,
    workflow_file_path=STRING,
)
STRATEGY = _strict(
    fail_dash_fast=BOOL, job_dash_index=NUMBER, job_dash_total=NUMBER, max_dash_parallel=NUMBER
)
STEP = _strict(outputs=_map(STRING), conclusion=STRING, outcome=STRING)
NEED = _strict(outputs=_map(STRING), result=STRING)

_CONTEXTS: dict[str, Type] = {
    "github": GITHUB,
    "runner": RUNNER,
    "job": JOB,
    "strategy": STRATEGY,
    "env": _map(STRING),
    "vars": _map(STRING),
    "secrets": _map(STRING),
    "steps": _map(STEP),
    "needs": _map(NEED),
    "jobs": _map(_strict(outputs=_map(STRING), result=STRING)),
}


def context_type(name: str) -> Type:
    """The documented type of a context (``any`` for those whose shape depends on the document)."""
    return _CONTEXTS.get(name.lower(), ANY)


def value_type(value: object) -> Type:
    """The type of a JSON or YAML value."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int | float):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, list):
        elems = {value_type(v) for v in value}
        return Arr(elems.pop() if len(elems) == 1 else ANY)
    if isinstance(value, dict):
        return Obj({str(k).lower(): value_type(v) for k, v in value.items()})
    return ANY


def show(t: Type) -> str:
    """A type as messages write it."""
    if isinstance(t, Prim):
        return t.name
    if isinstance(t, Arr):
        return f"array<{show(t.elem)}>"
    if t.props is None or t.elem is not None:  # a map, or an object with any other property
        return "object"
    names = sorted(t.props)
    return "{" + ", ".join(f'"{n}"' for n in names[:8]) + (", ..." if len(names) > 8 else "") + "}"


def article(t: Type) -> str:
    """``a`` or ``an`` and the type shown, for messages."""
    shown = show(t)
    return ("an " if shown[0] in "aeiou" else "a ") + shown


def _composite(t: Type) -> bool:
    return isinstance(t, Arr | Obj)


def _kind(t: Type) -> str:
    return t.name if isinstance(t, Prim) else "array" if isinstance(t, Arr) else "object"


#: Problem: (start, end, message) in code-point offsets of the expression text
Problem = tuple[int, int, str]

# name -> (min args, max args or None)
_ARITY: dict[str, tuple[int, int | None]] = {
    "contains": (2, 2),
    "startswith": (2, 2),
    "endswith": (2, 2),
    "format": (1, None),
    "join": (1, 2),
    "tojson": (1, 1),
    "fromjson": (1, 1),
    "hashfiles": (1, None),
    "success": (0, 0),
    "always": (0, 0),
    "cancelled": (0, 0),
    "failure": (0, 0),
    "case": (3, None),
}
_RESULT: dict[str, Type] = {
    "contains": BOOL,
    "startswith": BOOL,
    "endswith": BOOL,
    "format": STRING,
    "join": STRING,
    "tojson": STRING,
    "hashfiles": STRING,
    "success": BOOL,
    "always": BOOL,
    "cancelled": BOOL,
    "failure": BOOL,
}
#: (function, argument index) whose argument must be a scalar (strings are coerced from scalars)
_SCALAR_ARGS = frozenset(
    [("startswith", 0), ("startswith", 1), ("endswith", 0), ("endswith", 1), ("contains", 1)]
    + [("format", 0), ("fromjson", 0), ("join", 1)]
)
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{(\d+)\}")
_ORDINAL = {1: "1st", 2: "2nd", 3: "3rd"}


def _format_problems(call: expr.Call) -> list[Problem]:
    first = call.args[0]
    if not isinstance(first, expr.Literal) or not isinstance(first.value, str):
        return []
    used = {int(m.group(1)) for m in _PLACEHOLDER.finditer(first.value) if m.group(1) is not None}
    given = len(call.args) - 1
    out: list[Problem] = []
    for n in sorted(used):
        if n >= given:
            out.append(
                (
                    first.start,
                    first.end,
                    f'format string contains placeholder "{{{n}}}" but only {given} argument'
                    f"{' follows' if given == 1 else 's follow'} it",
                )
            )
            break
    for i, arg in enumerate(call.args[1:]):
        if i not in used:
            out.append(
                (
                    arg.start,
                    arg.end,
                    f'argument {i} of format() is unused: the format string has no "{{{i}}}"',
                )
            )
    return out


class _Checker:
    def __init__(self, lookup: Callable[[str], Type]) -> None:
        self.lookup = lookup
        self.problems: list[Problem] = []

    def report(self, node: expr.Node, message: str) -> None:
        self.problems.append((node.start, node.end, message))

    def type_of(self, node: expr.Node) -> Type:
        if isinstance(node, expr.Literal):
            return value_type(node.value)
        if isinstance(node, expr.Context):
            return self.lookup(node.name)
        if isinstance(node, expr.Property):
            return self.prop(node, self.type_of(node.target), node.name)
        if isinstance(node, expr.Index):
            return self.index(node)
        if isinstance(node, expr.Call):
            return self.call(node)
        if isinstance(node, expr.Unary):
            self.type_of(node.operand)
            return BOOL
        if isinstance(node, expr.Binary):
            return self.binary(node)
        return ANY

    def prop(self, node: expr.Node, recv: Type, name: str) -> Type:
        if isinstance(recv, Obj):
            if recv.props is None:
                return recv.elem or ANY
            got = recv.props.get(name.lower())
            if got is None and recv.elem is not None:
                return recv.elem
            if got is None:
                best = difflib.get_close_matches(name.lower(), sorted(recv.props), n=1, cutoff=0.6)
                hint = f'; did you mean "{best[0]}"?' if best else ""
                self.report(node, f'property "{name}" is not defined in object type {show(recv)}{hint}')
                return ANY
            return got
        if isinstance(recv, Arr):
            # a property of an object filter's result applies to every element
            inner = self.prop(node, recv.elem, name)
            return Arr(inner)
        if recv in _SCALARS:
            self.report(node, f'"{name}" is read from a {recv.name} value; only objects have properties')
        return ANY

    def index(self, node: expr.Index) -> Type:
        recv = self.type_of(node.target)
        if isinstance(node.index, expr.Star):
            if isinstance(recv, Arr):
                return recv
            if isinstance(recv, Obj):
                if recv.props is None:
                    return Arr(recv.elem or ANY)
                elems = set(recv.props.values()) | ({recv.elem} if recv.elem is not None else set())
                return Arr(elems.pop() if len(elems) == 1 else ANY)
            return ANY
        idx = self.type_of(node.index)
        if isinstance(recv, Obj):
            if isinstance(node.index, expr.Literal) and isinstance(node.index.value, str):
                return self.prop(node, recv, node.index.value)
            if idx in (NUMBER, BOOL, NULL) or _composite(idx):
                self.report(node.index, f"an object is indexed by a {_kind(idx)}; object keys are strings")
            return (recv.elem or ANY) if recv.props is None else ANY
        if isinstance(recv, Arr):
            if idx == STRING or _composite(idx):
                self.report(node.index, f"an array is indexed by a {_kind(idx)}; array indexes are numbers")
            return recv.elem
        if recv in _SCALARS and recv is not STRING:
            self.report(node, f"a {recv.name} value is indexed; only objects and arrays have elements")
        return ANY

    def binary(self, node: expr.Binary) -> Type:
        left, right = self.type_of(node.left), self.type_of(node.right)
        op = node.op
        if op in ("&&", "||"):
            return left if left == right else ANY
        if ANY in (left, right):
            return BOOL
        bad = False
        if op in ("==", "!="):
            if _composite(left) or _composite(right):
                if NULL in (left, right):
                    bad = False
                elif isinstance(left, Arr) and isinstance(right, Arr):
                    le, re_ = left.elem, right.elem
                    bad = ANY not in (le, re_) and _kind(le) != _kind(re_)
                else:
                    bad = _kind(left) != _kind(right)
        else:
            bad = any(_composite(t) or t in (NULL, BOOL) for t in (left, right))
        if bad:
            self.report(
                node,
                f'{article(left)} value is compared to {article(right)} value with "{op}"; '
                "the comparison does not mean anything useful",
            )
        return BOOL

    def call(self, node: expr.Call) -> Type:
        name = node.name.lower()
        args = [self.type_of(a) for a in node.args]
        arity = _ARITY.get(name)
        if arity is None:
            return ANY  # an unknown function is reported by the expression rule
        lo, hi = arity
        n = len(args)
        if n < lo or (hi is not None and n > hi):
            want = f"{lo}" if lo == hi else f"at least {lo}" if hi is None else f"{lo} to {hi}"
            self.report(
                node,
                f'function "{node.name}" takes {want} argument{"" if want == "1" else "s"} but {n} given',
            )
            return _RESULT.get(name, ANY)
        if name == "case" and n % 2 == 0:
            self.report(node, 'function "case" takes pairs of condition and value, then a default value')
        for i, t in enumerate(args):
            if (name, i) in _SCALAR_ARGS and _composite(t):
                self.report(
                    node.args[i],
                    f'{_ORDINAL.get(i + 1, f"{i + 1}th")} argument of "{node.name}" is {_kind(t)}; '
                    "it takes a string",
                )
        if name == "contains" and isinstance(args[0], Obj):
            self.report(
                node.args[0],
                f'1st argument of "{node.name}" is an object; it searches a string or an array',
            )
        if name == "format":
            self.problems.extend(_format_problems(node))
        if name == "fromjson":
            arg = node.args[0]
            if isinstance(arg, expr.Literal) and isinstance(arg.value, str):
                try:
                    return value_type(json.loads(arg.value))
                except ValueError as exc:
                    self.report(arg, f"fromJSON() is given a string that is not JSON: {exc}")
            return ANY
        if name == "case":
            vals = {args[i] for i in range(1, n, 2)} | {args[-1]}
            return vals.pop() if len(vals) == 1 else ANY
        return _RESULT.get(name, ANY)


def check(node: expr.Node, lookup: Callable[[str], Type]) -> tuple[Type, list[Problem]]:
    """The type of a parsed expression and its problems; ``lookup`` gives each context's type."""
    checker = _Checker(lookup)
    try:
        t = checker.type_of(node)
    except RecursionError:
        return ANY, []
    return t, checker.problems
