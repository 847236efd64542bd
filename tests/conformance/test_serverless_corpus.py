"""Conformance against the Serverless Workflow specification's own material (when present):
the official examples and extracted workflows are valid (no error or warning finding), and the
invalid fixtures each produce a ``schema`` or ``syntax`` error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CORPORA, corpus
from wfspec.analysis.engine import analyze
from wfspec.findings import Severity

SW = CORPORA / "serverlessworkflow-spec"


def _files(*parts: str) -> list[Path]:
    base = SW.joinpath(*parts)
    return sorted(base.glob("*.yaml")) if base.is_dir() else []


VALID = (
    _files("examples")
    + _files("extracted", "ctk")
    + _files("extracted", "dsl-reference")
    + _files("extracted", "dsl")
)
INVALID = _files("invalid")


def test_corpus_counts() -> None:
    corpus("serverlessworkflow-spec")
    assert len(_files("examples")) == 66
    assert len(INVALID) == 3


@pytest.mark.parametrize("path", VALID, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_valid_workflow_is_clean(path: Path) -> None:
    result = analyze(path.read_bytes(), path.as_uri())
    assert result.dialect == "serverless"
    loud = [
        f"{f.span.start.line + 1}:{f.span.start.character + 1} {f.rule}: {f.message}"
        for f in result.findings
        if f.severity <= Severity.WARNING
    ]
    assert loud == []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_fixture_is_rejected(path: Path) -> None:
    result = analyze(path.read_bytes(), path.as_uri())
    rules = {f.rule for f in result.findings if f.severity == Severity.ERROR}
    assert rules & {"schema", "syntax"}
