"""Unit tests of the server's pure parts: the document store's incremental line table, the
text-based YAML context, settings parsing, formatting and the ignore-comment edit."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfspec.analysis.engine import analyze
from wfspec.findings import Severity
from wfspec.lsp import settings as lsp_settings
from wfspec.lsp.documents import TextDocument
from wfspec.lsp.formatting import format_text, line_edits
from wfspec.lsp.yamlctx import EXPRESSION, KEY, VALUE, context_at

_BREAK = re.compile(r"\r\n|\r|\n")
PIECES = st.lists(
    st.sampled_from(["a", "b", " ", "\n", "\r", "\r\n", "é", "😀", "\u2028", "- x:"]), max_size=8
).map("".join)


def _naive_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _BREAK.finditer(text)]


@settings(max_examples=200, deadline=None)
@given(base=PIECES, edits=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 8), PIECES), max_size=8))
def test_line_table_matches_a_full_rescan(base: str, edits: list[tuple[int, int, str]]) -> None:
    doc = TextDocument("u", base)
    text = base
    for at, length, new in edits:
        start = min(at, len(text))
        end = min(start + length, len(text))
        doc.replace(start, end, new)
        text = text[:start] + new + text[end:]
        assert doc.text == text
        assert doc.starts == _naive_starts(text)


def test_utf16_positions_round_trip() -> None:
    doc = TextDocument("u", "a: 😀é\r\nb: x\rc")
    assert doc.line_count == 3
    assert doc.offset_at(0, 5) == 4  # after the emoji (two UTF-16 units)
    assert doc.position_at(4) == (0, 5)
    assert doc.offset_at(0, 99) == len("a: 😀é")  # past the end of the line: its end
    assert doc.offset_at(9, 0) == len(doc.text)
    doc.apply_change((1, 3, 2, 1), "y")
    assert doc.text == "a: 😀é\r\nb: y"


ORDERS = """\
document:
  dsl: '1.0.3'
do:
  - first:
      call: http
      with:
        method: get
      then: sec
  - second:
      switch:
        - big:
            when: ${ .x > 1 }
            then: fi
  - third:
      set:
        a: ${ $secrets.ap }
