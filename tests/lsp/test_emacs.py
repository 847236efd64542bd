"""The Emacs snippets of docs/editors.md, loaded unchanged in batch Emacs of the version each is
for: the snippet must set up a YAML major mode that starts eglot with ``wfspec serve``, bind
``C-M-i`` to completion, and ``emacs/e2e.el`` then checks flymake diagnostics, completion, a quick
fix and the "Generate from comment" code action. A snippet whose Emacs version (or eglot, or a YAML
mode) is not installed skips (Debian 12: ``apt-get install emacs-nox elpa-eglot elpa-yaml-mode``,
Emacs 28.2 with eglot 1.9; ``make editors`` installs them)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.lsp.conftest import FIXTURES
from tests.lsp.test_neovim import installed_version, snippet, wfspec_on_path

DRIVER = Path(__file__).parent / "emacs" / "e2e.el"
EMACS = shutil.which("emacs")
ELPA = Path("/usr/share/emacs/site-lisp/elpa")
#: snippet id -> the versions it is for, and the Debian packages it needs on top of Emacs
SNIPPETS = {
    "emacs-28": (((28, 0), (29, 0)), ("eglot", "yaml-mode")),
    "emacs-29": (((29, 0), (99, 0)), ()),
}


def test_every_emacs_snippet_is_named_once() -> None:
    for name in SNIPPETS:
        assert "wfspec" in snippet(name, ";;", "elisp")


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_emacs_snippet(name: str, tmp_path: Path) -> None:
    version = installed_version(EMACS, r"GNU Emacs (\d+)\.(\d+)")
    (low, high), packages = SNIPPETS[name]
    if version is None or not low <= version < high:
        pytest.skip(f"the {name} snippet needs Emacs {low[0]}; installed: {version}")
    missing = [p for p in packages if not any(ELPA.glob(f"{p}-*"))]
    if missing:
        pytest.skip(f"Debian's elpa packages {missing} are not installed")
    assert EMACS is not None
    project = tmp_path / "project"
    project.mkdir()
    spec = project / "faulty.sw.yaml"
    shutil.copy(FIXTURES / "faulty.sw.yaml", spec)
    init = tmp_path / "init.el"
    init.write_text(snippet(name, ";;", "elisp"), encoding="utf-8")
    env = {
        **wfspec_on_path(tmp_path),
        "WFSPEC_SNIPPET": str(init),
        "WFSPEC_FILE": str(spec),
        "HOME": str(tmp_path),
    }
    proc = subprocess.run(
        [EMACS, "--batch", "-Q", "-l", str(DRIVER)],
        env=env,
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "ALL OK" in output, output
