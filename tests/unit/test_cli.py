"""The ``wfspec`` command line: formats, exit codes, selection, configuration, --fix."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wfspec.cli import main

BAD = """\
document:
  dsl: '1.0.3'
  namespace: test
  name: cli-bad
  version: '0.1.0'
do:
  - classify:
      set:
        category: billing
      then: routeTicket
  - routeTickets:
      set:
        routed: true
"""

CLEAN = BAD.replace("then: routeTicket", "then: routeTickets")


@pytest.fixture
def bad(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    p = tmp_path / "bad.sw.yaml"
    p.write_text(BAD, encoding="utf-8")
    return p


def test_text_format_and_exit_code(bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "bad.sw.yaml"]) == 1
    out, err = capsys.readouterr()
    assert out == (
        'bad.sw.yaml:10:13: error: unknown task "routeTicket"; did you mean "routeTickets"? '
        "1 task is unreachable until this is fixed [unknown-target]\n"
    )
    assert "1 finding (1 error) in 1 file" in err


def test_clean_exit_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.sw.yaml").write_text(CLEAN, encoding="utf-8")
    assert main(["check", "."]) == 0
    assert capsys.readouterr().out == ""


def test_json_format(bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "json", "bad.sw.yaml"]) == 1
    data = json.loads(capsys.readouterr().out)
    (f,) = data["findings"]
    assert f["path"] == "bad.sw.yaml" and f["rule"] == "unknown-target" and f["severity"] == "error"
    assert f["range"] == {"start": {"line": 9, "character": 12}, "end": {"line": 9, "character": 23}}


def test_sarif_format(bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--format", "sarif", "bad.sw.yaml"])
    log = json.loads(capsys.readouterr().out)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    (res,) = run["results"]
    assert res["ruleId"] == "unknown-target" and ids[res["ruleIndex"]] == "unknown-target"
    assert res["level"] == "error"
    region = res["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (10, 13)


def test_github_format(bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--format", "github", "bad.sw.yaml"])
    out = capsys.readouterr().out
    assert out.startswith("::error file=bad.sw.yaml,line=10,col=13,")
    assert "title=unknown-target::" in out


def test_select_and_ignore(bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--ignore", "unknown-target", "bad.sw.yaml"]) == 0
    assert main(["check", "--select", "unreachable", "bad.sw.yaml"]) == 0
    capsys.readouterr()


def test_unknown_rule_id_is_usage_error(bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--select", "no-such-rule", "bad.sw.yaml"]) == 2
    assert "no-such-rule" in capsys.readouterr().err


def test_missing_path_is_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", "nope.yaml"]) == 2


def test_config_file_severity_and_ignore(bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bad.parent / ".wfspec.toml").write_text('[severity]\n"unknown-target" = "warning"\n', encoding="utf-8")
    assert main(["check", "bad.sw.yaml"]) == 0
    assert ": warning: " in capsys.readouterr().out
    (bad.parent / ".wfspec.toml").write_text('ignore = ["unknown-target"]\n', encoding="utf-8")
    assert main(["check", "bad.sw.yaml"]) == 0


def test_pyproject_config(bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bad.parent / "pyproject.toml").write_text(
        '[tool.wfspec]\nignore = ["unknown-target"]\n', encoding="utf-8"
    )
    assert main(["check", "bad.sw.yaml"]) == 0


def test_bad_config_is_usage_error(bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bad.parent / ".wfspec.toml").write_text('select = ["not-a-rule"]\n', encoding="utf-8")
    assert main(["check", "bad.sw.yaml"]) == 2
    assert 'unknown rule id "not-a-rule"' in capsys.readouterr().err


def test_inline_suppression(bad: Path) -> None:
    bad.write_text(BAD.replace("then: routeTicket", "then: routeTicket  # wfspec: ignore[unknown-target]"))
    assert main(["check", "bad.sw.yaml"]) == 0
    bad.write_text(
        BAD.replace(
            "      then: routeTicket", "      # wfspec: ignore[unknown-target]\n      then: routeTicket"
        )
    )
    assert main(["check", "bad.sw.yaml"]) == 0


def test_fix_applies_preferred_fix(bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--fix", "bad.sw.yaml"]) == 0
    assert bad.read_text(encoding="utf-8") == CLEAN
    assert "1 fix applied" in capsys.readouterr().err


def test_non_workflow_files_are_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "values.yaml").write_text("replicas: 3\n", encoding="utf-8")
    assert main(["check", "."]) == 0
    assert main(["check", "values.yaml"]) == 0
    assert "not a workflow" in capsys.readouterr().err


def test_rules_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    for rid in ("syntax", "schema", "unknown-target", "loop-without-exit", "cycle", "expression"):
        assert rid in out


def test_rules_doc_is_generated() -> None:
    from wfspec.analysis.render import rules_markdown
    from wfspec.analysis.rules import REGISTRY

    doc = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
    assert doc.read_text(encoding="utf-8") == rules_markdown(REGISTRY), "run `make docs`"


@pytest.mark.parametrize("fmt", ["mermaid", "dot", "json"])
def test_graph_command(bad: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "--format", fmt, "bad.sw.yaml"]) == 0
    out = capsys.readouterr().out
    assert "classify" in out and "routeTickets" in out
    if fmt == "json":
        model = json.loads(out)
        flagged = [n for n in model["nodes"] if n["findings"]]
        assert [n["name"] for n in flagged] == ["classify"]


def test_console_script_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "wfspec.cli", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0 and proc.stdout.startswith("wfspec ")
