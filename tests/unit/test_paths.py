"""One walker, one skip list, one ``uri_to_path``: the CLI, the language server's workspace scan
and retrieval see the same YAML files of a tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfspec import paths
from wfspec.cli import iter_files
from wfspec.dialects.github import local
from wfspec.llm.retrieval import iter_spec_files
from wfspec.lsp import state
from wfspec.lsp.workspace import list_yaml

FILES = [
    ".github/workflows/ci.yml",
    ".github/actions/setup/action.yml",
    "flows/orders.sw.yaml",
    "flows/nested/deeper/refund.yaml",
    "specs/faulty/planted.yaml",
    ".git/config.yml",
    ".venv/lib/x.yml",
    ".cache/pre-commit/hook.yaml",
    ".tox/py/y.yml",
    "node_modules/pkg/action.yml",
    "lib/site-packages/pkg/z.yaml",
    "venv/w.yml",
    "web/bower_components/b.yml",
    "__pycache__/c.yaml",
    "README.md",
]
KEPT = [
    ".github/actions/setup/action.yml",
    ".github/workflows/ci.yml",
    "flows/nested/deeper/refund.yaml",
    "flows/orders.sw.yaml",
    "specs/faulty/planted.yaml",
]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for rel in FILES:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("on: push\n", encoding="utf-8")
    return tmp_path


def _rel(root: Path, found: list[Path]) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in found)


def test_the_three_walks_see_the_same_files(tree: Path) -> None:
    walked = [p for _, files in paths.yaml_dirs(tree) for p in files]
    assert _rel(tree, walked) == KEPT
    assert _rel(tree, [p for p, _, _ in iter_files([str(tree)])]) == KEPT
    assert _rel(tree, list_yaml([tree])[0]) == KEPT
    # retrieval also leaves out the planted defects of ``faulty`` folders: no exemplars
    assert _rel(tree, iter_spec_files([tree])) == [p for p in KEPT if "/faulty/" not in p]


def test_skipped_dir() -> None:
    assert not paths.skipped_dir(".github")
    assert all(paths.skipped_dir(d) for d in (".git", ".venv", ".idea", "node_modules", "venv"))
    assert not paths.skipped_dir("workflows")


def test_uri_to_path_is_one_function() -> None:
    assert state.uri_to_path is paths.uri_to_path
    assert local.uri_to_path is paths.uri_to_path


@pytest.mark.parametrize(
    ("uri", "path"),
    [
        ("file:///repo/my%20flows/a.yaml", Path("/repo/my flows/a.yaml")),
        ("file:///repo/.github/workflows/ci.yml", Path("/repo/.github/workflows/ci.yml")),
        ("flows/a.yaml", Path("flows/a.yaml")),
        ("untitled:Untitled-1", None),
        ("https://example.com/a.yaml", None),
        ("vscode-notebook-cell:/x.ipynb#1", None),
        ("", None),
    ],
)
def test_uri_to_path(uri: str, path: Path | None) -> None:
    assert paths.uri_to_path(uri) == path
