"""Diagnostic to repair for GitHub Actions workflows against the scripted endpoint: the candidates
the analyzer computes for ``needs``, ``steps`` and job output findings, the GitHub prompt, and
the ``wfspec repair`` command on a workflow file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.llm.conftest import provider_for
from tests.llm.scripted import Recorded, Reply
from wfspec.analysis.engine import Analysis, analyze
from wfspec.cli import main
from wfspec.findings import Finding
from wfspec.fixes import apply_edits
from wfspec.llm import prompts
from wfspec.llm.repair import (
    Candidate,
    candidates_for,
    ranked_candidates,
    repair,
    repair_range,
    valid_targets,
)
from wfspec.llm.validate import check_repair

URI = "file:///ci.yml"

DOC = """\
name: CI
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      tag: ${{ steps.meta.outputs.tag }}
    steps:
      - uses: actions/checkout@v4
      - name: Compute the tag
        id: meta
        run: echo "tag=v1" >> "$GITHUB_OUTPUT"
      - run: echo "${{ steps.meta.outputs.tag }}"
  test:
    needs: build
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - run: echo "${{ needs.build.outputs.tag }}"
  deploy:
    needs: [build, test]
    runs-on: ubuntu-latest
    steps:
      - run: ./deploy.sh "${{ needs.build.outputs.tag }}"
"""


def _faulty(text: str, rule: str) -> tuple[Analysis, Finding]:
    a = analyze(text, URI)
    assert a.dialect == "github"
    return a, next(f for f in a.findings if f.rule == rule)


def _valid(a: Analysis, f: Finding) -> list[Candidate]:
    return [c for c in candidates_for(a, f) if check_repair(a, c.edits, f).ok]


def _choices(request: Recorded) -> list[int]:
    """The choice numbers a repair request's JSON schema allows."""
    return list(request.body["response_format"]["json_schema"]["schema"]["properties"]["choice"]["enum"])


def _choice_of(request_text: str, title: str) -> int:
    for line in request_text.splitlines():
        head, _, rest = line.partition(". ")
        if head.strip().isdigit() and rest.startswith(title):
            return int(head)
    raise AssertionError(f"{title} not offered")


def test_the_workflow_is_clean():
    a = analyze(DOC, URI)
    assert a.dialect == "github" and a.findings == []


async def test_needs_typo_github_prompt_and_no_flow_directives(scripted):
    a, f = _faulty(DOC.replace("needs: [build, test]", "needs: [build, tset]"), "unknown-target")
    assert valid_targets(a, f) == ["build", "test"]
    titles = [c.title for c in candidates_for(a, f)]
    assert titles[0] == 'Change to "test"'
    assert not any(t in titles for t in ('Change to "end"', 'Change to "exit"', 'Change to "continue"'))
    srv = scripted([Reply(json.dumps({"choice": 1}))])
    p = provider_for(srv)
    r = await repair(p, a, f)
    assert r.ok, r.reason
    assert r.document == DOC
    system, user = srv.requests[0].messages[0]["content"], srv.requests[0].messages[1]["content"]
    assert "GitHub Actions" in system and "Serverless" not in system
    assert "Other jobs of this workflow: build, test" in user
    assert 'job "deploy" needs "build" and is needed by no job' in user
    assert "(recommended by the analyzer)" in user
    # the rule's Serverless Workflow examples are left out of a GitHub prompt
    assert "Bad::" not in user and "do:" not in user
    await p.aclose()


async def test_renamed_job_is_renamed_back(scripted):
    # one letter more is a typo as much as a rename: both are valid, the reference's fix first
    a, f = _faulty(DOC.replace("  test:\n", "  tests:\n"), "unknown-target")
    titles = [c.title for c in _valid(a, f)]
    assert 'Rename job "tests" to "test"' in titles
    assert [c.title for c in ranked_candidates(a, f)[0]][0] == 'Change to "tests"'
    # a name with a word added was renamed: renaming it back ranks first and is shown first
    a, f = _faulty(DOC.replace("  test:\n", "  test-suite:\n"), "unknown-target")
    assert ranked_candidates(a, f)[0][0].title == 'Rename job "test-suite" to "test"'
    srv = scripted([Reply(json.dumps({"choice": 1}))], default=Reply(json.dumps({"choice": 0})))
    p = provider_for(srv)
    r = await repair(p, a, f, max_rounds=1)
    assert _choice_of(srv.requests[0].text, 'Rename job "test-suite" to "test"') == 1
    assert r.ok and r.document == DOC
    await p.aclose()


