"""The root ``action.yml``: wfspec lints it (and workflows that use it) without false errors, and
its steps' shell commands, run here as a runner would run them, install wfspec from the
repository, write a SARIF report of the findings and fail only as documented."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from wfspec.analysis.engine import analyze
from wfspec.cli import main

REPO = Path(__file__).resolve().parents[2]
ACTION = REPO / "action.yml"


def _action() -> dict[str, Any]:
    return YAML(typ="safe").load(ACTION.read_text(encoding="utf-8"))


def _steps() -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in _action()["runs"]["steps"]}


def test_wfspec_has_nothing_against_its_own_action(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(ACTION), str(REPO / ".pre-commit-hooks.yaml")]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "not a workflow wfspec knows; skipped" in err  # action metadata, not a workflow
    assert analyze(ACTION.read_text(encoding="utf-8"), ACTION.as_uri()).findings == []


def _workflow_using_the_action(tmp_path: Path, with_: str) -> list[tuple[str, str]]:
    (tmp_path / "action.yml").write_text(ACTION.read_text(encoding="utf-8"), encoding="utf-8")
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir(parents=True)
    text = (
        "on: push\n"
        "permissions:\n  contents: read\n  security-events: write\n"
        "jobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - id: wfspec\n        uses: ./\n        with:\n"
        + with_
        + "      - run: echo ${{ steps.wfspec.outputs.exit-code }}\n"
    )
    path = wf / "lint.yml"
    path.write_text(text, encoding="utf-8")
    return [(f.rule, f.message) for f in analyze(text, path.as_uri()).findings]


def test_a_workflow_using_the_action_is_checked_against_its_inputs(tmp_path: Path) -> None:
    assert (
        _workflow_using_the_action(
            tmp_path, "          paths: .github/workflows\n          upload: 'false'\n"
        )
        == []
    )
    bad = tmp_path / "bad"
    bad.mkdir()
    assert _workflow_using_the_action(bad, "          path: .github/workflows\n") == [
        ("schema", 'the local action "./" has no input "path"; did you mean "paths"?')
    ]


def test_the_action_installs_checks_and_uploads() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    steps = _steps()
    assert "pip install" in steps["Install wfspec"]["run"]
    assert steps["Install wfspec"]["env"]["WFSPEC_SOURCE"] == "${{ github.action_path }}"
    assert "wfspec check --format sarif" in steps["Check the workflows"]["run"]
    upload = steps["Upload to code scanning"]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "${{ steps.check.outputs.sarif-file }}"
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.check.outputs.exit-code }}"
    # inputs reach the shell through the environment only, never spliced into a script
    for step in steps.values():
        assert "${{" not in step.get("run", ""), step["name"]


def _expand(value: str, ctx: dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: ctx[m.group(1)], value)


def _run_step(name: str, ctx: dict[str, str], env: dict[str, str], cwd: Path) -> tuple[int, dict[str, str]]:
    """Run one step's ``run`` with bash as the runner does (``bash -e {0}``), its ``env``
    expanded, and return its exit status and what it wrote to ``$GITHUB_OUTPUT`` (its stderr
    goes to the test's log)."""
    step = _steps()[name]
    assert step["shell"] == "bash"
    out_file = cwd / f"output-{len(list(cwd.glob('output-*')))}"
    out_file.write_text("", encoding="utf-8")
    script = cwd / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    step_env = {k: _expand(str(v), ctx) for k, v in (step.get("env") or {}).items()}
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=cwd,
        env={**env, **step_env, "GITHUB_OUTPUT": str(out_file)},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    outputs = dict(
        line.split("=", 1) for line in out_file.read_text(encoding="utf-8").splitlines() if "=" in line
    )
    return proc.returncode, outputs


def _offline_build_backend() -> bool:
    """Whether pip can build this repository here without an index: setuptools as new as
    ``build-system.requires`` asks, with ``bdist_wheel``."""
    try:
        import setuptools
    except ImportError:
        return False
    major = int(setuptools.__version__.split(".")[0])
    if major < 68:
        return False
    if major >= 71:
        return True
    try:
        import wheel  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(
    not _offline_build_backend(), reason="no setuptools>=68 with bdist_wheel to build offline"
)
def test_the_install_step_installs_wfspec_from_the_action_checkout(tmp_path: Path) -> None:
    """ "Install wfspec", run offline: pip builds the repository (its tracked files, as the
    runner checks the action out) with this environment's setuptools and installs it into a
    target folder, the dependencies coming from this environment."""
    source = tmp_path / "wfspec"
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    for rel in filter(None, files.split("\0")):
        src = REPO / rel
        if src.is_file():
            dst = source / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(src.read_bytes())
    target = tmp_path / "target"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PIP_TARGET": str(target),
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "false",  # pip reads this one inverted: false = no isolation
        "PIP_NO_DEPS": "1",
    }
    status, _ = _run_step("Install wfspec", {"github.action_path": str(source)}, env, tmp_path)
    assert status == 0
    assert (target / "wfspec" / "cli.py").is_file() and (target / "bin" / "wfspec").is_file()
    proc = subprocess.run(
        [str(target / "bin" / "wfspec"), "--version"],
        env={**os.environ, "PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout.startswith("wfspec ")


@pytest.fixture
def installed(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A runner after "Install wfspec": the wfspec of this environment first on PATH."""
    wfspec = Path(sys.executable).parent / "wfspec"
    if not wfspec.is_file():
        pytest.skip("no wfspec executable beside this Python")
    return tmp_path, {**os.environ, "PATH": f"{wfspec.parent}{os.pathsep}{os.environ['PATH']}"}


def _inputs(**overrides: str) -> dict[str, str]:
    ctx = {f"inputs.{k}": str(v["default"]) for k, v in _action()["inputs"].items()}
    ctx.update({f"inputs.{k}": v for k, v in overrides.items()})
    return ctx


def test_the_check_step_writes_sarif_and_its_outputs(installed: tuple[Path, dict[str, str]]) -> None:
    root, env = installed
    repo = root / "checkout-clean"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "ci.yml").write_bytes(
        (REPO / "specs" / "github" / "ci-matrix.yml").read_bytes()
    )
    status, outputs = _run_step("Check the workflows", _inputs(), env, repo)
    assert status == 0 and outputs == {"exit-code": "0", "sarif-file": "wfspec.sarif"}
    sarif = json.loads((repo / "wfspec.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []
    assert sarif["runs"][0]["tool"]["driver"]["name"] == "wfspec"


def test_findings_go_to_the_report_and_fail_the_job(installed: tuple[Path, dict[str, str]]) -> None:
    root, env = installed
    repo = root / "checkout-faulty"
    (repo / "flows").mkdir(parents=True)
    faulty = REPO / "specs" / "serverless" / "faulty" / "unknown-target-support-triage.yaml"
    (repo / "flows" / "triage.yaml").write_bytes(faulty.read_bytes())
    ctx = _inputs(paths="flows", args="--ignore unused-definition", **{"sarif-file": "out.sarif"})
    status, outputs = _run_step("Check the workflows", ctx, env, repo)
    assert status == 0  # the report is written and uploaded first
    assert outputs == {"exit-code": "1", "sarif-file": "out.sarif"}
    results = json.loads((repo / "out.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["unknown-target"]
    fail = _steps()["Fail on findings"]
    assert fail["if"] == "inputs.fail-on-findings == 'true' && steps.check.outputs.exit-code == '1'"
    status, _ = _run_step("Fail on findings", ctx, env, repo)
    assert status == 1


def test_a_check_that_cannot_run_fails_the_step(installed: tuple[Path, dict[str, str]]) -> None:
    root, env = installed
    repo = root / "checkout-missing"
    repo.mkdir()
    status, outputs = _run_step("Check the workflows", _inputs(paths="no/such/dir"), env, repo)
    assert status == 2 and outputs["exit-code"] == "2"
