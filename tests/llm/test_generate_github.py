"""Comment to jobs in an existing GitHub Actions workflow, against the scripted endpoint: where
new jobs may go, the plan and its skeleton, rounds with fed-back findings, job id collisions."""

from __future__ import annotations

import json
import re

from tests.llm.conftest import provider_for
from tests.llm.scripted import Reply
from wfspec.analysis.engine import analyze
from wfspec.findings import Severity
from wfspec.llm.generate import (
    Insertion,
    Plan,
    PlannedJob,
    PlannedStep,
    generate,
    in_jobs_map,
    insertion_at_end_of_jobs,
    insertion_for_comment,
    insertion_in_jobs,
    jobs_map,
    parse_plan,
    plan_of,
    render_github_workflow,
    render_jobs,
    salvage_json,
    shape_candidate,
    suggested_job_id,
)
from wfspec.llm.retrieval import SpecIndex

CI = """\
name: CI
on:
  push:
    branches: [main]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make lint

  test:
    needs: lint
    runs-on: ubuntu-latest
    outputs:
      report: ${{ steps.run.outputs.report }}
    steps:
      - uses: actions/checkout@v4
      - id: run
        run: echo "report=coverage.xml" >> "$GITHUB_OUTPUT"
        env:
          TOKEN: ${{ secrets.CODECOV_TOKEN }}
  # publish the coverage report after the tests pass
env:
  LEVEL: debug
"""
COMMENT = "  # publish the coverage report after the tests pass"

GOOD_JOB = """\
publish-report:
  needs: test
  runs-on: ubuntu-latest
  steps:
    - uses: actions/checkout@v4
    - name: Publish the coverage report
      run: ./upload.sh "${{ needs.test.outputs.report }}"
"""
TYPO_JOB = GOOD_JOB.replace("needs: test", "needs: tset")
CLASH_JOB = GOOD_JOB.replace("publish-report:", "test:").replace("needs: test\n", "")
PLAN = json.dumps(
    {
        "jobs": [
            {
                "id": "publish-report",
                "needs": ["test"],
                "steps": [
                    {"name": "Checkout", "uses": "actions/checkout@v4", "run": ""},
                    {"name": "Publish the coverage report", "uses": "", "run": "./upload.sh coverage.xml"},
                ],
            }
        ]
    }
)
EMPTY_INDEX = SpecIndex([])


def _serious(text: str) -> list[str]:
    a = analyze(text, "file:///w/.github/workflows/ci.yml")
    assert a.dialect == "github"
    return [f"{f.rule}: {f.message}" for f in a.findings if f.severity <= Severity.WARNING]


def _insertion(text: str = CI, comment: str = COMMENT) -> Insertion:
    ins = insertion_for_comment(text, text.splitlines().index(comment))
    assert ins is not None and not ins.whole_document
    return ins


async def test_valid_first_answer_lands_in_jobs(scripted):
    srv = scripted([Reply(PLAN), Reply(f"```yaml\n{GOOD_JOB}```")])
    p = provider_for(srv)
    ins = _insertion()
    r = await generate(p, ins.request, text=CI, insertion=ins, dialect="github", index=EMPTY_INDEX)
    assert r.ok, r.reason
    assert r.source == "model" and r.rounds == 1 and r.requests == 2
    assert r.edit is not None and (r.edit.start, r.edit.end) == (ins.start, ins.start)
    assert r.text.startswith("  publish-report:\n    needs: test\n")  # at the job ids' indentation
    assert r.document == CI[: ins.start] + r.text + CI[ins.start :]
    assert _serious(r.document) == []
    wf = analyze(r.document, "file:///w/.github/workflows/ci.yml").workflow
    assert wf is not None and "/jobs/publish-report" in wf.nodes
    assert r.coverage and all(c.ok for c in r.coverage) and "covers 1 of 1" in r.detail()
    # the plan was schema-constrained (a plan of jobs); both prompts named the existing jobs
    # and their outputs
    plan_req, fill_req = srv.requests
    schema = plan_req.body["response_format"]["json_schema"]
    assert schema["name"] == "plan" and "jobs" in schema["schema"]["properties"]
    assert '"publish coverage report"' in plan_req.text  # what the request states
    for req in (plan_req, fill_req):
        assert "lint; test (outputs: report)" in req.text
        assert "CODECOV_TOKEN" in req.text
    assert "the new jobs go here" in fill_req.text and "without the `jobs:` key" in fill_req.text
    await p.aclose()