def test_a_job_others_need_is_not_renamed():
    # "build" is needed by "deploy" under its own name: a typo elsewhere is no rename of it
    a, f = _faulty(DOC.replace("    needs: build\n", "    needs: biuld\n"), "unknown-target")
    titles = [c.title for c in candidates_for(a, f)]
    assert titles[0] == 'Change to "build"'
    assert not any(t.startswith('Rename job "build"') for t in titles)


async def test_needs_cycle_drops_one_entry(scripted):
    cyclic = DOC.replace(
        "    runs-on: ubuntu-latest\n    outputs:",
        "    needs: deploy\n    runs-on: ubuntu-latest\n    outputs:",
    )
    a, f = _faulty(cyclic, "cycle")
    by_title = {c.title: c for c in candidates_for(a, f)}
    assert set(by_title) >= {
        'Remove "deploy" from the needs of job "build"',
        'Remove "build" from the needs of job "deploy"',
    }
    # a flow-style list keeps its other entries
    flow = apply_edits(cyclic, by_title['Remove "build" from the needs of job "deploy"'].edits)
    assert "    needs: [test]\n" in flow
    # removing the only entry removes the whole key
    assert [c.title for c in _valid(a, f)] == ['Remove "deploy" from the needs of job "build"']
    srv = scripted([Reply(json.dumps({"choice": 1}))])
    p = provider_for(srv)
    r = await repair(p, a, f)
    assert r.ok and r.document == DOC
    assert "[cycle]" in srv.requests[0].text
    assert "Bad::" in srv.requests[0].text  # the cycle rule's own examples are GitHub Actions
    await p.aclose()


async def test_deleted_step_id_is_added_to_the_step_that_writes_the_output(scripted):
    a, f = _faulty(DOC.replace("        id: meta\n", ""), "undefined-reference")
    valid = _valid(a, f)
    assert valid[0].title == 'Add "id: meta" to step 2 (name: Compute the tag) of job "build"'
    srv = scripted([Reply(json.dumps({"choice": 1}))])
    p = provider_for(srv)
    r = await repair(p, a, f)
    assert r.ok, r.reason
    assert "      - id: meta\n        name: Compute the tag\n" in r.document
    assert analyze(r.document, URI).findings == []
    assert 'Step ids of job "build": none' in srv.requests[0].text
    await p.aclose()


async def test_step_id_typo_is_renamed(scripted):
    a, f = _faulty(DOC.replace('echo "${{ steps.meta', 'echo "${{ steps.mta'), "undefined-reference")
    first = candidates_for(a, f)[0]
    assert first.title == 'Change to "meta"' and first.preferred
    srv = scripted([Reply(json.dumps({"choice": 1}))])
    p = provider_for(srv)
    r = await repair(p, a, f)
    assert r.ok and r.document == DOC
    assert 'Step ids of job "build": meta' in srv.requests[0].text
    await p.aclose()


def test_job_output_typo_prefers_the_declared_name():
    a, f = _faulty(
        DOC.replace('./deploy.sh "${{ needs.build.outputs.tag', './deploy.sh "${{ needs.build.outputs.tga'),
        "undefined-reference",
    )
    titles = [c.title for c in _valid(a, f)]
    assert titles[0] == 'Change to "tag"'
    # declaring the misspelt output is valid too, but comes after the rename
    assert 'Declare output "tga" of job "build" from step "meta"' in titles[1:]


def test_deleted_job_output_is_declared_from_a_step():
    a, f = _faulty(
        DOC.replace("    outputs:\n      tag: ${{ steps.meta.outputs.tag }}\n", ""), "undefined-reference"
    )
    titles = [c.title for c in _valid(a, f)]
    assert 'Declare output "tag" of job "build" from step "meta"' in titles


async def test_duplicate_step_id_can_be_removed(scripted):
    dup = DOC.replace('      - run: echo "${{ steps', '      - id: meta\n        run: echo "${{ steps')
    a, f = _faulty(dup, "duplicate-id")
    titles = [c.title for c in _valid(a, f)]
    removal = 'Remove "id: meta" from step 3 (run: echo "${{ steps.meta.outputs.tag }}") of job "build"'
    # no later step reads steps.meta: the copied id goes (the analyzer's preferred fix)
    assert titles[0] == removal
    assert 'Rename to "meta2"' in titles
    srv = scripted([Reply(json.dumps({"choice": 1}))])
    p = provider_for(srv)
    r = await repair(p, a, f)
    assert r.ok and r.document == DOC
    await p.aclose()


