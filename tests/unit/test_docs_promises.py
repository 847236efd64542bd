"""The docs promise only what is there: both names of the specification wfspec checks, and no
install command for a package index wfspec is not on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = [
    "README.md",
    "client-vscode/README.md",
    "docs/editors.md",
    "docs/llm.md",
    "docs/rules.md",
]
NEW_NAME = "Open Workflow Specification"
OLD_NAME = "Serverless Workflow"


@pytest.mark.parametrize("rel", DOCS)
def test_both_names_of_the_specification(rel: str) -> None:
    text = (REPO / rel).read_text(encoding="utf-8")
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links read as their text
    text = re.sub(r"\s+", " ", text)
    assert NEW_NAME in text and OLD_NAME in text, rel
    assert f"{NEW_NAME} (formerly CNCF {OLD_NAME}" in text or f"{NEW_NAME}, formerly CNCF {OLD_NAME}" in text


def test_the_extension_description_says_both_names() -> None:
    manifest = json.loads((REPO / "client-vscode" / "package.json").read_text(encoding="utf-8"))
    assert f"{NEW_NAME} (formerly CNCF {OLD_NAME})" in manifest["description"]
    assert {"serverless workflow", "open workflow specification"} <= set(manifest["keywords"])


@pytest.mark.parametrize("rel", DOCS)
def test_no_install_from_an_index_wfspec_is_not_on(rel: str) -> None:
    text = (REPO / rel).read_text(encoding="utf-8")
    bad = re.findall(
        r"(?:pipx|pip) install (?:-U |--upgrade )?['\"]?wfspec(?:\[\w+\])?['\"]?(?=\s|$|`)(?!\s*@)", text
    )
    assert bad == [], f"{rel}: {bad}"


def test_the_readme_says_how_to_install_from_the_repository() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert "wfspec is not on PyPI" in text
    assert "python -m pip install '.[model]'" in text and "python -m build" in text
