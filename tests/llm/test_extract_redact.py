"""Extraction of YAML/JSON from untrusted model answers, and credential redaction."""

from __future__ import annotations

import json

import pytest

from wfspec.llm.extract import extract_json, extract_yaml
from wfspec.llm.redact import Redactor, is_loopback, redact

TASKS = "- greet:\n    set:\n      message: hello\n"


@pytest.mark.parametrize(
    "answer",
    [
        TASKS,
        f"```yaml\n{TASKS}```",
        f"Sure! Here are the tasks:\n\n```yaml\n{TASKS}```\n\nLet me know if you need more.",
        f"Here is the workflow:\n\n{TASKS}\nThis greets the user.",
        json.dumps({"yaml": TASKS}),
        "```json\n" + json.dumps({"yaml": TASKS}) + "\n```",
        "<think>plan it</think>\n" + TASKS,
        f"```\n{TASKS}```",
        f"```yaml\n{TASKS}",  # an unclosed fence at the end of a cut-off answer
    ],
)
def test_yaml_in_many_shapes(answer):
    assert extract_yaml(answer) == TASKS


@pytest.mark.parametrize(
    "answer", ["", "   \n", "I cannot help with that.", '{"yaml": ""}', "```yaml\n: : :\n```"]
)
def test_no_yaml(answer):
    assert extract_yaml(answer) is None


def test_json_shapes():
    assert extract_json('{"choice": 2}') == {"choice": 2}
    assert extract_json('I pick this: {"choice": 1, "replacement": ""} because') == {
        "choice": 1,
        "replacement": "",
    }
    assert extract_json('```json\n{"a": [1, 2]}\n```') == {"a": [1, 2]}
    assert extract_json('{"text": "a } inside"}') == {"text": "a } inside"}
    assert extract_json("no json here") is None
    assert extract_json('{"broken": ') is None


def test_extraction_never_executes():
    # YAML tags that would construct objects in unsafe loaders stay data (or are refused)
    evil = "- x:\n    set: !!python/object/apply:os.system ['echo pwned']\n"
    got = extract_yaml(evil)
    assert got is None or "os.system" in got  # parsed as text at most; nothing ran


def test_redact_patterns():
    text = "\n".join(
        [
            "endpoint: https://bob:hunter2pass@db.example.com/x",
            "url: https://api.example.com/v1?api_key=abcdef123456&page=2",
            "Authorization: Bearer abcdEFGH1234ijklMNOP",
            "token: ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "aws: AKIAABCDEFGHIJKLMNOP",
            "password: correct-horse-battery",
            'apiKey: "9f8e7d6c5b4a39281706"',
            "header: ${ $secrets.helpdesk.token }",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----",
        ]
    )
    r = Redactor()
    out = r.redact(text)
    for secret in (
        "hunter2pass",
        "abcdef123456",
        "abcdEFGH1234ijklMNOP",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "AKIAABCDEFGHIJKLMNOP",
        "correct-horse-battery",
        "9f8e7d6c5b4a39281706",
        "MIIEabc",
    ):
        assert secret not in out, secret
    assert "${ $secrets.helpdesk.token }" in out  # expressions are references, not secrets
    assert "page=2" in out and "db.example.com" in out
    assert r.restore(out) == text
    assert redact("nothing to see: https://example.com/path") == "nothing to see: https://example.com/path"


def test_is_loopback():
    assert is_loopback("http://127.0.0.1:8080/v1")
    assert is_loopback("http://127.5.0.1/v1")
    assert is_loopback("http://[::1]:8000/v1")
    assert is_loopback("http://localhost:11434/v1")
    assert not is_loopback("https://api.openai.com/v1")
    assert not is_loopback("http://10.0.0.5:8000/v1")
    assert not is_loopback("http://127.0.0.1.evil.example/v1")