async def test_invalid_answer_fixed_in_round_two_from_findings(scripted):
    srv = scripted([Reply(PLAN), Reply(TYPO_JOB), Reply(json.dumps({"yaml": GOOD_JOB}))])
    p = provider_for(srv)
    ins = _insertion()
    r = await generate(p, ins.request, text=CI, insertion=ins, dialect="github", index=EMPTY_INDEX)
    assert r.ok, r.reason
    assert r.rounds == 2 and r.requests == 3 and r.source == "model"
    assert len(r.history) == 1 and "adds" in r.history[0]
    feedback = srv.requests[2].messages[-1]["content"]
    assert "unknown-target" in feedback and "tset" in feedback
    assert srv.requests[2].messages[-2] == {"role": "assistant", "content": TYPO_JOB}
    assert "needs: test\n" in r.text and _serious(r.document) == []
    await p.aclose()


async def test_never_valid_offers_only_the_plan_of_the_request(scripted):
    srv = scripted([Reply("no plan today")], default=Reply(TYPO_JOB))
    p = provider_for(srv, max_rounds=3)
    ins = _insertion()
    r = await generate(p, ins.request, text=CI, insertion=ins, dialect="github", index=EMPTY_INDEX)
    assert r.rounds == 3 and len(srv.requests) == 4
    assert len(r.history) == 3 and all("adds" in h for h in r.history)
    # the model's job never is offered; the jobs planned from the request are, clean
    assert r.ok and r.source == "intent", r.reason
    assert "tset" not in r.text and "upload.sh" not in r.text
    assert r.edit is not None and (r.edit.start, r.edit.end) == (ins.start, ins.start)
    assert r.document == CI[: ins.start] + r.text + CI[ins.start :]
    assert _serious(r.document) == []
    assert r.coverage and all(c.ok for c in r.coverage)
    await p.aclose()


async def test_a_provider_error_offers_nothing_and_says_why(scripted):
    srv = scripted([Reply(PLAN)], default=Reply(status=500, error="the model crashed"))
    p = provider_for(srv, max_rounds=3, retries=0)
    ins = _insertion()
    r = await generate(p, ins.request, text=CI, insertion=ins, dialect="github", index=EMPTY_INDEX)
    assert not r.ok and r.error_kind
    assert r.edit is None and r.text == "" and r.document == ""
    assert "500" in r.reason and r.detail().startswith("no valid suggestion")
    await p.aclose()


async def test_a_job_id_that_exists_is_rejected_and_fed_back(scripted):
    srv = scripted([Reply(PLAN), Reply(CLASH_JOB), Reply(GOOD_JOB)])
    p = provider_for(srv)
    ins = _insertion()
    r = await generate(p, ins.request, text=CI, insertion=ins, dialect="github", index=EMPTY_INDEX)
    assert r.ok and r.rounds == 2, r.reason
    assert r.history == [
        'the job id(s) "test" already exist in this workflow (jobs: lint, test); give the new jobs new ids'
    ]
    assert '"test" already exist' in srv.requests[2].messages[-1]["content"]
    assert r.text.count("\n  test:") == 0 and "publish-report:" in r.text
    await p.aclose()


async def test_the_plan_skeleton_renames_a_clashing_job(scripted):
    plan = json.loads(PLAN)
    plan["jobs"][0]["id"] = "Lint"  # case-insensitively the same job id as "lint"
    plan["jobs"].append({"id": "notify", "needs": ["lint", "missing"], "steps": []})
    srv = scripted([Reply(json.dumps(plan))])
    p = provider_for(srv)
    ins = _insertion()
    r = await generate(
        p, ins.request, text=CI, insertion=ins, dialect="github", index=EMPTY_INDEX, prefer_outline=True
    )
    assert r.ok and r.source == "outline" and r.requests == 1, r.reason
    assert r.text.startswith("  lint-2:\n")
    assert "  notify:\n    needs: lint\n" in r.text  # the existing job; the unknown need dropped
    assert _serious(r.document) == []
    await p.aclose()


async def test_comment_between_jobs(scripted):
    text = CI.replace("\n  test:\n", "\n  # run the security scan on the sources\n  test:\n")
    srv = scripted(
        [
            Reply(PLAN),
            Reply("scan:\n  runs-on: ubuntu-latest\n  steps:\n    - run: make scan\n"),
        ]
    )
    p = provider_for(srv)
    ins = _insertion(text, "  # run the security scan on the sources")
    r = await generate(p, ins.request, text=text, insertion=ins, dialect="github", index=EMPTY_INDEX)
    assert r.ok, r.reason
    assert "  # run the security scan on the sources\n  scan:\n" in r.document
    assert r.document.index("  scan:") < r.document.index("  test:")
    assert _serious(r.document) == []
    await p.aclose()


async def test_steps_and_other_places_are_refused_without_a_model_call(scripted):
    srv = scripted(default=Reply(GOOD_JOB))
    p = provider_for(srv)
    text = CI.replace("      - run: make lint\n", "      - run: make lint\n      # also check the spelling\n")
    ins = _insertion(text, "      # also check the spelling")
    r = await generate(p, ins.request, text=text, insertion=ins, dialect="github", index=EMPTY_INDEX)
    assert not r.ok and "jobs: map" in r.reason and srv.requests == []
    await p.aclose()


