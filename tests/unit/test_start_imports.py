"""What ``wfspec serve`` imports before it answers ``initialize``: not the model clients, not
networkx, not the rules registry and the analysis engine (those load on the analysis thread
right after the initialize result, see :func:`wfspec.lsp.sync.initialize`)."""

from __future__ import annotations

import json
import subprocess
import sys

NOT_AT_START = (
    "openai",
    "httpx",
    "xllamacpp",
    "networkx",
    "wfspec.analysis.engine",
    "wfspec.analysis.rules",
    "wfspec.llm.generate",
    "wfspec.llm.provider",
)


def _loaded_after(code: str) -> set[str]:
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_the_serve_path_imports_nothing_initialize_does_not_need() -> None:
    # what `wfspec serve` runs up to start_io: the CLI module, its parser, the server factory
    loaded = _loaded_after(
        "from wfspec.cli import build_parser\nbuild_parser()\n"
        "from wfspec.lsp.server import create_server\ncreate_server()"
    )
    assert sorted(m for m in NOT_AT_START if m in loaded) == []


def test_the_probe_sees_an_import() -> None:
    assert "wfspec.analysis.engine" in _loaded_after("import wfspec.analysis.engine")
