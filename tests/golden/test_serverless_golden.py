"""Golden tests: every shipped Serverless Workflow spec and the findings it must produce.

Clean specs under ``specs/serverless`` produce nothing; each faulty spec under
``specs/serverless/faulty`` produces exactly the findings in its ``.expected`` file
(``LINE:COL RULE MESSAGE``, 1-based, sorted; see ``tests/golden/expected.py``,
``make golden`` regenerates them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SPECS
from tests.golden.expected import expected as _expected
from tests.golden.expected import found as _found
from tests.golden.expected import line
from wfspec.analysis.engine import analyze

CLEAN = sorted((SPECS / "serverless").glob("*.yaml"))
FAULTY = sorted((SPECS / "serverless" / "faulty").glob("*.yaml"))


def test_there_are_enough_specs() -> None:
    assert len(CLEAN) >= 12
    assert len(FAULTY) >= 12


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.name)
def test_clean_spec_has_no_findings(path: Path) -> None:
    result = analyze(path.read_bytes(), path.as_uri())
    assert result.dialect == "serverless"
    assert [line(f) for f in result.findings] == []


@pytest.mark.parametrize("path", FAULTY, ids=lambda p: p.name)
def test_faulty_spec_findings(path: Path) -> None:
    assert path.with_suffix(".expected").is_file(), f"{path.name} has no .expected file"
    assert _found(path) == _expected(path), "a finding changed: run `make golden` and review the diff"


def test_every_rule_has_a_faulty_spec() -> None:
    from wfspec.analysis.rules import REGISTRY

    covered = {line.split()[1] for p in FAULTY for line in _expected(p)}
    wanted = {r.id for r in REGISTRY if "serverless" in r.dialects}
    assert wanted - covered == set()
