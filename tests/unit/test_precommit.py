"""The pre-commit hooks of ``.pre-commit-hooks.yaml``, tried with ``pre-commit try-repo`` on a
temporary git repository: a faulty workflow fails the hook with its finding, a clean one and
other YAML pass.

``wfspec-system`` (the wfspec on PATH) runs offline. ``wfspec`` has pre-commit install wfspec
from this repository into its own environment, which needs a package index: it runs only with
``WFSPEC_NETWORK_TESTS=1``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PRE_COMMIT = shutil.which("pre-commit", path=str(BIN)) or shutil.which("pre-commit")

pytestmark = pytest.mark.skipif(
    PRE_COMMIT is None, reason="pre-commit is not installed (pip install pre-commit)"
)

FAULTY = REPO / "specs" / "serverless" / "faulty" / "unknown-target-support-triage.yaml"
CLEAN = REPO / "specs" / "github" / "ci-matrix.yml"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


def _hook_repo(tmp_path: Path) -> Path:
    """This repository's tracked files plus the hooks file, committed (what a user's
    ``rev:`` points at)."""
    repo = tmp_path / "hooks"
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    for rel in [*filter(None, files.split("\0")), ".pre-commit-hooks.yaml"]:
        src = REPO / rel
        if src.is_file():
            dst = repo / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(src.read_bytes())
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "hooks")
    return repo


def _project(tmp_path: Path, files: dict[str, Path | str]) -> Path:
    project = tmp_path / "project"
    for rel, content in files.items():
        dst = project / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(content.read_bytes() if isinstance(content, Path) else content.encode())
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    return project


def _try_repo(tmp_path: Path, project: Path, hook: str) -> subprocess.CompletedProcess[str]:
    assert PRE_COMMIT is not None
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "PRE_COMMIT_COLOR": "never",
    }
    return subprocess.run(
        [PRE_COMMIT, "try-repo", str(_hook_repo(tmp_path)), hook, "--all-files"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_the_hooks_file_declares_both_hooks() -> None:
    hooks = YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"wfspec", "wfspec-system"}
    assert by_id["wfspec"]["language"] == "python" and by_id["wfspec-system"]["language"] == "system"
    assert all(h["entry"].startswith("wfspec check") and h["types"] == ["yaml"] for h in hooks)


def test_system_hook_fails_a_faulty_workflow_with_its_finding(tmp_path: Path) -> None:
    project = _project(
        tmp_path, {"flows/triage.yaml": FAULTY, ".github/workflows/ci.yml": CLEAN, "config.yaml": "a: 1\n"}
    )
    proc = _try_repo(tmp_path, project, "wfspec-system")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert 'flows/triage.yaml:41:13: error: unknown task "postRepyl"' in out
    assert "ci.yml" not in out.replace("Passed", "")


def test_system_hook_passes_clean_workflows_and_other_yaml(tmp_path: Path) -> None:
    project = _project(tmp_path, {".github/workflows/ci.yml": CLEAN, "config.yaml": "a: 1\n"})
    proc = _try_repo(tmp_path, project, "wfspec-system")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


@pytest.mark.skipif(os.environ.get("WFSPEC_NETWORK_TESTS") != "1", reason="needs a package index")
def test_python_hook_installs_wfspec_and_fails_a_faulty_workflow(tmp_path: Path) -> None:
    project = _project(tmp_path, {"flows/triage.yaml": FAULTY})
    proc = _try_repo(tmp_path, project, "wfspec")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert 'unknown task "postRepyl"' in out
