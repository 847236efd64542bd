"""Unit tests for the jq syntax checker used on Serverless Workflow runtime expressions."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfspec.dialects.serverless.jq import MAX_DEPTH, JqError, VarRef, bindings, check, variables

# The text between `${` and `}` of real-world Serverless Workflow expressions and jq idioms.
VALID = [
    # identity, recursion, fields
    ".",
    " . ",
    "..",
    "..|.a?",
    ".a",
    ".a.b.c",
    '."quoted key"',
    '. "quoted key"',
    '.a."b-c".d',
    '.["a"]',
    '.a["b"]',
    '.a.["b"]',
    ".a?",
    ".a.b?",
    ".a?.b",
    '.["x"]?',
    ".[0]",
    ".[-1]",
    ".[1:2]",
    ".[:2]",
    ".[2:]",
    ".[]",
    ".[]?",
    ".a[]",
    ".[]?.[]",
    ".a .b",  # jq's grammar reads this as .a.b
    "$__loc__",
    "{$__loc__}",
    # Serverless Workflow runtime expressions
    '.pets | map(select(.status == "available"))',
    ' .pets | map(select(.status == "available")) ',
    "$secrets.apiKey",
    '$secrets["apiKey"]',
    "$context.pets[0].name",
    '{ greeting: "Hello \\(.name)" }',
    ".items[] | .price * .qty",
    'if .x then "a" else "b" end',
    'if .x then "a" elif .y then "b" else "c" end',
    "if . then 1 end",
    "$context + { a: 1 }",
    "reduce .[] as $i (0; . + $i)",
    'try error("x") catch .',
    "try .a",
    'try (.a | tonumber) catch "NaN"',
    '.a // "default"',
    '.a? // "default"',
    "[.[] | select(.a)] | length > 0",
    "@base64d",
    '@base64 "token:\\(.user)"',
    '@json "value: \\(.)"',
    "$input.x",
    "$workflow.definition.document.name",
    "$task.name",
    "$runtime.version",
    "$authorization.parameter",
    "def inc: . + 1; inc",
    "def f: 1;",
    "def addvalue($f): map(. + $f); addvalue(.[0])",
    "def f(a; $b): a + $b; f(.x; 1)",
    "def fac: if . <= 1 then 1 else . * (. - 1 | fac) end; 5 | fac",
    ".orderId as $id | $context.orders[] | select(.id == $id)",
    "{ customer: .customer, total: (.items | map(.price * .qty) | add) }",
    '.status == "approved" and .amount < 1000',
    '.status != "rejected" or (.override | not)',
    "(.a | length) >= 2",
    '.user.email | test("^[^@]+@example\\\\.com$"; "i")',
    'test("x"; "g")',
    "[.items[] | {name, id: .uuid}]",
    '{a, b: .c, "x": 1, (.k): .v, $v, @base64 "k": .d, $__loc__}',
    '{"a\\(.x)": 1, if: 2, then, "s"}',
    "{a: 1,}",
    "{a: .b | .c, d: -1, e: - .f}",
    '{a: "x" | ascii_downcase}',
    "{(.a, .b): 1}",
    "{}",
    "[]",
    "[1, 2, 3]",
    '[.[] | tostring] | join(", ")',
    ".a as [$x, $y] | {$x, $y}",
    ". as [$a, $b, {c: $c}] | $a + $b + $c",
    '. as {a: $x, $y, "z": [$w], (.k): $v} | $x',
    ". as [$a] ?// $a | $a",
    "reduce .[] as [$k, $v] ({}; .[$k] = $v)",
    "foreach .[] as $x (0; . + $x)",
    "foreach .[] as $x (0; . + $x; [$x, .])",
    "label $out | foreach .[] as $item (0; . + $item; if . > 3 then ., break $out else . end)",
    ".a = 1",
    ".a |= . + 1",
    ".a += 1",
    ".a -= 1",
    ".a *= 2",
    ".a /= 2",
    ".a %= 2",
    ".a //= 3",
    "(.a, .b) = 1",
    ".a = 1 | .b = 2",
    "with_entries(.value |= tostring)",
    'to_entries | map("\\(.key)=\\(.value)") | join("&")',
    "-1",
    "-.a",
    "- .a * 2",
    ".a - -1",
    ".x-1",
    "1 + 2 * 3 / 4 % 5 - 6",
    "1.5e3 + .5 + 2E-2",
    "null, true, false",
    "$ENV.PATH",
    "env.HOME",
    "input",
    "inputs",
    "now | todate",
    "limit(3; .[])",
    "first(range(10))",
    "range(0; 10; 2)",
    'getpath(["a", "b"])',
    'paths(type == "number")',
    'splits(", *"; null)',
    '"\\u00e9\\t\\n\\r\\b\\f\\/\\\\\\""',
    '"a \\(.b) c"',
    '"\\(1 + "x\\(2)")"',
    '"outer \\("inner \\(.x) text") end"',
    '"paren \\((1 + 2) * 3)"',
    "keys[0]",
    "[1,2][0]",
    ".[] as $x | $x | .b",
    "limit(1; .[] | select(.id == $input.id))",
    "# a comment\n.a # trailing\n| .b",
    'module {name: "x"}; import "lib" as lib; include "other"; lib::f',
    'import "data" as $d; $d',
    ".a and .b or .c",
    "not",
    ". | not",
    "select(.a | not)",
    "try error catch .",
    'error("boom")?',
    "(1 + 2)?",
    "recurse(.children[])",
    "recurse(if . < 3 then . + 1 else empty end)",
    "[paths]",
    "$__prog_name",
    '{"a": 1} | has("a")',
    ".data | fromjson | .items | length",
    '@sh "echo \\(.msg)"',
    "@text",
    '@uri "https://example.com/?q=\\(.q)"',
    '.["a-b"]',
    "{if: 1, end: 2, as: 3, def: 4, reduce: 5}",
    ".end.if.then",
    "try .a as $x | $x",
    "[.[] | try tonumber catch null]",
    "if .a then .b elif .c then .d end",
    ".a as $x | .b as $y | $x + $y",
    "reduce range(5) as $i ([]; . + [$i]) | length",
    'ltrimstr("x") | rtrimstr("y")',
    'ascii_upcase | split("-") | .[0]',
    "$context.retries + 1 > 3",
    '{ "id": $workflow.id, "input": $input, "output": . }',
]

INVALID = [
    ("", "empty expression", 0),
    ("   ", "empty expression", 0),
    ("# only a comment", "empty expression", 0),
    (".a |", 'unexpected end of input after "|"', 3),
    (".a ,", 'unexpected end of input after ","', 3),
    (".a and", 'unexpected end of input after "and"', 3),
    ("(.a", 'unclosed "("', 0),
    ("map(select(.a == 1)", 'unclosed "("', 3),
    (".a)", 'unexpected ")"', 2),
    ("[1, 2", 'unclosed "["', 0),
    ("[1, 2)", 'unexpected ")"', 5),
    ("{a: 1", 'unclosed "{"', 0),
    ("{a: 1]", 'unexpected "]"', 5),
    ("{a: 1 + 2}", 'unexpected "+"; wrap the object value in parentheses', 6),
    ("{1: 2}", 'unexpected "1"', 1),
    ("{,}", 'unexpected ","', 1),
    ('"abc', "unterminated string", 0),
    ('.a + "abc', "unterminated string", 5),
    ('"a \\(.b', 'unclosed "\\("', 3),
    ('"a \\(.b | )"', 'unexpected ")"', 10),
    ('"\\q"', 'invalid escape "\\q"', 1),
    ('"\\u12"', 'invalid escape "\\u" (expected four hex digits)', 1),
    (".a 1", 'unexpected "1"', 3),
    (".a $x", 'unexpected "$x"', 3),
    ('"a" "b"', "unexpected string", 4),
    (".a f", 'unexpected "f"', 3),
    (". foo", 'unexpected "foo"', 2),
    ("if . then 1", 'unclosed "if"', 0),
    ("if . then 1 else 2", 'unclosed "if"', 0),
    ("if . then 1 else 2 )", 'unexpected ")"', 19),
    ("if .", 'unclosed "if"', 0),
    (".a & .b", 'unexpected character "&"', 3),
    (".a && .b", 'unexpected character "&"', 3),
    ("!.a", 'unexpected character "!"', 0),
    ("$", 'unexpected character "$"', 0),
    (".a ` .b", 'unexpected character "`"', 3),
    ("1 == 2 == 3", 'unexpected "=="', 7),
    (".a = 1 = 2", 'unexpected "="', 7),
    ("map()", 'unexpected ")"', 4),
    ("f(;)", 'unexpected ";"', 2),
    (".a.", 'unexpected end of input after "."', 2),
    (".a.b.", 'unexpected end of input after "."', 4),
    ("..a", 'unexpected "a"', 2),
    (".[:]", 'unexpected "]"', 3),
    ("reduce .[] as $x (0; . + $x", 'unclosed "("', 17),
    ("reduce .[] as $x (0)", 'unexpected ")"', 19),
    ("foreach .[] as x (0; .)", 'unexpected "x"', 15),
    ("def f: 1", 'unclosed "def"', 0),
    ("def if: 1; 2", 'unexpected "if"', 4),
    (".a as x | x", 'unexpected "x"', 6),
    (".a as $x", 'unexpected end of input after "$x"', 6),
    (".a as $x .b", 'unexpected ".b"', 9),
    ("try", 'unexpected end of input after "try"', 0),
    ("label out | 1", 'unexpected "out"', 6),
    (",", 'unexpected ","', 0),
    (")", 'unexpected ")"', 0),
    ("|", 'unexpected "|"', 0),
    (".a || .b", 'unexpected "|"', 4),
    ("then", 'unexpected "then"', 0),
    (".a end", 'unexpected "end"', 3),
    ("1.a", 'unexpected "a"', 2),
    ("((((", 'unexpected end of input after "("', 3),
    (".a?//1", 'unexpected "?//"; write "? //" for an optional value with a default', 2),
    ("{@base64: 1}", 'unexpected ":"', 8),
    ("{a: .b as $x | $x}", 'unexpected "as"; wrap the object value in parentheses', 7),
    ("[.[] | select(.a)] | length >", 'unexpected end of input after ">"', 28),
]


@pytest.mark.parametrize("expr", VALID)
def test_valid_expressions(expr: str) -> None:
    assert check(expr) is None


@pytest.mark.parametrize(("expr", "message", "offset"), INVALID)
def test_invalid_expressions(expr: str, message: str, offset: int) -> None:
    assert check(expr) == JqError(message, offset)


def test_first_error_wins_over_later_lexical_error() -> None:
    # The parse error at ")" comes before the unterminated string.
    assert check('.a | ) "abc') == JqError('unexpected ")"', 5)


def test_error_offsets_count_code_points() -> None:
    assert check('"héllo" 1') == JqError('unexpected "1"', 8)
    assert check('"😀" & 1') == JqError('unexpected character "&"', 4)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    for text in ("[" * 5000, "(" * 5000 + "1" + ")" * 5000, "{a:" * 5000, "- " * 5000 + "1", '"\\(' * 3000):
        error = check(text)
        assert error is not None
        assert error.message == "expression is nested too deeply"
    assert check(". as " + "[" * 5000 + "$a" + "]" * 5000 + " | 1") is not None
    assert check("reduce " * 5000) is not None


def test_reasonable_nesting_is_fine() -> None:
    depth = MAX_DEPTH // 4
    assert check("(" * depth + "1" + ")" * depth) is None
    assert check("[" * depth + "]" * depth) is None
    long_pipeline = " | ".join(["map(.x)"] * 500)
    assert check(long_pipeline) is None
    assert check(", ".join(["1"] * 2000)) is None
    chained = " | ".join(f".a{i} as $v{i}" for i in range(50)) + " | $v0"
    assert check(chained) is None


def test_variables_with_paths() -> None:
    assert variables("$secrets.apiKey") == [VarRef("secrets", ("apiKey",), 0, 15)]
    assert variables('$secrets["apiKey"]') == [VarRef("secrets", ("apiKey",), 0, 18)]
    assert variables('$secrets."apiKey"') == [VarRef("secrets", ("apiKey",), 0, 17)]
    assert variables('$secrets.["apiKey"]') == [VarRef("secrets", ("apiKey",), 0, 19)]
    assert variables("$context") == [VarRef("context", (), 0, 8)]
    assert variables(" $workflow.definition.document.name ") == [
        VarRef("workflow", ("definition", "document", "name"), 1, 35)
    ]


def test_variable_path_stops_at_non_literal_components() -> None:
    assert variables("$context.pets[0].name") == [VarRef("context", ("pets",), 0, 13)]
    assert variables("$context.a[.k].b") == [VarRef("context", ("a",), 0, 10)]
    assert variables('$context."a\\(1)".b') == [VarRef("context", (), 0, 8)]
    assert variables("$input[]") == [VarRef("input", (), 0, 6)]
    assert variables("$input.a?.b") == [VarRef("input", ("a", "b"), 0, 11)]
    assert variables('$input["x\\ty"]') == [VarRef("input", ("x\ty",), 0, 14)]


def test_variables_skip_strings_but_not_interpolations() -> None:
    refs = variables('"cost: $price, \\($secrets.k) and \\("n \\($input.x)")"')
    assert refs == [VarRef("secrets", ("k",), 17, 27), VarRef("input", ("x",), 40, 48)]


def test_variables_exclude_binding_sites() -> None:
    expr = "reduce .[] as $i (0; . + $i) | . as [$a, {b: $c}] | label $out | $a + $c + $x.y"
    assert [(ref.name, ref.path) for ref in variables(expr)] == [
        ("i", ()),
        ("a", ()),
        ("c", ()),
        ("x", ("y",)),
    ]
    assert [ref.name for ref in bindings(expr)] == ["i", "a", "c"]
    assert bindings("def f($p; q): $p; f(1; 2)") == [VarRef("p", (), 6, 8)]


def test_variables_in_object_construction() -> None:
    refs = variables("{$v, $w: 1, a: $context.user, $__loc__}")
    assert [(ref.name, ref.path, ref.offset) for ref in refs] == [
        ("v", (), 1),
        ("w", (), 5),
        ("context", ("user",), 15),
        ("__loc__", (), 30),
    ]


def test_variables_on_syntax_errors_are_best_effort() -> None:
    assert [ref.name for ref in variables("$secrets.a + (")] == ["secrets"]
    assert [ref.name for ref in variables(".a ) $secrets.b | .c as $x | $y")] == ["secrets", "y"]
    assert [ref.name for ref in bindings(".a ) .b as $x | $y")] == ["x"]
    assert variables("") == []


_JQ_PIECES = st.sampled_from(
    [
        ".",
        "..",
        ".a",
        ".b?",
        "$x",
        "$secrets.k",
        '"s"',
        '"\\(',
        ")",
        "(",
        "[",
        "]",
        "{",
        "}",
        ":",
        ";",
        ",",
        "|",
        "//",
        "?//",
        "?",
        "=",
        "|=",
        "==",
        "<",
        "+",
        "-",
        "*",
        "and",
        "or",
        "if",
        "then",
        "elif",
        "else",
        "end",
        "try",
        "catch",
        "reduce",
        "foreach",
        "as",
        "def",
        "f",
        "label",
        "break",
        "@base64",
        "1",
        "1.5e3",
        " ",
        "#c\n",
        '"',
        "\\",
        "\\(",
        "$__loc__",
        "import",
        "include",
        "module",
        "`",
        "ü",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    error = check(text)
    assert error is None or 0 <= error.offset <= len(text)
    assert error is None or error.message == error.message.lower() or '"' in error.message
    for ref in variables(text):
        assert 0 <= ref.offset < ref.end <= len(text)
    bindings(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_JQ_PIECES, max_size=60).map("".join))
def test_never_raises_on_jq_like_text(text: str) -> None:
    error = check(text)
    assert error is None or 0 <= error.offset <= len(text)
    assert error is None or error.message == error.message.lower() or '"' in error.message
    for ref in variables(text):
        assert 0 <= ref.offset < ref.end <= len(text)
        assert text[ref.offset] == "$"
    bindings(text)
