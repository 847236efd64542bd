"""The Neovim snippets of docs/editors.md, run unchanged as ``init.lua`` in a headless Neovim of
the version each is for: the snippet must start ``wfspec serve`` for a YAML file, and
``neovim/e2e.lua`` then checks diagnostics, completion, a quick fix and the "Generate from
comment" code action through that client. A snippet whose Neovim version is not installed skips
(Debian 12's ``apt-get install neovim`` is 0.7.2; ``make editors`` installs it)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lsp.conftest import FIXTURES

EDITORS_DOC = Path(__file__).resolve().parents[2] / "docs" / "editors.md"
DRIVER = Path(__file__).parent / "neovim" / "e2e.lua"
NVIM = shutil.which("nvim")
#: snippet id -> the versions it is for (lowest, below which it does not apply; next snippet's)
SNIPPETS = {
    "neovim-0.7": ((0, 7), (0, 8)),
    "neovim-0.9": ((0, 8), (0, 11)),
    "neovim-0.11": ((0, 11), (99, 0)),
}


def snippet(name: str, comment: str = "--", lang: str = "lua") -> str:
    """The fenced block of docs/editors.md whose first line is ``<comment> wfspec snippet: name``."""
    text = EDITORS_DOC.read_text(encoding="utf-8")
    found = [
        body
        for body in re.findall(rf"```{lang}\n(.*?)```", text, re.S)
        if body.startswith(f"{comment} wfspec snippet: {name}\n")
    ]
    assert len(found) == 1, f"docs/editors.md has {len(found)} {lang} snippets named {name}"
    return found[0]


def installed_version(binary: str | None, pattern: str) -> tuple[int, int] | None:
    if binary is None:
        return None
    got = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout
    m = re.search(pattern, got)
    return (int(m.group(1)), int(m.group(2))) if m else None


def wfspec_on_path(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH starts with a ``wfspec`` that runs this checkout's server, as the
    snippets expect ``wfspec`` on PATH."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    shim = bindir / "wfspec"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m wfspec.cli "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}


def test_every_neovim_snippet_is_named_once() -> None:
    for name in SNIPPETS:
        assert "wfspec" in snippet(name)


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_neovim_snippet(name: str, tmp_path: Path) -> None:
    version = installed_version(NVIM, r"NVIM v(\d+)\.(\d+)")
    low, high = SNIPPETS[name]
    if version is None or not low <= version < high:
        pytest.skip(f"the {name} snippet needs Neovim {low[0]}.{low[1]}; installed: {version}")
    assert NVIM is not None
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'demo'\n", encoding="utf-8")
    spec = project / "faulty.sw.yaml"
    shutil.copy(FIXTURES / "faulty.sw.yaml", spec)
    init = tmp_path / "init.lua"
    init.write_text(snippet(name), encoding="utf-8")
    env = {
        **wfspec_on_path(tmp_path),
        "WFSPEC_FILE": str(spec),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    proc = subprocess.run(
        [NVIM, "--headless", "-u", str(init), "-i", "NONE", "-n", "-c", f"luafile {DRIVER}"],
        env=env,
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "ALL OK" in output, output
