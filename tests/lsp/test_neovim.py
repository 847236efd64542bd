"""A headless Neovim (Debian's 0.7 or later) opens a faulty spec with ``wfspec serve`` attached
and checks diagnostics, completion and a quick fix. Skips when ``nvim`` is not installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lsp.conftest import FIXTURES

NVIM = shutil.which("nvim")


@pytest.mark.skipif(NVIM is None, reason="nvim is not installed (apt-get install neovim)")
def test_headless_neovim(tmp_path: Path) -> None:
    assert NVIM is not None
    spec = tmp_path / "faulty.sw.yaml"
    shutil.copy(FIXTURES / "faulty.sw.yaml", spec)
    script = Path(__file__).parent / "neovim" / "e2e.lua"
    env = {
        **os.environ,
        "WFSPEC_PYTHON": sys.executable,
        "WFSPEC_FILE": str(spec),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    proc = subprocess.run(
        [NVIM, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {script}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "ALL OK" in output, output