async def test_whole_workflow_from_the_plan(scripted):
    plan = {"on": ["push", "pull_request"], **json.loads(PLAN)}
    plan["jobs"][0]["needs"] = []
    srv = scripted([Reply(json.dumps(plan))])
    p = provider_for(srv)
    r = await generate(
        p, "upload the coverage report", dialect="github", index=EMPTY_INDEX, prefer_outline=True
    )
    assert r.ok and r.source == "outline", r.reason
    assert r.document.startswith("name: upload-coverage-report\n")
    wf = analyze(r.document, "file:///w/.github/workflows/ci.yml").workflow
    assert wf is not None and "/jobs/publish-report" in wf.nodes
    assert '"on":\n  push: {}\n  pull_request: {}\n' in r.document  # the plan's events
    assert _serious(r.document) == []
    schema = srv.requests[0].body["response_format"]["json_schema"]["schema"]
    assert "jobs" in schema["required"] and "triggers" in schema["properties"]
    assert r.coverage and all(c.ok for c in r.coverage)
    await p.aclose()


def test_where_new_jobs_may_go():
    lines = CI.splitlines()
    ok = {i for i in range(len(lines) + 1) if in_jobs_map(CI, i, 2)}
    # before the first job, on the blank line between the jobs, before the comment after the last
    # job and right after it; never inside a job, before jobs:, or after env: started
    assert ok == {5, 10, 11, 22, 23}, ok
    assert not in_jobs_map(CI, 11, 4)
    jm = jobs_map(CI)
    assert jm is not None and jm.ids == ("lint", "test") and jm.column == 2
    end = insertion_at_end_of_jobs(CI)
    assert end is not None and end.indent == 2 and CI[end.start :].startswith("env:")
    empty = "on: push\njobs:\n  # build the docs and upload them\n"
    assert in_jobs_map(empty, 3, 2) and not in_jobs_map(empty, 3, 0)
    ins = insertion_at_end_of_jobs("on: push\njobs:\n")
    assert ins is not None and ins.indent == 2 and ins.start == len("on: push\njobs:\n")
    assert jobs_map("do:\n  - a:\n      set: {}\n") is None
    # a request on the last line, without a line break after it
    last = (
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: y\n  # deploy the site after job a"
    )
    ins = insertion_for_comment(last, 6)
    assert ins is not None and ins.start == len(last) and insertion_in_jobs(last, ins)
    in_steps = last.replace("\n  # deploy", "\n      # deploy")
    ins = insertion_for_comment(in_steps, 6)
    assert ins is not None and not insertion_in_jobs(in_steps, ins)


def test_shapes_of_job_answers():
    ins = Insertion(0, 0, 2)
    whole = "name: x\non: push\njobs:\n" + "\n".join("  " + ln for ln in GOOD_JOB.splitlines()) + "\n"
    listed = "- publish-report:\n" + "\n".join("  " + ln for ln in GOOD_JOB.splitlines()[1:]) + "\n"
    expected = "\n".join("  " + ln for ln in GOOD_JOB.splitlines()) + "\n"
    assert shape_candidate(GOOD_JOB, ins, dialect="github") == expected
    assert shape_candidate(whole, ins, dialect="github") == expected
    assert shape_candidate(listed, ins, dialect="github") == expected
    got = shape_candidate(
        "runs-on: ubuntu-latest\nsteps:\n  - run: make\n", ins, "Upload the report", "github"
    )
    assert got == "  upload-report:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n"
    assert shape_candidate("name: just\nenv: {}\n", ins, dialect="github") is None
    job = "publish-report:\n  runs-on: ubuntu-latest\n  steps:\n    - run: make\n"
    doc = shape_candidate(job, Insertion(0, 0, 0, True), "x y", "github")
    assert doc is not None and doc.startswith(
        "name: x-y\non:\n  workflow_dispatch: {}\njobs:\n  publish-report:"
    )
    assert _serious(doc) == []


