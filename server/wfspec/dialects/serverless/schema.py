"""Structural schema of the Serverless Workflow DSL 1.0.x, written from the DSL reference.

Owns the *shape* of a workflow document: which properties the workflow, ``document``, ``use``,
``schedule``, every task type and the shared definitions (endpoint, external resource,
authentication policy, error, retry policy, timeout, duration, event consumption strategy,
event filter, schema, input/output/export, ...) may and must have, the types of their values,
and the few enumerations the reference fixes. It does not descend into free-form data (``set``
values, HTTP bodies/headers/queries, schemas, ``as`` objects, metadata, event data, custom
function arguments) and never judges runtime expressions beyond accepting ``${ ... }`` where
the reference allows an expression. Flow targets, references to ``use`` definitions and
expression syntax belong to ``lower.py``, ``jq.py`` and the analysis rules.

The schema is a set of small Python tables (:class:`_Obj` and checker functions) evaluated in
one pass over the positioned node tree; problems come back as ``(span, message)`` pairs.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from wfspec.syntax.tree import MapNode, Node, Position, ScalarNode, SeqNode, Span

Problem = tuple[Span, str]
#: a checker gets the validator, the value node, the key node it hangs from (None for list
#: items) and a display label for messages (already quoted, e.g. ``"then"``)
Check = Callable[["_Validator", Node, ScalarNode | None, str], None]

TASK_TYPES = ("call", "do", "emit", "for", "fork", "listen", "raise", "run", "set", "switch", "try", "wait")
_TASK_TYPE_SET = frozenset(TASK_TYPES)
_UNKNOWN_TASK = "unknown task type; expected one of " + ", ".join(TASK_TYPES)
#: properties every task may carry, whatever its type
TASK_COMMON = ("if", "input", "output", "export", "timeout", "then", "metadata")
#: the properties a task of each type adds to the common ones
TASK_OWN: dict[str, tuple[str, ...]] = {
    "call": ("call", "with"),
    "do": ("do",),
    "emit": ("emit",),
    "for": ("for", "while", "do"),
    "fork": ("fork",),
    "listen": ("listen", "foreach"),
    "raise": ("raise",),
    "run": ("run",),
    "set": ("set",),
    "switch": ("switch",),
    "try": ("try", "catch"),
    "wait": ("wait",),
}
_TASK_ALLOWED = {kind: frozenset(TASK_COMMON + own) for kind, own in TASK_OWN.items()}
_TASK_REQUIRED = {"for": ("for", "do"), "try": ("try", "catch")}
#: which task type a type-specific property belongs to (for "belongs to ... tasks" hints)
_OWNER = {"with": "call", "while": "for", "foreach": "listen", "catch": "try"}
_ANY_TASK_KEY = frozenset(TASK_COMMON) | _TASK_TYPE_SET | frozenset(_OWNER)

_NOT_STRING_TAGS = frozenset({"null", "bool"})
_DSL_VERSION = re.compile(r"1\.\d+(?:\.\d+)?(?:[-+][0-9A-Za-z.+-]*)?")
_N = r"\d+(?:[.,]\d+)?"
_ISO_DURATION = re.compile(
    rf"P(?=\d|T\d)(?:{_N}Y)?(?:{_N}M)?(?:{_N}W)?(?:{_N}D)?(?:T(?=\d)(?:{_N}H)?(?:{_N}M)?(?:{_N}S)?)?"
)


# ---------------------------------------------------------------------------------------------
# the validator


class _Validator:
    __slots__ = ("out", "top", "reuse", "items")

    def __init__(self) -> None:
        self.out: list[Problem] = []
        #: the top-level task list, whose items' problems are remembered for the next version
        self.top: Node | None = None
        self.reuse: dict[int, _Memo] = {}  # from the previous version: id(item) -> memo
        self.items: dict[int, _Memo] = {}  # for the next one

    def add(self, span: Span, message: str) -> None:
        self.out.append((span, message))

    def type_error(self, node: Node, key: ScalarNode | None, label: str, expected: str) -> None:
        got = _describe(node)
        self.out.append(((key or node).span, f"{label} must be {expected}, not {got}"))

    def unknown(self, key: ScalarNode, allowed: Iterable[str], where: str, hint: str = "") -> None:
        name = key.value
        message = f'unknown property "{name}" in {where}'
        if hint:
            message += f"; {hint}"
        else:
            suggestion = _suggest(name, allowed)
            if suggestion:
                message += f'; did you mean "{suggestion}"?'
            else:
                message += "; expected one of " + _quoted(sorted(allowed))
        self.out.append((key.span, message))

    def missing(self, node: MapNode, name: str, where: str) -> None:
        self.out.append((_head_span(node), f'missing required property "{name}" in {where}'))

    def check_obj(self, node: MapNode, spec: _Obj, where: str) -> None:
        props = spec.props
        closed = spec.closed
        for k, val in node.pairs:
            if k.__class__ is not ScalarNode:
                continue
            assert isinstance(k, ScalarNode)
            check = props.get(k.value)
            if check is not None:
                check(self, val, k, f'"{k.value}"')
            elif closed:
                self.unknown(k, props, where)
        if spec.required:
            names = node.keys()
            for name in spec.required:
                if name not in names:
                    self.missing(node, name, where)
        for group, exactly in spec.one_of:
            self.check_group(node, group, exactly, where)
        if spec.extra is not None:
            spec.extra(self, node, where)

    def check_group(self, node: MapNode, group: tuple[str, ...], exactly: bool, where: str) -> None:
        present: list[str] = []
        for name in node.keys():  # in document order, so the second one written is blamed
            if name in group and name not in present:
                present.append(name)
        if not present:
            self.out.append(
                (_head_span(node), f"missing property in {where}: expected one of {_quoted(group, 'or')}")
            )
        elif exactly and len(present) > 1:
            second = node.key_node(present[1])
            if second is not None:
                self.out.append(
                    (second.span, f'"{present[1]}" cannot be combined with "{present[0]}" in {where}')
                )


class _Obj:
    """A mapping with known properties: ``props`` (name to checker), ``required`` names,
    ``one_of`` groups ((names, exactly-one?)), ``closed`` (unknown names are errors) and an
    ``extra`` rule for what the tables cannot say. ``where`` names it in messages (the label
    it is found under when None)."""

    __slots__ = ("where", "props", "required", "closed", "one_of", "extra")

    def __init__(
        self,
        where: str | None,
        props: Mapping[str, Check],
        required: tuple[str, ...] = (),
        *,
        closed: bool = True,
        one_of: tuple[tuple[tuple[str, ...], bool], ...] = (),
        extra: Callable[[_Validator, MapNode, str], None] | None = None,
    ) -> None:
        self.where = where
        self.props = props
        self.required = required
        self.closed = closed
        self.one_of = one_of
        self.extra = extra

    def __call__(self, v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
        if not isinstance(node, MapNode):
            v.type_error(node, key, label, "a mapping")
            return
        v.check_obj(node, self, self.where or label)


# ---------------------------------------------------------------------------------------------
# small helpers


def _describe(node: Node) -> str:
    if isinstance(node, MapNode):
        return "a mapping"
    if isinstance(node, SeqNode):
        return "a list"
    return {
        "null": "empty (null)",
        "bool": "a boolean",
        "int": "an integer",
        "float": "a number",
    }.get(node.tag, "a string")


def _quoted(names: Iterable[str], last: str = "") -> str:
    items = [f'"{n}"' for n in names]
    if last and len(items) > 1:
        return ", ".join(items[:-1]) + f" {last} " + items[-1]
    return ", ".join(items)


def _suggest(name: str, allowed: Iterable[str]) -> str | None:
    candidates = list(allowed)
    lowered = name.lower()
    for c in candidates:
        if c.lower() == lowered:
            return c
    match = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return match[0] if match else None


def _head_span(node: MapNode) -> Span:
    """Where a problem about a whole mapping goes: its first key (block style) or the mapping."""
    if node.flow or not node.pairs:
        return node.span
    return node.pairs[0][0].span


def _is_str(node: Node) -> bool:
    # numbers are accepted where a string is expected: ``version: 1.0`` means "1.0"
    return node.__class__ is ScalarNode and node.tag not in _NOT_STRING_TAGS  # type: ignore[union-attr]


def _is_expr(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == "str" and "${" in node.value


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == "null"


# ---------------------------------------------------------------------------------------------
# scalar and free-form checkers


def _any(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
    return None


def _str(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
    if node.__class__ is not ScalarNode or node.tag in _NOT_STRING_TAGS:  # type: ignore[union-attr]
        v.type_error(node, key, label, "a string")


def _int(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
    if not (isinstance(node, ScalarNode) and node.tag == "int") and not _is_expr(node):
        v.type_error(node, key, label, "an integer")


def _bool(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
    if not (isinstance(node, ScalarNode) and node.tag == "bool") and not _is_expr(node):
        v.type_error(node, key, label, "a boolean")


def _str_or_bool(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
    if not (isinstance(node, ScalarNode) and node.tag != "null"):
        v.type_error(node, key, label, "a string (a runtime expression) or a boolean")


def _map(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
    if not isinstance(node, MapNode):
        v.type_error(node, key, label, "a mapping")


def _map_or_expr(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
    if not isinstance(node, MapNode) and not _is_expr(node):
        v.type_error(node, key, label, "a mapping or a runtime expression")


def _str_or_map(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
    if not isinstance(node, MapNode) and not _is_str(node):
        v.type_error(node, key, label, "a string or a mapping")


def _str_list(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
    if isinstance(node, SeqNode):
        for item in node.items:
            if not _is_str(item):
                v.type_error(item, None, f"each item of {label}", "a string")
    elif not _is_expr(node):
        v.type_error(node, key, label, "a list of strings")


def _enum(*values: str) -> Check:
    allowed = frozenset(values)

    def check(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
        if not _is_str(node):
            v.type_error(node, key, label, "a string")
            return
        assert isinstance(node, ScalarNode)
        value = node.value
        if value in allowed or "${" in value:
            return
        message = f'unsupported value "{value}" for {label}; expected one of {_quoted(values, "or")}'
        suggestion = _suggest(value, values)
        if suggestion:
            message += f'; did you mean "{suggestion}"?'
        v.add((key or node).span, message)  # RULES.md: the range starts at the offending key

    return check


def _either(text_ok: Callable[[Node], bool], obj: Check, expected: str) -> Check:
    """A value that is a string (when ``text_ok`` says so) or an object checked by ``obj``."""

    def check(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
        if isinstance(node, MapNode):
            obj(v, node, key, label)
        elif not text_ok(node):
            v.type_error(node, key, label, expected)

    return check


def _list_of(item_check: Check, noun: str) -> Check:
    def check(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
        if not isinstance(node, SeqNode):
            v.type_error(node, key, label, f"a list of {noun}s")
            return
        for item in node.items:
            item_check(v, item, None, f"each item of {label}")

    return check


def _map_of(item_check: Check, noun: str) -> Check:
    def check(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
        if not isinstance(node, MapNode):
            v.type_error(node, key, label, f"a mapping of {noun} names to {noun} definitions")
            return
        for k, val in node.items():
            item_check(v, val, k, f'{noun} "{k.value}"')

    return check


_Memo = tuple[Node, int, int, list[Problem]]  # item, its line and offset then, its problems


def _shift(problems: list[Problem], lines: int, offset: int) -> list[Problem]:
    out: list[Problem] = []
    for span, *rest in problems:
        s, e = span
        moved = Span(
            Position(s.line + lines, s.character, s.offset + offset),
            Position(e.line + lines, e.character, e.offset + offset),
        )
        out.append((moved, *rest))  # type: ignore[arg-type]
    return out


def _named_list(item_check: Check, noun: str, body_keys: frozenset[str]) -> Check:
    """A list of single-key mappings ``- name: definition`` (tasks, switch cases, extensions)."""

    def check(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
        if not isinstance(node, SeqNode):
            v.type_error(node, key, label, f'a list of {noun}s ("- name: ..." items)')
            return
        if node is v.top:
            remembered(v, node, label)
            return
        items(v, node.items, label)

    def remembered(v: _Validator, node: SeqNode, label: str) -> None:
        """The top-level list: an item carried over unchanged from the previous version (see
        :func:`validate`) gets its problems from then, moved with it."""
        for item in node.items:
            start = item.span.start
            old = v.reuse.get(id(item))
            if old is not None and old[0] is item:
                _, line, offset, problems = old
                if line != start.line or offset != start.offset:
                    problems = _shift(problems, start.line - line, start.offset - offset)
                v.out.extend(problems)
            else:
                mark = len(v.out)
                items(v, [item], label)
                problems = v.out[mark:]
            v.items[id(item)] = (item, start.line, start.offset, problems)

    def items(v: _Validator, nodes: list[Node], label: str) -> None:
        for item in nodes:
            if item.__class__ is not MapNode:
                v.add(item.span, f'each item of {label} must be a mapping "- {noun}Name: ..." of one {noun}')
                continue
            assert isinstance(item, MapNode)
            if len(item.pairs) == 1:  # the usual case
                k, val = item.pairs[0]
                if k.__class__ is ScalarNode:
                    item_check(v, val, k, f'{noun} "{k.value}"')  # type: ignore[union-attr]
                continue
            if not item.pairs:
                v.add(item.span, f'empty item in {label}; expected "- {noun}Name: ..."')
                continue
            first, first_value = item.pairs[0]
            first_name = first.value if isinstance(first, ScalarNode) else "?"
            second = item.pairs[1][0]
            if _is_null(first_value) and isinstance(second, ScalarNode) and second.value in body_keys:
                v.add(
                    second.span,
                    f'"{second.value}" is at the same level as {noun} "{first_name}"; '
                    f'indent the properties of "{first_name}" under it',
                )
                continue
            for i, (k, val) in enumerate(item.pairs):
                if not isinstance(k, ScalarNode):
                    continue
                if i:
                    v.add(
                        k.span,
                        f'two {noun}s in one list item: "{first_name}" and "{k.value}"; '
                        f'each {noun} needs its own "- " item',
                    )
                item_check(v, val, k, f'{noun} "{k.value}"')

    return check


# ---------------------------------------------------------------------------------------------
# durations, endpoints, authentication


def _duration(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
    if isinstance(node, MapNode):
        v.check_obj(node, _DURATION, f"the duration {label}")
        if not node.pairs:
            v.add(node.span, f"{label} must set at least one of {_quoted(_DURATION.props, 'or')}")
    elif isinstance(node, ScalarNode) and node.tag == "str":
        text = node.value.strip()
        if "${" not in text and _ISO_DURATION.fullmatch(text) is None:
            v.add(
                node.span,
                f'invalid duration "{node.value}" for {label}; expected an ISO 8601 duration such as '
                '"PT30S" or a mapping of days, hours, minutes, seconds and milliseconds',
            )
    else:
        v.type_error(node, key, label, "an ISO 8601 duration string or a duration mapping")


_DURATION = _Obj(
    None,
    {"days": _int, "hours": _int, "minutes": _int, "seconds": _int, "milliseconds": _int},
)

_AUTH_SCHEMES = ("basic", "bearer", "certificate", "digest", "oauth2", "oidc")


def _secret_or(*fields: str) -> Callable[[_Validator, MapNode, str], None]:
    """Inline credentials are required unless the scheme takes them from a secret (``use``)."""

    def extra(v: _Validator, node: MapNode, where: str) -> None:
        if "use" in node:
            return
        for name in fields:
            if name not in node:
                v.missing(node, name, where)

    return extra


_OAUTH2_TOKEN = _Obj(None, {"token": _str, "type": _str}, ("token", "type"))
_OAUTH2_PROPS: dict[str, Check] = {
    "use": _str,
    "authority": _str,
    "grant": _enum(
        "authorization_code",
        "client_credentials",
        "password",
        "refresh_token",
        "urn:ietf:params:oauth:grant-type:token-exchange",
    ),
    "client": _Obj(
        None,
        {
            "id": _str,
            "secret": _str,
            "assertion": _str,
            "authentication": _enum(
                "client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"
            ),
        },
    ),
    "request": _Obj(None, {"encoding": _enum("application/x-www-form-urlencoded", "application/json")}),
    "issuers": _str_list,
    "scopes": _str_list,
    "audiences": _str_list,
    "username": _str,
    "password": _str,
    "subject": _OAUTH2_TOKEN,
    "actor": _OAUTH2_TOKEN,
}
_SCHEME_SPECS: dict[str, Check] = {
    "basic": _Obj(
        'the "basic" authentication',
        {"username": _str, "password": _str, "use": _str},
        extra=_secret_or("username", "password"),
    ),
    "bearer": _Obj('the "bearer" authentication', {"token": _str, "use": _str}, extra=_secret_or("token")),
    "digest": _Obj(
        'the "digest" authentication',
        {"username": _str, "password": _str, "use": _str},
        extra=_secret_or("username", "password"),
    ),
    "oauth2": _Obj(
        'the "oauth2" authentication',
        {
            **_OAUTH2_PROPS,
            "endpoints": _Obj(None, {"token": _str, "revocation": _str, "introspection": _str}),
        },
        extra=_secret_or("authority", "grant"),
    ),
    "oidc": _Obj('the "oidc" authentication', _OAUTH2_PROPS, extra=_secret_or("authority", "grant")),
    "certificate": _map,  # the reference gives it no properties yet
}


def _auth_policy(referenceable: bool) -> Check:
    """An authentication policy: one scheme, or (where it may be referenced) ``use: name``."""
    allowed = ("use", *_AUTH_SCHEMES) if referenceable else _AUTH_SCHEMES

    def check(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
        if not isinstance(node, MapNode):
            if referenceable and _is_str(node):  # the name of a reusable policy
                return
            v.type_error(node, key, label, "an authentication policy mapping")
            return
        where = label
        present: list[ScalarNode] = []
        for k, val in node.items():
            name = k.value
            if name not in allowed:
                hint = (
                    '"use" is only allowed where a policy is referenced, not in "use.authentications"'
                    if name == "use"
                    else ""
                )
                v.unknown(k, allowed, where, hint)
                continue
            present.append(k)
            if name == "use":
                _str(v, val, k, '"use"')
            else:
                _SCHEME_SPECS[name](v, val, k, f'"{name}"')
        if not present:
            v.add(_head_span(node), f"missing property in {where}: expected one of {_quoted(allowed, 'or')}")
        elif len(present) > 1:
            v.add(
                present[1].span,
                f'"{present[1].value}" cannot be combined with "{present[0].value}" in {where}; '
                "use exactly one authentication scheme",
            )

    return check


_AUTH = _auth_policy(referenceable=False)
_AUTH_REF = _auth_policy(referenceable=True)
_ENDPOINT_OBJ = _Obj(None, {"uri": _str, "authentication": _AUTH_REF}, ("uri",))
_endpoint = _either(_is_str, _ENDPOINT_OBJ, 'a URI string, a runtime expression or a mapping with "uri"')
_EXTERNAL_RESOURCE = _Obj(None, {"name": _str, "endpoint": _endpoint}, ("endpoint",))

# ---------------------------------------------------------------------------------------------
# data flow: input, output, export, schema, timeout

_SCHEMA = _Obj(
    None,
    {"format": _str, "document": _any, "resource": _EXTERNAL_RESOURCE},
    one_of=((("document", "resource"), True),),
)
_INPUT = _Obj(None, {"schema": _SCHEMA, "from": _str_or_map})
_OUTPUT = _Obj(None, {"schema": _SCHEMA, "as": _str_or_map})
_EXPORT = _Obj(None, {"schema": _SCHEMA, "as": _str_or_map})
_TIMEOUT = _Obj(None, {"after": _duration}, ("after",))
_timeout_or_ref = _either(_is_str, _TIMEOUT, 'a timeout name or a mapping with "after"')

# ---------------------------------------------------------------------------------------------
# errors and retries

_ERROR = _Obj(
    None,
    {"type": _str, "status": _int, "instance": _str, "title": _str, "detail": _str},
    ("type", "status"),
)
_error_or_ref = _either(_is_str, _ERROR, "an error name or an error mapping")
_ERROR_FILTER = _Obj(
    None,
    {"type": _str, "status": _int, "instance": _str, "title": _str, "detail": _str, "details": _str},
    closed=False,
)
_RETRY = _Obj(
    None,
    {
        "when": _str,
        "exceptWhen": _str,
        "delay": _duration,
        "backoff": _Obj(
            None,
            {"constant": _map, "exponential": _map, "linear": _map},
            one_of=((("constant", "exponential", "linear"), True),),
        ),
        "limit": _Obj(
            None,
            {"attempt": _Obj(None, {"count": _int, "duration": _duration}), "duration": _duration},
        ),
        "jitter": _Obj(None, {"from": _duration, "to": _duration}, ("from", "to")),
    },
)
_retry_or_ref = _either(_is_str, _RETRY, "a retry policy name or a retry policy mapping")

# ---------------------------------------------------------------------------------------------
# events


def _non_empty(v: _Validator, node: MapNode, where: str) -> None:
    if not node.pairs:
        v.add(node.span, f"{where} must not be empty")


_EVENT_PROPS: dict[str, Check] = {
    "id": _str,
    "source": _str,
    "type": _str,
    "time": _str,
    "subject": _str,
    "datacontenttype": _str,
    "dataschema": _str,
    "data": _any,
}
_EVENT_FILTER = _Obj(
    None,
    {
        "with": _Obj(None, _EVENT_PROPS, closed=False, extra=_non_empty),
        "correlate": _map_of(
            _Obj(None, {"from": _str, "expect": _str}, ("from",), closed=False), "correlation"
        ),
    },
    ("with",),
)
_event_filters = _list_of(_EVENT_FILTER, "event filter")
_STRATEGIES = ("all", "any", "one")


def _event_with(v: _Validator, node: MapNode, where: str) -> None:
    """The event to emit is described under ``with``; say so when its attributes sit beside it."""
    if "with" in node:
        return
    message = f'missing required property "with" in {where}'
    if any(name in _EVENT_PROPS for name in node.keys()):
        message += '; put the event attributes (source, type, data, ...) under "with"'
    v.add(_head_span(node), message)


def _strategy(nested: bool) -> Check:
    """An event consumption strategy: exactly one of ``all``, ``any``, ``one``; ``until`` only
    with ``any``, and never inside another ``until``."""

    def check(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
        if not isinstance(node, MapNode):
            if nested and _is_str(node):
                return
            v.type_error(node, key, label, f"a mapping with one of {_quoted(_STRATEGIES, 'or')}")
            return
        where = f"the event consumption strategy {label}"
        for k, val in node.items():
            name = k.value
            if name == "all" or name == "any":
                _event_filters(v, val, k, f'"{name}"')
            elif name == "one":
                _EVENT_FILTER(v, val, k, '"one"')
            elif name == "until":
                if nested:
                    v.add(
                        k.span,
                        '"until" cannot be nested inside "until": the strategy that stops an "any" '
                        "listener cannot have its own stop condition",
                    )
                elif "any" not in node:
                    v.add(k.span, '"until" only applies to an "any" strategy')
                else:
                    _UNTIL(v, val, k, '"until"')
            else:
                v.unknown(k, ("until", *_STRATEGIES), where)
        v.check_group(node, _STRATEGIES, True, where)

    return check


_STRATEGY = _strategy(nested=False)
_UNTIL = _strategy(nested=True)

# ---------------------------------------------------------------------------------------------
# tasks


def _task(v: _Validator, body: Node, key: ScalarNode | None, label: str) -> None:
    name = key.value if key is not None else "?"
    if body.__class__ is not MapNode or not body.pairs:  # type: ignore[union-attr]
        span = body.span if isinstance(body, MapNode) else (key or body).span
        v.add(
            span, f'task "{name}" has no definition; expected a mapping with one of {", ".join(TASK_TYPES)}'
        )
        return
    assert isinstance(body, MapNode)
    pairs = body.pairs
    names = [k.value if k.__class__ is ScalarNode else None for k, _ in pairs]  # type: ignore[union-attr]
    kind: str | None = None
    for prop in names:
        if prop in _TASK_TYPE_SET:
            if prop == "for":
                kind = prop
                break
            if kind is None:
                kind = prop
    if kind is None:
        _unknown_task(v, body, names)
        return
    allowed = _TASK_ALLOWED[kind]
    call_node: Node | None = None
    with_node: Node | None = None
    with_key: ScalarNode | None = None
    for prop, (k, val) in zip(names, pairs, strict=True):
        if prop is None:
            continue
        assert isinstance(k, ScalarNode)
        if prop not in allowed:
            _misplaced_task_property(v, k, kind, allowed, f'{kind} task "{name}"')
        elif prop == "with":  # checked with "call" below: its shape depends on what is called
            if with_node is None:
                with_node, with_key = val, k
        else:
            if prop == "call" and call_node is None:
                call_node = val
            _TASK_PROPS[prop](v, val, k, f'"{prop}"')
    required = _TASK_REQUIRED.get(kind)
    if required:
        for prop in required:
            if prop not in names:
                v.missing(body, prop, f'{kind} task "{name}"')
    if call_node is not None:
        _call_with(v, body, name, call_node, with_node, with_key)


def _unknown_task(v: _Validator, body: MapNode, names: list[str | None]) -> None:
    message = _UNKNOWN_TASK
    for prop in names:
        if prop is not None and prop not in TASK_COMMON:
            guess = _suggest(prop, TASK_TYPES)
            if guess:
                message += f'; did you mean "{guess}" instead of "{prop}"?'
                break
    v.add(_head_span(body), message)


def _misplaced_task_property(
    v: _Validator, k: ScalarNode, kind: str, allowed: frozenset[str], where: str
) -> None:
    prop = k.value
    if prop in _TASK_TYPE_SET:
        v.add(k.span, f'"{prop}" cannot be combined with "{kind}" in one task; split them into two tasks')
        return
    owner = _OWNER.get(prop)
    v.unknown(k, allowed, where, f'"{prop}" belongs to {owner} tasks' if owner else "")


def _call_with(
    v: _Validator,
    body: MapNode,
    name: str,
    call: Node,
    args: Node | None,
    args_key: ScalarNode | None,
) -> None:
    if call.__class__ is not ScalarNode or not _is_str(call):
        return  # already reported as a type error
    assert isinstance(call, ScalarNode)
    spec = _CALL_WITH.get(call.value)
    if spec is None:  # a custom or cataloged function: its arguments are free-form
        if args is not None:
            _map_or_expr(v, args, args_key, '"with"')
        return
    if args is None:
        v.missing(body, "with", f'{call.value} call task "{name}"')
        return
    spec(v, args, args_key, '"with"')


def _set(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
    if isinstance(node, MapNode):
        if not node.pairs:
            v.add((key or node).span, f"{label} must not be empty")
    elif not _is_str(node):
        v.type_error(node, key, label, "a mapping of values or a runtime expression")


_task_list = _named_list(_task, "task", _ANY_TASK_KEY)
_CASE = _Obj(None, {"when": _str_or_bool, "then": _str}, ("then",))
_case_list = _named_list(_CASE, "case", frozenset({"when", "then"}))


def _switch(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
    if isinstance(node, SeqNode) and not node.items:
        v.add((key or node).span, f"{label} must have at least one case")
        return
    _case_list(v, node, key, label)


_ITERATOR = _Obj(
    None,
    {"item": _str, "at": _str, "do": _task_list, "output": _OUTPUT, "export": _EXPORT},
)


def _lifetime_after(v: _Validator, node: MapNode, where: str) -> None:
    cleanup = node.get("cleanup")
    if isinstance(cleanup, ScalarNode) and cleanup.value == "eventually" and "after" not in node:
        v.add(
            _head_span(node), f'missing required property "after" in {where} when "cleanup" is "eventually"'
        )


_PROCESS_IO: dict[str, Check] = {"stdin": _str, "arguments": _str_list, "environment": _map_or_expr}
_RUN = _Obj(
    '"run"',
    {
        "container": _Obj(
            '"container"',
            {
                "image": _str,
                "name": _str,
                "command": _str,
                "ports": _map,
                "volumes": _map,
                "lifetime": _Obj(
                    '"lifetime"',
                    {"cleanup": _enum("always", "never", "eventually"), "after": _duration},
                    ("cleanup",),
                    extra=_lifetime_after,
                ),
                "pullPolicy": _enum("ifNotPresent", "always", "never"),
                **_PROCESS_IO,
            },
            ("image",),
        ),
        "script": _Obj(
            '"script"',
            {"language": _str, "code": _str, "source": _EXTERNAL_RESOURCE, **_PROCESS_IO},
            ("language",),
            one_of=((("code", "source"), True),),
        ),
        "shell": _Obj('"shell"', {"command": _str, **_PROCESS_IO}, ("command",)),
        "workflow": _Obj(
            '"workflow"',
            {"namespace": _str, "name": _str, "version": _str, "input": _any},
            ("namespace", "name", "version"),
        ),
        "await": _bool,
        "return": _enum("stdout", "stderr", "code", "all", "none"),
    },
    one_of=((("container", "script", "shell", "workflow"), True),),
)

_CATCH = _Obj(
    '"catch"',
    {
        "errors": _Obj(None, {"with": _ERROR_FILTER}, closed=False),
        "as": _str,
        "when": _str,
        "exceptWhen": _str,
        "retry": _retry_or_ref,
        "do": _task_list,
    },
)

_TASK_PROPS: dict[str, Check] = {
    "if": _str_or_bool,
    "input": _INPUT,
    "output": _OUTPUT,
    "export": _EXPORT,
    "timeout": _timeout_or_ref,
    "then": _str,
    "metadata": _map,
    "call": _str,
    "do": _task_list,
    "emit": _Obj(
        '"emit"',
        {
            "event": _Obj(
                '"event"',
                {"with": _Obj('"event.with"', _EVENT_PROPS, ("source", "type"), closed=False)},
                closed=False,
                extra=_event_with,
            )
        },
        ("event",),
    ),
    "for": _Obj('"for"', {"each": _str, "in": _str, "at": _str}, ("in",)),
    "while": _str,
    "fork": _Obj('"fork"', {"branches": _task_list, "compete": _bool}, ("branches",)),
    "listen": _Obj('"listen"', {"to": _STRATEGY, "read": _enum("data", "envelope", "raw")}, ("to",)),
    "foreach": _ITERATOR,
    "raise": _Obj('"raise"', {"error": _error_or_ref}, ("error",)),
    "run": _RUN,
    "set": _set,
    "switch": _switch,
    "try": _task_list,
    "catch": _CATCH,
    "wait": _duration,
}

# ---------------------------------------------------------------------------------------------
# the "with" of the built-in calls

_HTTP_OUTPUT = _enum("raw", "content", "response")
_CALL_WITH: dict[str, Check] = {
    "http": _Obj(
        'http call "with"',
        {
            "method": _str,
            "endpoint": _endpoint,
            "headers": _map_or_expr,
            "body": _any,
            "query": _map_or_expr,
            "output": _HTTP_OUTPUT,
            "redirect": _bool,
        },
        ("method", "endpoint"),
    ),
    "grpc": _Obj(
        'grpc call "with"',
        {
            "proto": _EXTERNAL_RESOURCE,
            "service": _Obj(
                'grpc "service"',
                {"name": _str, "host": _str, "port": _int, "authentication": _AUTH_REF},
                ("name", "host"),
            ),
            "method": _str,
            "arguments": _map_or_expr,
        },
        ("proto", "service", "method"),
    ),
    "openapi": _Obj(
        'openapi call "with"',
        {
            "document": _EXTERNAL_RESOURCE,
            "operationId": _str,
            "parameters": _map_or_expr,
            "authentication": _AUTH_REF,
            "output": _HTTP_OUTPUT,
            "redirect": _bool,
        },
        ("document", "operationId"),
    ),
    "asyncapi": _Obj(
        'asyncapi call "with"',
        {
            "document": _EXTERNAL_RESOURCE,
            "channel": _str,
            "operation": _str,
            "server": _Obj(None, {"name": _str, "variables": _map}, ("name",)),
            "protocol": _enum(
                "amqp",
                "amqp1",
                "anypointmq",
                "googlepubsub",
                "http",
                "ibmmq",
                "jms",
                "kafka",
                "mercure",
                "mqtt",
                "mqtt5",
                "nats",
                "pulsar",
                "redis",
                "sns",
                "solace",
                "sqs",
                "stomp",
                "ws",
            ),
            "message": _Obj(None, {"payload": _any, "headers": _map_or_expr}),
            "subscription": _Obj(
                None,
                {
                    "filter": _str,
                    "consume": _Obj(
                        None,
                        {"amount": _int, "for": _duration, "while": _str, "until": _str},
                        one_of=((("amount", "while", "until"), True),),
                    ),
                    "foreach": _ITERATOR,
                },
                ("consume",),
            ),
            "authentication": _AUTH_REF,
        },
        ("document",),
        one_of=((("operation", "channel"), True), (("message", "subscription"), True)),
    ),
    "a2a": _Obj(
        'a2a call "with"',
        {
            "method": _enum(
                "message/send",
                "message/stream",
                "tasks/get",
                "tasks/list",
                "tasks/cancel",
                "tasks/resubscribe",
                "tasks/pushNotificationConfig/set",
                "tasks/pushNotificationConfig/get",
                "tasks/pushNotificationConfig/list",
                "tasks/pushNotificationConfig/delete",
                "agent/getAuthenticatedExtendedCard",
            ),
            "agentCard": _EXTERNAL_RESOURCE,
            "server": _endpoint,
            "parameters": _str_or_map,
        },
        ("method",),
        one_of=((("agentCard", "server"), False),),
    ),
    "mcp": _Obj(
        'mcp call "with"',
        {
            "protocolVersion": _str,
            "method": _enum(
                "tools/list",
                "tools/call",
                "prompts/list",
                "prompts/get",
                "resources/list",
                "resources/read",
                "resources/templates/list",
            ),
            "parameters": _str_or_map,
            "timeout": _duration,
            "transport": _Obj(
                'mcp "transport"',
                {
                    "http": _Obj(None, {"endpoint": _endpoint, "headers": _map}, ("endpoint",)),
                    "stdio": _Obj(
                        None,
                        {"command": _str, "arguments": _str_list, "environment": _map},
                        ("command",),
                    ),
                    "options": _map,
                },
                one_of=((("http", "stdio"), True),),
            ),
            "client": _Obj('mcp "client"', {"name": _str, "version": _str}, ("name", "version")),
        },
        ("method", "transport"),
    ),
}

# ---------------------------------------------------------------------------------------------
# the workflow


def _dsl(v: _Validator, node: Node, key: ScalarNode | None, label: str) -> None:
    if not _is_str(node):
        v.type_error(node, key, label, 'a version string such as "1.0.3"')
        return
    assert isinstance(node, ScalarNode)
    if _DSL_VERSION.fullmatch(node.value.strip()) is None:
        v.add(
            node.span,
            f'unsupported DSL version "{node.value}" for "dsl"; this schema covers Serverless Workflow 1.x '
            '(e.g. "1.0.3")',
        )


_EXTENSION = _Obj(
    None,
    {
        "extend": _enum(
            "call",
            "composite",
            "emit",
            "extension",
            "for",
            "listen",
            "raise",
            "run",
            "set",
            "switch",
            "try",
            "wait",
            "all",
        ),
        "when": _str,
        "before": _task_list,
        "after": _task_list,
    },
    ("extend",),
)

_WORKFLOW = _Obj(
    "the workflow",
    {
        "document": _Obj(
            '"document"',
            {
                "dsl": _dsl,
                "namespace": _str,
                "name": _str,
                "version": _str,
                "title": _str,
                "summary": _str,
                "tags": _map,
                "metadata": _map,
            },
            ("dsl", "namespace", "name", "version"),
        ),
        "input": _INPUT,
        "use": _Obj(
            '"use"',
            {
                "authentications": _map_of(_AUTH, "authentication policy"),
                "errors": _map_of(_ERROR, "error"),
                "extensions": _named_list(
                    _EXTENSION, "extension", frozenset(("extend", "when", "before", "after"))
                ),
                "functions": _map_of(_task, "function"),
                "retries": _map_of(_RETRY, "retry policy"),
                "secrets": _str_list,
                "timeouts": _map_of(_TIMEOUT, "timeout"),
                "catalogs": _map_of(_Obj(None, {"endpoint": _endpoint}, ("endpoint",)), "catalog"),
            },
        ),
        "do": _task_list,
        "timeout": _timeout_or_ref,
        "output": _OUTPUT,
        "schedule": _Obj(
            '"schedule"',
            {"every": _duration, "cron": _str, "after": _duration, "on": _STRATEGY},
            one_of=((("every", "cron", "after", "on"), False),),
        ),
        "evaluate": _Obj('"evaluate"', {"language": _str, "mode": _enum("strict", "loose")}),
    },
    ("document", "do"),
)


def validate(
    root: Node | None,
    memo: dict[str, Any] | None = None,
    generation: int = 0,
    modified: frozenset[int] = frozenset(),
) -> list[tuple[Span, str]]:
    """Check a Serverless Workflow document tree against the DSL 1.0.x structure.

    Returns ``(span, message)`` pairs in the order a depth-first walk finds them: unknown properties (at
    the key, with a suggestion), missing required properties (at the first key of the mapping
    that lacks them), wrong value types (at the key), unsupported enumeration values (at the
    value) and misplaced list items (two tasks in one ``do`` item, at the second name).

    ``memo`` (a document's :attr:`~wfspec.syntax.parse.Document.memo`, carried from version to
    version by the incremental parser, with its ``generation`` and ``modified`` nodes) lets
    the top-level tasks that the re-parse carried over unchanged keep their problems instead of
    being checked again; only the previous version's answers are used.
    """
    if root is None:
        return []
    v = _Validator()
    if memo is not None and isinstance(root, MapNode):
        v.top = root.get("do")
        last = memo.get("schema")
        if last is not None and last[0] == generation - 1:
            v.reuse = {k: m for k, m in last[1].items() if k not in modified}
        memo["schema"] = (generation, v.items)
    if not isinstance(root, MapNode):
        v.add(root.span, 'a workflow must be a mapping with "document" and "do"')
        return v.out
    try:
        v.check_obj(root, _WORKFLOW, "the workflow")
    except RecursionError:  # only for pathologically deep documents the parser still accepted
        v.add(root.span, "the workflow is nested too deeply to check its structure")
    return v.out
