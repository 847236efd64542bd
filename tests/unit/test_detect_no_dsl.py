"""A Serverless Workflow missing ``document.dsl`` is reported as one, not skipped as "not a
workflow": the schema check names the missing property."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfspec.analysis.engine import analyze
from wfspec.cli import main
from wfspec.lsp.workspace import classify

NO_DSL = """\
document:
  namespace: test
  name: no-dsl
  version: '0.1.0'
do:
  - greet:
      set:
        hello: world
"""


def test_a_document_and_a_do_list_without_dsl_is_a_workflow_missing_dsl() -> None:
    result = analyze(NO_DSL, "file:///repo/greet.yaml")
    assert result.dialect == "serverless"
    assert [(f.rule, f.message) for f in result.findings] == [
        ("schema", 'missing required property "dsl" in "document"')
    ]


def test_the_cli_reports_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "greet.yaml").write_text(NO_DSL, encoding="utf-8")
    assert main(["check", "greet.yaml"]) == 1
    out, err = capsys.readouterr()
    assert out == 'greet.yaml:2:3: error: missing required property "dsl" in "document" [schema]\n'
    assert "skipped" not in err


def test_workspace_scans_find_it(tmp_path: Path) -> None:
    p = tmp_path / "greet.yaml"
    p.write_text(NO_DSL, encoding="utf-8")
    got = classify(p, 1 << 20)
    assert got is not None and got.dialect == "serverless"


@pytest.mark.parametrize(
    "text",
    [
        "document:\n  title: a report\nsections: []\n",  # a document key alone is no workflow
        "do:\n  - something\n",
        "document: readme.md\ndo: [build]\n",  # document is not a mapping
    ],
)
def test_other_yaml_is_still_not_a_workflow(text: str) -> None:
    assert analyze(text, "file:///repo/other.yaml").dialect is None
