"""The import direction: nothing below ``wfspec.lsp`` imports pygls or lsprotocol."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "wfspec"
PROTOCOL = {"pygls", "lsprotocol"}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_the_lsp_package_imports_protocol_libraries() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "lsp":
            continue
        if _imported_roots(path) & PROTOCOL:
            offenders.append(str(rel))
    assert offenders == []


def test_the_check_finds_an_offender(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from lsprotocol import types\n", encoding="utf-8")
    assert _imported_roots(bad) & PROTOCOL == {"lsprotocol"}
