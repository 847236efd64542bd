"""Local actions and local reusable workflows read from disk, relative to the workspace root."""

from __future__ import annotations

import textwrap
from pathlib import Path

from wfspec.analysis.engine import analyze
from wfspec.dialects.github import local

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
    runs-on: x
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
    runs-on: x
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
