"""``make demo`` shows the planted findings without a make error, and still fails for real."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _demo(tmp_path: Path, faulty_status: int) -> subprocess.CompletedProcess[str]:
    """``make demo`` with a stand-in ``wfspec`` (the recipe, not the analyzer, is under test):
    it answers the faulty specs' check with ``faulty_status`` and everything else with 0."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "wfspec"
    fake.write_text(
        "#!/bin/sh\n"
        'echo "wfspec $*"\n'
        f'case "$*" in "check specs/serverless/faulty") exit {faulty_status};; esac\n'
        "exit 0\n",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    stamp = tmp_path / "stamp"
    stamp.touch()
    return subprocess.run(
        ["make", "--no-print-directory", "demo", f"BIN={bin_dir}", f"STAMP={stamp}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "MAKEFLAGS": ""},
        check=False,
        timeout=60,
    )


def test_the_faulty_specs_findings_are_no_make_error(tmp_path: Path) -> None:
    proc = _demo(tmp_path, 1)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Error" not in out and "ignored" not in out, out
    assert "wfspec check specs/serverless/faulty" in out
    assert "(wfspec check exits 1 when it finds something: here it should)" in out


@pytest.mark.parametrize("status", [0, 2])
def test_a_real_failure_still_fails(tmp_path: Path, status: int) -> None:
    proc = _demo(tmp_path, status)
    assert proc.returncode != 0
    assert f"exit status {status}, expected 1" in proc.stdout
