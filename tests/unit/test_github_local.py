"""Local actions and local reusable workflows read from disk, relative to the workspace root."""

from __future__ import annotations

import textwrap
from pathlib import Path

from wfspec.analysis.engine import analyze
from wfspec.dialects.github import local
from wfspec.syntax.parse import parse

ACTION = """\
name: setup
inputs:
  version: {required: true}
  cache: {required: false, default: "true"}
outputs:
  path: {value: "${{ steps.x.outputs.path }}"}
runs:
  using: composite
  steps:
    - id: x
      shell: bash
      run: echo path=/opt >> "$GITHUB_OUTPUT"
"""

CALLED = """\
on:
  workflow_call:
    inputs:
      env: {type: string, required: true}
      dry-run: {type: boolean, required: true, default: false}
    secrets:
      token: {required: true}
    outputs:
      url: {value: "${{ jobs.d.outputs.url }}"}
jobs:
  d:
    runs-on: ubuntu-latest
    outputs: {url: "${{ steps.s.outputs.url }}"}
    steps: [{id: s, run: echo}]
"""

CALLER = """\
on: push
jobs:
  deploy:
    uses: ./.github/workflows/deploy.yml
    with: {env: prod, dryrun: true}
    secrets: {token: "${{ secrets.T }}", extra: x}
  after:
    needs: deploy
    runs-on: ubuntu-latest
    steps:
      - id: setup
        uses: ./.github/actions/setup
        with: {version: 1, cache: "false", verbose: true}
      - uses: ./.github/actions/setup
      - run: echo ${{ needs.deploy.outputs.url }} ${{ needs.deploy.outputs.uri }}
      - run: echo ${{ steps.setup.outputs.path }} ${{ steps.setup.outputs.dir }}
      - uses: ./.github/actions/does-not-exist
        with: {anything: 1}
  missing:
    uses: ./.github/workflows/does-not-exist.yml
    with: {anything: 1}
"""


def repo(tmp_path: Path) -> Path:
    (tmp_path / ".github" / "actions" / "setup").mkdir(parents=True)
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "actions" / "setup" / "action.yml").write_text(ACTION)
    (tmp_path / ".github" / "workflows" / "deploy.yml").write_text(CALLED)
    wf = tmp_path / ".github" / "workflows" / "ci.yml"
    wf.write_text(CALLER)
    return wf


def test_workspace_root(tmp_path: Path) -> None:
    wf = repo(tmp_path)
    assert local.workspace_root(wf.as_uri()) == tmp_path
    assert local.workspace_root(str(wf)) == tmp_path
    other = tmp_path / "specs" / "x.yml"
    assert local.workspace_root(str(other)) == tmp_path  # nearest ancestor holding .github
    assert local.workspace_root("untitled:Untitled-1") is None
    assert local.workspace_root("") is None


def test_load_action_and_workflow(tmp_path: Path) -> None:
    repo(tmp_path)
    action = local.load_action(tmp_path, "./.github/actions/setup")
    assert action is not None and action.using == "composite"
    assert set(action.inputs) == {"version", "cache"} and action.inputs["version"].required
    assert action.outputs == frozenset({"path"})
    called = local.load_workflow(tmp_path, "./.github/workflows/deploy.yml")
    assert called is not None and called.callable
    assert set(called.inputs) == {"env", "dry-run"} and set(called.secrets) == {"token"}
    assert called.outputs == frozenset({"url"})
    assert local.load_action(tmp_path, "./nope") is None
    assert local.load_workflow(tmp_path, "./.github/workflows/nope.yml") is None
    assert local.load_action(None, "./x") is None


def test_cache_notices_changes(tmp_path: Path) -> None:
    repo(tmp_path)
    path = tmp_path / ".github" / "actions" / "setup" / "action.yml"
    assert local.load_action(tmp_path, "./.github/actions/setup") is not None
    path.write_text(ACTION.replace("  path:", "  where:") + "\n# changed\n")
    action = local.load_action(tmp_path, "./.github/actions/setup")
    assert action is not None and action.outputs == frozenset({"where"})


