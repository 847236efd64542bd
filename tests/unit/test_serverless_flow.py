"""Serverless Workflow flow semantics as the graph rules see them (RULES.md)."""

from __future__ import annotations

from wfspec.analysis.engine import analyze

HEAD = """\
document:
  dsl: '1.0.3'
  namespace: test
  name: flow
  version: '0.1.0'
"""


def rules(body: str) -> list[tuple[int, str]]:
    result = analyze(HEAD + body, "t.sw.yaml")
    return [(f.span.start.line - 5 + 1, f.rule) for f in result.findings]


def test_then_end_makes_the_rest_unreachable() -> None:
    body = "do:\n  - a:\n      set: {x: 1}\n      then: end\n  - b:\n      set: {x: 2}\n  - c:\n      set: {x: 3}\n"
    assert rules(body) == [(5, "unreachable"), (7, "unreachable")]


def test_jump_target_is_reachable() -> None:
    body = "do:\n  - a:\n      set: {x: 1}\n      then: c\n  - b:\n      set: {x: 2}\n  - c:\n      set: {x: 3}\n"
    assert rules(body) == [(5, "unreachable")]


def test_switch_with_default_never_falls_through() -> None:
    body = (
        "do:\n  - s:\n      switch:\n        - one:\n            when: .a\n            then: x\n"
        "        - other:\n            then: end\n  - skipped:\n      set: {x: 1}\n  - x:\n      set: {x: 2}\n"
    )
    assert rules(body) == [(9, "unreachable")]


def test_switch_without_default_falls_through() -> None:
    body = (
        "do:\n  - s:\n      switch:\n        - one:\n            when: .a\n            then: end\n"
        "  - next:\n      set: {x: 1}\n"
    )
    assert rules(body) == []


def test_conditional_task_can_be_skipped() -> None:
    body = "do:\n  - a:\n      if: .stop\n      set: {x: 1}\n      then: end\n  - b:\n      set: {x: 2}\n"
    assert rules(body) == []


def test_exit_leaves_only_the_enclosing_block() -> None:
    body = (
        "do:\n  - outer:\n      do:\n        - inner:\n            set: {x: 1}\n            then: exit\n"
        "        - dead:\n            set: {x: 2}\n  - after:\n      set: {x: 3}\n"
    )
    assert rules(body) == [(7, "unreachable")]


def test_out_of_scope_target() -> None:
    body = (
        "do:\n  - outer:\n      do:\n        - inner:\n            set: {x: 1}\n            then: after\n"
        "  - after:\n      set: {x: 3}\n"
    )
    assert rules(body) == [(6, "out-of-scope-target")]


def test_loop_without_exit_and_bounded_loop() -> None:
    endless = "do:\n  - a:\n      set: {x: 1}\n  - b:\n      set: {x: 2}\n      then: a\n"
    assert rules(endless) == [(2, "loop-without-exit")]
    bounded = (
        "do:\n  - a:\n      set: {x: 1}\n  - b:\n      switch:\n        - done:\n            when: .x > 3\n"
        "            then: end\n        - again:\n            then: a\n"
    )
    assert rules(bounded) == []


def test_raise_ends_the_path_unless_caught() -> None:
    body = (
        "use:\n  errors:\n    boom:\n      type: https://example.com/boom\n      status: 500\n"
        "do:\n  - fail:\n      raise:\n        error: boom\n  - dead:\n      set: {x: 1}\n"
    )
    assert rules(body) == [(10, "unreachable")]
    caught = (
        "use:\n  errors:\n    boom:\n      type: https://example.com/boom\n      status: 500\n"
        "do:\n  - guard:\n      try:\n        - fail:\n            raise:\n              error: boom\n"
        "      catch:\n        do:\n          - recover:\n              set: {x: 1}\n  - after:\n      set: {x: 2}\n"
    )
    assert rules(caught) == []


def test_raise_inside_a_loop_is_an_exit() -> None:
    body = (
        "do:\n  - a:\n      set: {x: 1}\n  - b:\n      switch:\n        - bad:\n            when: .x > 3\n"
        "            then: fail\n        - again:\n            then: a\n"
        "  - fail:\n      raise:\n        error:\n          type: https://example.com/e\n          status: 500\n"
    )
    assert rules(body) == []


def test_undefined_references() -> None:
    body = (
        "use:\n  secrets: [token]\n"
        "do:\n  - a:\n      call: sendEmail\n  - b:\n      raise:\n        error: nope\n"
        "  - c:\n      set:\n        v: ${ $secrets.tokn }\n"
    )
    got = rules(body)
    assert got.count((2, "unused-definition")) == 1
    assert (5, "undefined-reference") in got and (8, "undefined-reference") in got
    assert (11, "undefined-reference") in got


def test_builtin_and_catalog_calls_are_not_references() -> None:
    body = (
        "do:\n  - a:\n      call: http\n      with: {method: get, endpoint: https://x.example}\n"
        "  - b:\n      call: log:1.0.0@default\n"
        "  - c:\n      call: https://example.com/functions/log.yaml\n"
    )
    assert [r for r in rules(body) if r[1] == "undefined-reference"] == []


def test_context_read_without_export() -> None:
    body = (
        "do:\n  - a:\n      set: {x: 1}\n      export:\n        as:\n          seen: true\n"
        "  - b:\n      set:\n        v: ${ $context.sen }\n"
    )
    result = analyze(HEAD + body, "t.sw.yaml")
    (f,) = result.findings
    assert f.rule == "undefined-reference" and f.severity.label == "warning" and '"seen"' in f.message


def test_reference_position_inside_escaped_string() -> None:
    body = (
        "use:\n  secrets: [token]\n"
        "do:\n  - a:\n      set:\n"
        '        h: "${ \\"Bearer \\" + $secrets.tokn }"\n'
        "        t: ${ $secrets.token }\n"
    )
    result = analyze(HEAD + body, "t.sw.yaml")
    (f,) = [f for f in result.findings if f.rule == "undefined-reference"]
    line = (HEAD + body).splitlines()[f.span.start.line]
    assert line[f.span.start.character :].startswith("$secrets.tokn")


def test_shell_variables_are_not_expressions() -> None:
    body = (
        "do:\n  - a:\n      run:\n        shell:\n          command: echo ${HOME:-/tmp} && echo ${ not jq\n"
    )
    assert rules(body) == []


def test_implicit_expressions_are_checked() -> None:
    body = "do:\n  - a:\n      if: .x ==\n      set: {x: 1}\n"
    assert rules(body) == [(3, "expression")]