@pytest.mark.parametrize(
    ("old", "new", "rule", "title"),
    [
        ("timeout-minutes", "timeout-minuts", "schema", 'Change "timeout-minuts" to "timeout-minutes"'),
        ("tag: ${{ steps.meta", "tag: ${{ stesp.meta", "expression", 'Change "stesp" to "steps"'),
        ("fetch-depth", "fetch-dept", "schema", 'Change "fetch-dept" to "fetch-depth"'),
    ],
)
def test_did_you_mean_replaces_the_name_in_the_finding(old, new, rule, title):
    base = DOC.replace(
        "      - uses: actions/checkout@v4\n",
        "      - uses: actions/checkout@v4\n        with: {fetch-depth: 0}\n",
    )
    text = base.replace(old, new, 1)
    a, f = _faulty(text, rule)
    assert "did you mean" in f.message
    c = candidates_for(a, f)[0]
    assert c.title == title and c.preferred
    assert check_repair(a, c.edits, f).ok
    assert apply_edits(text, c.edits) == base


def test_did_you_mean_skips_names_outside_the_range():
    # the message names the job first; the edit must change the matrix key, not the job
    text = DOC.replace(
        "    timeout-minutes: 10\n",
        "    timeout-minutes: 10\n    strategy:\n      matrix:\n        node: [20, 22]\n",
    ).replace('echo "${{ needs.build.outputs.tag }}"', 'echo "${{ matrix.nod }}"')
    a, f = _faulty(text, "undefined-reference")
    assert f.message.startswith('the matrix of job "test" has no key "nod"')
    c = candidates_for(a, f)[0]
    assert c.title == 'Change to "node"'
    assert 'echo "${{ matrix.node }}"' in apply_edits(text, c.edits)


def test_range_of_a_step_starts_at_its_first_line():
    a, f = _faulty(
        DOC.replace('echo "tag=v1"', 'echo "${{ steps.meta.outputs.tag }}"'), "undefined-reference"
    )
    start, end = repair_range(a, f)
    assert a.text[start:end] == (
        "      - name: Compute the tag\n"
        "        id: meta\n"
        '        run: echo "${{ steps.meta.outputs.tag }}" >> "$GITHUB_OUTPUT"\n'
    )


def test_repair_prompt_per_dialect():
    kw = {
        "rule": "cycle",
        "rule_doc": "",
        "message": "m",
        "line": 1,
        "snippet": "x",
        "neighbours": "",
        "candidates": [("t", "p")],
        "names": "",
    }
    gh = prompts.repair_messages(**kw, dialect="github")[0]["content"]
    sw = prompts.repair_messages(**kw)[0]["content"]
    assert "GitHub Actions" in gh and "Serverless Workflow" in sw
    assert gh != sw


def test_cli_repairs_a_workflow_file(scripted, capsys, monkeypatch, tmp_path: Path):
    for var in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("WFSPEC_TEST_KEY", "sk-cli-test-key-000000000000")
    wf = tmp_path / ".github" / "workflows" / "ci.yml"
    wf.parent.mkdir(parents=True)
    wf.write_text(
        DOC.replace("needs: [build, test]", "needs: [build, tset]").replace("steps.mta", "steps.meta")
    )
    srv = scripted(default=Reply(json.dumps({"choice": 1})))
    endpoint = ["--base-url", srv.base_url, "--model", "scripted", "--api-key-env", "WFSPEC_TEST_KEY"]
    rc = main(["repair", str(wf), "--apply", *endpoint])
    _, err = capsys.readouterr()
    assert rc == 0, err
    assert wf.read_text() == DOC
    assert "GitHub Actions" in srv.requests[0].messages[0]["content"]


async def test_after_a_failed_own_rewrite_only_candidates_remain(scripted):
    a, f = _faulty(DOC.replace("needs: [build, test]", "needs: [build, tset]"), "unknown-target")
    srv = scripted(
        [
            Reply(json.dumps({"choice": 0})),  # none fits: write it yourself
            Reply(json.dumps({"replacement": ""})),  # ... and nothing usable comes back
            Reply(json.dumps({"choice": 1})),
        ]
    )
    p = provider_for(srv)
    r = await repair(p, a, f)
    assert r.ok and r.rounds == 2 and r.document == DOC
    assert _choices(srv.requests[0])[0] == 0
    assert _choices(srv.requests[2]) == list(range(1, len(_choices(srv.requests[2])) + 1))
    assert "Pick one of the numbered candidates" in srv.requests[2].messages[-1]["content"]
    await p.aclose()
