"""GitHub's starter workflows and the 2,000-job synthetic workflows (``../shared/corpora``).

Starter workflows: every one is detected as GitHub Actions, lowers without a crash and yields
no error, although they hold template placeholders (``$default-branch``, ``$cron-weekly``,
``$codeql-languages-matrix``). Two templates really are broken and are pinned here: they read
``steps.deploy.outputs.url`` but no step has the id ``deploy``.

Synthetic workflows: the expectations of their README: the plain chain and the fan-out/fan-in
give no error, the cycle gives exactly one ``cycle`` error, the undefined need gives the
``unknown-target`` error and the unresolvable ``needs.j5000`` reference. Skipped when the shared
corpora are absent.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from wfspec.analysis.engine import analyze
from wfspec.findings import Severity

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
STARTER = SHARED / "corpora" / "gha-starter-workflows"
SYNTHETIC = SHARED / "corpora" / "gha-synthetic"

#: genuine bugs in the upstream templates (file -> expected "LINE rule" errors)
STARTER_TRUE_POSITIVES = {
    "deployments/google-cloudrun-docker.yml": ["95 undefined-reference"],
    "deployments/google-cloudrun-source.yml": ["75 undefined-reference"],
    # reads steps.<id>.sarif_file_path: a step has no such property (it is steps.<id>.outputs....)
    "code-scanning/zscaler-iac-scan.yml": ["56 expression-type"],
}

SYNTHETIC_EXPECTED = {
    "chain_2000_jobs.yml": [],
    "chain_2000_jobs_cycle.yml": ["cycle"],
    "chain_2000_jobs_undefined_need.yml": ["unknown-target", "undefined-reference"],
    "fanout_fanin_2000_jobs.yml": [],
}


def _starters() -> list[Path]:
    if not STARTER.is_dir():
        return []
    return sorted(p for p in STARTER.rglob("*") if p.suffix in (".yml", ".yaml"))


def _crashes(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name.startswith("wfspec") and r.levelno >= logging.ERROR
    ]


def test_starter_corpus_is_complete() -> None:
    if not STARTER.is_dir():
        pytest.skip("shared starter workflows not present")
    assert len(_starters()) == 175


@pytest.mark.parametrize("path", _starters(), ids=lambda p: str(p.relative_to(STARTER)))
def test_starter_workflow(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="wfspec")
    result = analyze(path.read_bytes(), path.as_uri())
    assert _crashes(caplog) == []
    assert result.dialect == "github"
    assert result.workflow is not None
    errors = [f"{f.span.start.line + 1} {f.rule}" for f in result.findings if f.severity == Severity.ERROR]
    assert errors == STARTER_TRUE_POSITIVES.get(path.relative_to(STARTER).as_posix(), [])


@pytest.mark.parametrize("name", sorted(SYNTHETIC_EXPECTED))
def test_synthetic_workflow(name: str, caplog: pytest.LogCaptureFixture) -> None:
    path = SYNTHETIC / name
    if not path.is_file():
        pytest.skip("shared synthetic workflows not present")
    caplog.set_level(logging.ERROR, logger="wfspec")
    result = analyze(path.read_bytes(), path.as_uri())
    assert _crashes(caplog) == []
    assert result.dialect == "github"
    assert result.workflow is not None
    assert len([n for n in result.workflow.nodes.values() if n.kind == "job"]) == 2000
    errors = [f.rule for f in result.findings if f.severity == Severity.ERROR]
    assert errors == SYNTHETIC_EXPECTED[name]
    if name == "chain_2000_jobs_undefined_need.yml":
        assert all("j5000" in f.message for f in result.findings if f.severity == Severity.ERROR)