def test_plan_parsing_and_rendering():
    plan = parse_plan(
        {
            "on": ["push", "merge_group"],
            "jobs": [
                {
                    "id": "Build App",
                    "needs": [],
                    "steps": [{"name": "x", "uses": "evil/action@v1", "run": ""}],
                },
                {"id": "build-app", "needs": [], "steps": []},
                {"id": "deploy", "needs": ["build-app", "deploy"], "steps": "nope"},
            ],
        },
        ["actions/checkout@v4"],
    )
    assert plan.on == ("push",)
    assert [j.id for j in plan.jobs] == ["build-app", "deploy"]
    assert plan.jobs[0].steps == (PlannedStep("x"),)  # the action outside the list is dropped
    steps = [
        {"name": "a", "uses": "actions/checkout@v4", "run": "make"},
        {"name": "b", "uses": "actions/checkout@v4", "run": ""},
        {"name": "c", "uses": "", "run": "make"},
    ]
    both = parse_plan({"jobs": [{"id": "t", "needs": [], "steps": steps}]})
    # an action and a command make two steps; the same action or command again is dropped
    assert both.jobs[0].steps == (PlannedStep("a", "actions/checkout@v4"), PlannedStep("a", "", "make"))
    body = render_jobs(plan, ["Deploy"])
    # "deploy" exists: the planned job gets a new id, and its need of "deploy" is that job
    assert "deploy-2:\n  needs:\n    - build-app\n    - Deploy\n" in body
    assert '- name: x\n      run: "echo x"\n' in body
    doc = render_github_workflow(plan, "build and deploy the app")
    assert _serious(doc) == [] and "\n  deploy:\n    needs: build-app\n" in doc
    assert (
        render_jobs(Plan((PlannedJob("a"),)))
        == 'a:\n  runs-on: ubuntu-latest\n  steps:\n    - run: "echo a"\n'
    )


def test_plan_of_a_workflow_is_a_worked_example():
    shown = plan_of(CI)
    assert shown["on"] == ["push"]
    assert [j["id"] for j in shown["jobs"]] == ["lint", "test"]
    assert shown["jobs"][1]["needs"] == ["lint"]
    assert shown["jobs"][0]["steps"][1] == {"name": "", "uses": "", "run": "make lint"}


async def test_a_plan_cut_off_at_max_tokens_still_gives_a_skeleton(scripted):
    plan = json.loads(PLAN)
    plan["jobs"][0]["steps"].append({"name": "Notify", "uses": "", "run": "./notify.sh"})
    text = json.dumps(plan)
    cut = text[: text.index('{"name": "Notify"') + 20]  # ends inside the third step
    srv = scripted([Reply(cut)])
    p = provider_for(srv)
    ins = _insertion()
    r = await generate(
        p, ins.request, text=CI, insertion=ins, dialect="github", index=EMPTY_INDEX, prefer_outline=True
    )
    assert r.ok and r.source == "outline", r.reason
    assert r.text.startswith("  publish-report:\n    needs: test\n    runs-on: ubuntu-latest\n    steps:\n")
    assert "Checkout" in r.text and "./upload.sh coverage.xml" in r.text  # the complete steps
    assert "Notify" not in r.text and "notify.sh" not in r.text  # the one cut off
    await p.aclose()


def test_salvage_json():
    assert salvage_json('x {"a": [{"b": "}"}, {"c": 1}], "d": {"e"') == {"a": [{"b": "}"}, {"c": 1}]}
    assert salvage_json('{"a": 1} and more') == {"a": 1}
    assert salvage_json('{"a": [1, 2') is None and salvage_json("none") is None


async def test_the_worked_example_is_another_workflow_not_the_document(scripted, tmp_path):
    (tmp_path / "ci.yml").write_text(CI)
    (tmp_path / "docs.yml").write_text(
        "# Publish the coverage report of the docs site\nname: docs\non: push\njobs:\n"
        "  site:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make site\n"
    )
    index = SpecIndex.build([tmp_path], dialect="github")
    assert len(index.specs) == 2
    srv = scripted([Reply(PLAN), Reply(GOOD_JOB)])
    p = provider_for(srv)
    ins = _insertion()
    uri = (tmp_path / "ci.yml").resolve().as_uri()
    r = await generate(p, ins.request, text=CI, uri=uri, insertion=ins, dialect="github", index=index)
    assert r.ok and r.source == "model", r.reason
    examples = re.findall(r"<example>\n(.*?)\n</example>", srv.requests[1].text, re.S)
    assert len(examples) == 1 and "make site" in examples[0] and "make lint" not in examples[0]
    # an example shows a shape: its job name is no name of the request
    assert "site" not in r.text
    await p.aclose()


def test_plan_of_leaves_out_what_a_plan_cannot_hold():
    local = (
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: ./.github/actions/setup\n"
        "      - run: echo ${{ github.sha }}\n      - run: make\n"
    )
    assert plan_of(local)["jobs"] == [
        {"id": "a", "needs": [], "steps": [{"name": "", "uses": "", "run": "make"}]}
    ]
    assert plan_of("on: push\njobs: {}\n") == {} and plan_of("- a\n") == {}


def test_suggested_job_id():
    assert suggested_job_id("after the build job, run the unit tests", ["build"]) == "run-unit-tests"
    assert suggested_job_id("Lint the code", ["lint"]) == "code"
    assert suggested_job_id("run tests", ["Run-Tests"]) == "run-tests-2"
    assert suggested_job_id("the job") == "new-job"