"""
ORDERS += "      \n  - \n"  # a blank line inside "third" and a new list item


def _ctx(text: str, line: int, col: int | None = None):  # noqa: ANN202
    doc = TextDocument("u", text)
    return context_at(doc.text, doc.starts, line, len(doc.line_text(line)) if col is None else col)


def test_context_of_a_then_value() -> None:
    ctx = _ctx(ORDERS, 7)
    assert ctx is not None and ctx.kind == VALUE and ctx.key == "then" and ctx.prefix == "sec"
    assert ctx.path == ["do", "[]", "first"]


def test_context_of_a_switch_case() -> None:
    ctx = _ctx(ORDERS, 12)
    assert ctx is not None and ctx.path == ["do", "[]", "second", "switch", "[]", "big"]


def test_context_of_keys_and_items() -> None:
    body = _ctx(ORDERS, 16)
    assert (
        body is not None
        and body.kind == KEY
        and body.path == ["do", "[]", "third"]
        and body.siblings == {"set"}
    )
    item = _ctx(ORDERS, 17)
    assert item is not None and item.kind == KEY and item.path == ["do", "[]"] and item.dash
    root = _ctx(ORDERS + "\n", 18, 0)
    assert root is not None and root.path == [] and root.siblings == {"document", "do"}


def test_context_inside_an_expression() -> None:
    line = ORDERS.splitlines()[15]
    ctx = _ctx(ORDERS, 15, line.index(" }"))
    assert (
        ctx is not None
        and ctx.kind == EXPRESSION
        and ctx.prefix == "ap"
        and ctx.expression.endswith("$secrets.ap")
    )


def test_context_in_a_comment_is_none() -> None:
    assert _ctx("a: 1 # then: x\n", 0) is None


def test_settings_parse_with_errors_and_defaults() -> None:
    s, errors = lsp_settings.parse(
        {
            "wfspec": {
                "debounceMs": 25,
                "rules": {"select": ["unreachable"], "severity": {"unreachable": "error", "cycle": "loud"}},
                "dialect": "klingon",
                "llm": {"enabled": True, "timeoutSeconds": -1},
                "somethingElse": 1,
            }
        }
    )
    assert s.debounce_ms == 25
    assert s.rules.select == frozenset({"unreachable"})
    assert s.rules.severity == {}  # the whole table is invalid: default
    assert s.dialect is None and s.llm.enabled and s.llm.timeout_seconds == 30.0
    assert len(errors) == 3 and any('"dialect"' in e for e in errors)
    cfg = s.analysis_config(None, "file:///x.yaml")
    assert cfg.select == frozenset({"unreachable"})
    good, errors = lsp_settings.parse(
        {"rules": {"severity": {"unreachable": "error"}}, "dialectOverrides": {"*.wf.yaml": "serverless"}}
    )
    assert not errors and good.rules.severity == {"unreachable": Severity.ERROR}
    assert (
        good.dialect_for("file:///a/b/c.wf.yaml") == "serverless"
        and good.dialect_for("file:///c.yaml") is None
    )
    assert lsp_settings.parse(None) == (lsp_settings.Settings(), [])
    assert lsp_settings.parse("nonsense")[1]
    assert {k for k, _, _ in lsp_settings.describe()} >= {
        "wfspec.debounceMs",
        "wfspec.rules.select",
        "wfspec.llm.model",
    }


def test_format_text_keeps_crlf_and_refuses_data_changes() -> None:
    text = "a:\r\n    b: 1\r\n"
    assert format_text(text) == "a:\r\n  b: 1\r\n"
    assert format_text("a: [1, 2\n") is None  # does not parse


def test_line_edits_without_final_newline() -> None:
    from lsprotocol import types

    old = "a: 1\nb:    2"
    new = "a: 1\nb: 2"
    (edit,) = line_edits(old, new)
    assert edit.range.start == types.Position(line=1, character=0)
    assert edit.range.end == types.Position(line=1, character=7)


@pytest.mark.parametrize(
    "text, rule, expected",
    [
        (
            "document: {dsl: '1.0.3'}\ndo:\n  - a:\n      set: {x: 1}\n      then: end\n  - b:\n      set: {y: 1}\n",
            "unreachable",
            "  # wfspec: ignore[unreachable]\n  - b:",
        ),
    ],
)
def test_ignore_edit(text: str, rule: str, expected: str) -> None:
    from wfspec.fixes import apply_edits
    from wfspec.lsp.actions import ignore_edit

    result = analyze(text, "t.sw.yaml")
    (finding,) = [f for f in result.findings if f.rule == rule]
    edit = ignore_edit(result, finding, set())
    assert edit is not None
    new = apply_edits(text, [edit])
    assert expected in new
    assert rule not in {f.rule for f in analyze(new, "t.sw.yaml").findings}


def test_every_setting_is_documented_for_editors() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "editors.md").read_text(encoding="utf-8")
    missing = [key for key, _, _ in lsp_settings.describe() if f"`{key}`" not in doc]
    assert not missing


def test_vscode_default_settings_parse_cleanly() -> None:
    # what VS Code sends for the section when the user changed nothing (client-vscode defaults),
    # including the client's own keys the server ignores
    defaults = {
        "server": {"path": ""},
        "python": "",
        "trace": {"server": "off"},
        "rules": {"select": [], "ignore": [], "severity": {}},
        "debounceMs": 150,
        "maxFileSize": 5242880,
        "dialect": "auto",
        "dialectOverrides": {},
        "useProjectConfig": True,
        "codeLens": True,
        "rulesDocsUrl": None,
        "logLevel": "warning",
        "llm": {
            "enabled": True,
            "provider": "openai",
            "baseUrl": None,
            "model": None,
            "apiKeyEnv": "",
            "timeoutSeconds": 30,
            "maxRounds": 3,
        },
    }
    assert lsp_settings.parse(defaults) == (lsp_settings.Settings(), [])
