"""Unit tests for the GitHub Actions expression parser and context reference extraction."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfspec.dialects.github.expr import (
    MAX_DEPTH,
    Binary,
    Call,
    Context,
    ContextRef,
    ExprError,
    Index,
    Literal,
    Node,
    Property,
    Star,
    Unary,
    context_refs,
    parse,
)


def ok(expr: str) -> Node:
    node, error = parse(expr)
    assert error is None, error
    assert node is not None
    return node


def refs(expr: str) -> list[tuple[tuple[str, ...], tuple[int, ...], int, int]]:
    return [(ref.path, ref.offsets, ref.start, ref.end) for ref in context_refs(ok(expr))]


VALID = [
    "github.event_name == 'push' && !cancelled()",
    "steps.build.outputs.digest",
    "needs.build.outputs['image-tag']",
    "fromJSON(needs.setup.outputs.matrix).include[0]",
    "matrix.os",
    "contains(github.ref, 'refs/tags')",
    "hashFiles('**/package-lock.json')",
    "format('{0}-{1}', runner.os, hashFiles('x'))",
    "github.event.pull_request.head.sha || github.sha",
    "secrets.NPM_TOKEN",
    "inputs.dry-run",
    "toJSON(steps.*.outputs)",
    " always() ",
    "success() && github.ref == 'refs/heads/main'",
    "failure() || cancelled()",
    "startsWith(github.ref, 'refs/tags/v') && endsWith(github.ref, '-rc')",
    "join(matrix.*, ', ')",
    "github.event.commits[0].message",
    'contains(fromJSON(\'["push", "pull_request"]\'), github.event_name)',
    "matrix.node-version >= 18",
    "github.run_attempt > 1",
    "env.DEPLOY_ENV != 'prod' && vars.ENABLED == 'true'",
    "(github.event_name == 'push') && (github.ref_type == 'tag')",
    "!(github.event.pull_request.draft)",
    "!!github.event.forced",
    "case(github.ref == 'refs/heads/main', 'prod', 'dev')",
    "job.status == 'success'",
    "strategy.job-index == 0",
    "jobs.build.result",
    "github.event.inputs.version || '1.0.0'",
    "steps['build'].outputs.digest",
    "github['event']['pull_request']['number']",
    "needs.*.result",
    "contains(needs.*.result, 'failure')",
    "needs.build.outputs[matrix.key]",
    "'it''s'",
    "null",
    "true",
    "false",
    "0x1F",
    "-1",
    "+2",
    "1.5e3",
    "-2.5E-3",
    ".5",
    "NaN",
    "Infinity",
    "-Infinity",
    "github.event.issue.labels.*.name",
    "fromJSON(steps.meta.outputs.json).tags[0]",
    "GitHub.SHA",
    "toJSON(github)",
    "github.head_ref\n  || github.ref_name",
    "a.true.null",
]


@pytest.mark.parametrize("expr", VALID)
def test_valid_expressions(expr: str) -> None:
    ok(expr)


INVALID = [
    ("", "empty expression", 0),
    ("   ", "empty expression", 0),
    ("github.sha ==", 'unexpected end of input after "=="', 11),
    ("a &&", 'unexpected end of input after "&&"', 2),
    ("!", 'unexpected end of input after "!"', 0),
    ("(github.sha", 'unclosed "("', 0),
    ("contains(github.ref, 'x'", 'unclosed "("', 8),
    ("needs.build.outputs['x'", 'unclosed "["', 19),
    ("github.sha)", 'unexpected ")"', 10),
    ("'abc", "unterminated string", 0),
    ("github.ref == 'refs/heads/main", "unterminated string", 14),
    ('github.ref == "main"', "unexpected double quote; strings use single quotes", 14),
    ("github.ref = 'x'", 'unexpected "="; use "==" to compare', 11),
    ("a & b", 'unexpected character "&"; use "&&"', 2),
    ("a | b", 'unexpected character "|"; use "||"', 2),
    ("$x", 'unexpected character "$"', 0),
    ("github.sha # comment", 'unexpected character "#"', 11),
    ("github.", 'unexpected end of input after "."', 6),
    ("github.1", 'unexpected "1"', 7),
    ("github..sha", 'unexpected "."', 7),
    ("1abc", 'invalid number "1abc"', 0),
    ("1 - 2", 'unexpected "-"', 2),
    ("f(a,)", 'unexpected ")"', 4),
    ("f(a b)", 'unexpected "b"', 4),
    ("f(,)", 'unexpected ","', 2),
    ("github sha", 'unexpected "sha"', 7),
    ("'a' 'b'", "unexpected string", 4),
    ("'a'.length", 'unexpected "."', 3),
    ("true.x", 'unexpected "."', 4),
    ("1[0]", 'unexpected "["', 1),
    ("a[]", 'unexpected "]"', 2),
    ("a[*", 'unclosed "["', 1),
    (".sha", 'unexpected "."', 0),
    ("a == == b", 'unexpected "=="', 5),
    ("*", 'unexpected "*"', 0),
    ("github.*sha", 'unexpected "sha"', 8),
]


@pytest.mark.parametrize(("expr", "message", "offset"), INVALID)
def test_invalid_expressions(expr: str, message: str, offset: int) -> None:
    assert parse(expr) == (None, ExprError(message, offset))


def test_ast_shape_and_offsets() -> None:
    assert ok("github.event_name == 'push' && !cancelled()") == Binary(
        "&&",
        Binary(
            "==",
            Property(Context("github", 0, 6), "event_name", 0, 17),
            Literal("push", 21, 27),
            0,
            27,
        ),
        Unary("!", Call("cancelled", [], 32, 43), 31, 43),
        0,
        43,
    )
    assert ok("toJSON(steps.*.outputs)") == Call(
        "toJSON",
        [Property(Index(Context("steps", 7, 12), Star(13, 14), 7, 14), "outputs", 7, 22)],
        0,
        23,
    )
    assert ok("a[*]") == Index(Context("a", 0, 1), Star(2, 3), 0, 4)
    assert ok("(github).sha") == Property(Context("github", 1, 7), "sha", 0, 12)


def test_precedence() -> None:
    node = ok("a || b && c == d < e")
    assert isinstance(node, Binary) and node.op == "||"
    right = node.right
    assert isinstance(right, Binary) and right.op == "&&"
    equality = right.right
    assert isinstance(equality, Binary) and equality.op == "=="
    comparison = equality.right
    assert isinstance(comparison, Binary) and comparison.op == "<"
    negated = ok("!a == b")
    assert isinstance(negated, Binary) and isinstance(negated.left, Unary)
    chain = ok("a && b && c")
    assert isinstance(chain, Binary) and isinstance(chain.left, Binary)  # left-associative


def test_literal_values() -> None:
    def value(expr: str) -> object:
        node = ok(expr)
        assert isinstance(node, Literal)
        return node.value

    assert value("null") is None
    assert value("true") is True
    assert value("false") is False
    assert value("42") == 42 and isinstance(value("42"), int)
    assert value("-7") == -7
    assert value("0x1F") == 31
    assert value("1.5") == 1.5
    assert value("1e3") == 1000.0
    assert value(".5") == 0.5
    assert value("'it''s ''quoted'''") == "it's 'quoted'"
    assert value("''") == ""
    assert value("Infinity") == math.inf
    assert value("-Infinity") == -math.inf
    nan = value("NaN")
    assert isinstance(nan, float) and math.isnan(nan)


def test_names_keep_their_case() -> None:
    node = ok("GitHub.Event_Name")
    assert node == Property(Context("GitHub", 0, 6), "Event_Name", 0, 17)
    call = ok("fromJson('{}')")
    assert isinstance(call, Call) and call.name == "fromJson"


def test_context_refs_simple_chains() -> None:
    assert refs("steps.build.outputs.digest") == [
        (("steps", "build", "outputs", "digest"), (0, 6, 12, 20), 0, 26)
    ]
    assert refs("needs.build.outputs['image-tag']") == [
        (("needs", "build", "outputs", "image-tag"), (0, 6, 12, 20), 0, 32)
    ]
    assert refs("matrix.os") == [(("matrix", "os"), (0, 7), 0, 9)]
    assert refs("secrets.NPM_TOKEN") == [(("secrets", "NPM_TOKEN"), (0, 8), 0, 17)]
    assert refs("inputs.dry-run") == [(("inputs", "dry-run"), (0, 7), 0, 14)]
    assert refs("toJSON(github)") == [(("github",), (7,), 7, 13)]
    assert refs("github [ 'event' ] . sha") == [(("github", "event", "sha"), (0, 9, 21), 0, 24)]


def test_context_refs_in_calls_and_operators() -> None:
    assert refs("github.event_name == 'push' && !cancelled()") == [(("github", "event_name"), (0, 7), 0, 17)]
    assert refs("fromJSON(needs.setup.outputs.matrix).include[0]") == [
        (("needs", "setup", "outputs", "matrix"), (9, 15, 21, 29), 9, 35)
    ]
    assert refs("contains(github.ref, 'refs/tags')") == [(("github", "ref"), (9, 16), 9, 19)]
    assert refs("hashFiles('**/package-lock.json')") == []
    assert refs("format('{0}-{1}', runner.os, hashFiles('x'))") == [(("runner", "os"), (18, 25), 18, 27)]
    assert refs("github.event.pull_request.head.sha || github.sha") == [
        (("github", "event", "pull_request", "head", "sha"), (0, 7, 13, 26, 31), 0, 34),
        (("github", "sha"), (38, 45), 38, 48),
    ]


def test_context_refs_stop_at_stars_and_computed_indexes() -> None:
    assert refs("toJSON(steps.*.outputs)") == [(("steps",), (7,), 7, 12)]
    assert refs("needs.*.result") == [(("needs",), (0,), 0, 5)]
    assert refs("github.event.commits[0].message") == [(("github", "event", "commits"), (0, 7, 13), 0, 20)]
    assert refs("steps[matrix.step].outputs.x") == [
        (("steps",), (0,), 0, 5),
        (("matrix", "step"), (6, 13), 6, 17),
    ]


def test_context_ref_dataclass() -> None:
    [ref] = context_refs(ok("steps.build.outputs.digest"))
    assert ref == ContextRef(("steps", "build", "outputs", "digest"), (0, 6, 12, 20), 0, 26)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    for text in ("(" * 5000 + "a" + ")" * 5000, "!" * 5000 + "a", "f(" * 5000, "a[" * 5000):
        node, error = parse(text)
        assert node is None
        assert error is not None and error.message == "expression is nested too deeply"
    node, error = parse("(" * (MAX_DEPTH - 1) + "a" + ")" * (MAX_DEPTH - 1))
    assert error is None


def test_long_flat_expressions_are_fine() -> None:
    text = " || ".join(f"steps.s{i}.outputs.ok == 'true'" for i in range(2000))
    node = ok(text)
    assert len(context_refs(node)) == 2000
    chain = ".".join(["a"] * 3000)
    [ref] = context_refs(ok(chain))
    assert len(ref.path) == 3000


_GHA_PIECES = st.sampled_from(
    [
        "a",
        "github",
        ".",
        "b-c",
        "*",
        "[",
        "]",
        "(",
        ")",
        ",",
        "'s'",
        "'",
        "''",
        "==",
        "!=",
        "!",
        "&&",
        "||",
        "<",
        ">=",
        "1",
        "-1",
        "0x1F",
        ".5",
        "1e3",
        "f(",
        "true",
        "null",
        "NaN",
        " ",
        "=",
        "&",
        "|",
        '"',
        "$",
        "\n",
        "é",
    ]
)


def _check_result(text: str) -> None:
    node, error = parse(text)
    assert (node is None) != (error is None)
    if error is not None:
        assert 0 <= error.offset <= len(text)
        assert error.message == error.message.lower() or '"' in error.message
    else:
        assert node is not None
        for ref in context_refs(node):
            assert 0 <= ref.start < ref.end <= len(text)
            assert len(ref.path) == len(ref.offsets)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    _check_result(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_GHA_PIECES, max_size=60).map("".join))
def test_never_raises_on_expression_like_text(text: str) -> None:
    _check_result(text)
