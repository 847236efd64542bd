"""The drawn control-flow graph (``wfspec graph``): a typo is one red dangling edge, GitHub
``needs`` arrows run from the dependency to the dependent, steps carry their names, and there is
one start and one done."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.unit.test_masking import TYPO
from wfspec.analysis.engine import analyze
from wfspec.analysis.render import render

SPECS = Path(__file__).resolve().parents[2] / "specs"
GITHUB = sorted((SPECS / "github").glob("*.yml"))
SERVERLESS = sorted((SPECS / "serverless").glob("*.yaml"))


def _model(text: str, uri: str) -> dict[str, Any]:
    return json.loads(render(analyze(text, uri), "json"))


def test_a_typo_is_one_red_dangling_edge() -> None:
    model = _model(TYPO, "file:///t.sw.yaml")
    names = {n["id"]: n["name"] for n in model["nodes"]}
    assert "unresolved" not in names.values() and "any task" not in names.values()
    dangling = [e for e in model["edges"] if e.get("unresolved")]
    assert len(dangling) == 1
    (e,) = dangling
    assert names[e["source"]] == "classify" and names[e["target"]] == "routeTicket"
    # nothing else leaves classify: the typo leads nowhere
    assert [x for x in model["edges"] if x["source"] == e["source"]] == [e]

    mermaid = render(analyze(TYPO, "file:///t.sw.yaml"), "mermaid")
    links = [line for line in mermaid.splitlines() if re.match(r"\s+n\d+ (-->|-\.->)", line)]
    (red,) = [i for i, line in enumerate(links) if line.endswith(f"n{list(names).index(e['target'])}")]
    assert f"  linkStyle {red} stroke:#d33" in mermaid
    dot = render(analyze(TYPO, "file:///t.sw.yaml"), "dot")
    assert dot.count("color=red, fontcolor=red") == 1


CI = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Install
        run: npm ci
      - run: npm test
  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - id: ship
        run: ./deploy.sh
  notify:
    needs: [build, deploy]
    runs-on: ubuntu-latest
    steps:
      - run: echo done
"""


def test_github_needs_point_from_the_dependency_to_the_dependent() -> None:
    model = _model(CI, "file:///repo/.github/workflows/ci.yml")
    names = {n["id"]: n["name"] for n in model["nodes"]}
    needs = sorted((names[e["source"]], names[e["target"]]) for e in model["edges"] if e["kind"] == "needs")
    assert needs == [("build", "deploy"), ("build", "notify"), ("deploy", "notify")]
    done = [n["id"] for n in model["nodes"] if n["name"] == "done"]
    into_done = sorted(names[e["source"]] for e in model["edges"] if e["target"] in done)
    assert into_done == ["notify"]  # build and deploy go on to the jobs that need them


def test_github_steps_are_labelled_by_name_uses_or_id() -> None:
    model = _model(CI, "file:///repo/.github/workflows/ci.yml")
    labels = [n["label"] for n in model["nodes"] if n["kind"] == "step"]
    assert labels == ["actions/checkout@v4", "Install", "run: npm test", "ship", "run: echo done"]
    mermaid = render(analyze(CI, "file:///repo/.github/workflows/ci.yml"), "mermaid")
    assert "step-1" not in mermaid and "Install<br/>" in mermaid


@pytest.mark.parametrize("path", GITHUB + SERVERLESS, ids=lambda p: p.name)
def test_one_start_and_one_done(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    uri = ("file:///repo/.github/workflows/" if path.suffix == ".yml" else "file:///repo/") + path.name
    model = _model(text, uri)
    names = [n["name"] for n in model["nodes"]]
    assert names.count("start") == 1 and names.count("done") == 1, path.name
    if path.suffix == ".yml":
        assert not [
            n for n in model["nodes"] if n["kind"] == "step" and re.fullmatch(r"step-\d+", n["label"])
        ]
    # every drawn edge joins drawn nodes
    ids = {n["id"] for n in model["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in model["edges"])