def test_findings_against_local_files(tmp_path: Path) -> None:
    wf = repo(tmp_path)
    for uri in (wf.as_uri(), str(wf)):
        found = analyze(wf.read_bytes(), uri).findings
        got = [(f.span.start.line + 1, f.rule, f.severity.label, f.message) for f in found]
        lines = [(ln, rule, sev) for ln, rule, sev, _ in got]
        assert lines == [
            (5, "schema", "error"),  # no input "dryrun"
            (6, "schema", "error"),  # no secret "extra"
            (13, "schema", "warning"),  # local action has no input "verbose"
            (14, "schema", "warning"),  # missing required input "version" of the local action
            (15, "undefined-reference", "error"),  # called workflow has no output "uri"
            (16, "undefined-reference", "error"),  # composite action has no output "dir"
        ], got
        assert 'did you mean "dry-run"' in got[0][3]


def test_nothing_on_disk_means_nothing_checked(tmp_path: Path) -> None:
    wf = tmp_path / "ci.yml"
    wf.write_text(textwrap.dedent(CALLER))
    found = analyze(wf.read_bytes(), wf.as_uri()).findings
    assert [f for f in found if f.severity.label == "error"] == []


def test_an_overlay_wins_over_the_disk(tmp_path: Path) -> None:
    wf = repo(tmp_path)
    called = tmp_path / ".github" / "workflows" / "deploy.yml"
    edited = CALLED.replace(
        "      env: {type: string, required: true}", "      stage: {type: string, required: true}"
    )
    local.set_overlay(lambda key: edited if key == local.path_key(called) else None)
    try:
        target = local.load_workflow(tmp_path, "./.github/workflows/deploy.yml")
        assert target is not None and set(target.inputs) == {"stage", "dry-run"}
        messages = [f.message for f in analyze(CALLER, wf.as_uri()).findings]
        assert 'missing required input "stage" of "./.github/workflows/deploy.yml"' in messages
        assert local.stamp(called) == ("text", len(edited), hash(edited))
    finally:
        local.set_overlay(None)
    target = local.load_workflow(tmp_path, "./.github/workflows/deploy.yml")
    assert target is not None and set(target.inputs) == {"env", "dry-run"}


def test_local_uses_and_dependencies(tmp_path: Path) -> None:
    wf = repo(tmp_path)
    root = parse(CALLER).root
    assert local.local_uses(root) == [
        ("workflow", "./.github/workflows/deploy.yml"),
        ("action", "./.github/actions/setup"),
        ("action", "./.github/actions/does-not-exist"),
        ("workflow", "./.github/workflows/does-not-exist.yml"),
    ]
    github = tmp_path / ".github"
    assert local.dependencies(root, wf.as_uri()) == [
        github / "workflows" / "deploy.yml",
        github / "actions" / "setup" / "action.yml",
        github / "actions" / "setup" / "action.yaml",
        github / "actions" / "does-not-exist" / "action.yml",
        github / "actions" / "does-not-exist" / "action.yaml",
        github / "workflows" / "does-not-exist.yml",
    ]
    assert local.dependencies(root, "untitled:Untitled-1") == []
    assert local.local_uses(parse("jobs: {a: {uses: '${{ x }}'}, b: {uses: ./x.yml}}").root) == [
        ("workflow", "./x.yml")
    ]


def test_the_interface_of_a_reusable_workflow_is_recorded_on_both_sides(tmp_path: Path) -> None:
    wf = repo(tmp_path)
    called = tmp_path / ".github" / "workflows" / "deploy.yml"
    body = CALLED.replace(
        "steps: [{id: s, run: echo}]",
        "steps: [{id: s, run: 'echo ${{ secrets.TOKEN }} ${{ secrets.other }}'}]",
    )
    reusable = analyze(body, called.as_uri()).workflow
    assert reusable is not None
    declared = {(d.kind, d.name) for d in reusable.definitions if d.data.get("event") == "workflow_call"}
    assert declared == {
        ("input", "env"),
        ("input", "dry-run"),
        ("workflow-secret", "token"),
        ("workflow-output", "url"),
    }
    # a secret declared under workflow_call is read case-insensitively; others are not recorded
    assert [(r.kind, r.name) for r in reusable.references if r.kind == "workflow-secret"] == [
        ("workflow-secret", "token")
    ]
    caller = analyze(CALLER, wf.as_uri()).workflow
    assert caller is not None
    target = local.path_key(called)
    assert sorted(
        (r.kind, r.name, r.data["job"]) for r in caller.references if r.data.get("target") == target
    ) == [
        ("call-input", "dryrun", "deploy"),
        ("call-input", "env", "deploy"),
        ("call-output", "url", "deploy"),
        ("call-secret", "extra", "deploy"),
        ("call-secret", "token", "deploy"),
    ]
