"""Batch Emacs with eglot (Debian's ``emacs-nox elpa-eglot``) opens a faulty spec with ``wfspec
serve`` attached and checks flymake diagnostics, completion and a quick fix. Skips when Emacs or
eglot is not installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lsp.conftest import FIXTURES

EMACS = shutil.which("emacs")
EGLOT = Path("/usr/share/emacs/site-lisp/elpa").glob("eglot-*")


@pytest.mark.skipif(EMACS is None or not any(EGLOT), reason="emacs with eglot is not installed")
def test_emacs_eglot(tmp_path: Path) -> None:
    assert EMACS is not None
    spec = tmp_path / "faulty.sw.yaml"
    shutil.copy(FIXTURES / "faulty.sw.yaml", spec)
    script = Path(__file__).parent / "emacs" / "e2e.el"
    env = {**os.environ, "WFSPEC_PYTHON": sys.executable, "WFSPEC_FILE": str(spec), "HOME": str(tmp_path)}
    proc = subprocess.run(
        [EMACS, "--batch", "-Q", "-l", str(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "ALL OK" in output, output
