"""Golden tests: every shipped GitHub Actions spec and the findings it must produce.

Clean specs (``specs/github/*.yml`` and the reusable workflow they call under
``specs/github/.github/workflows``) produce nothing at all, hints included; each faulty spec
under ``specs/github/faulty`` produces exactly the findings in its ``.expected`` file
(``LINE:COL RULE MESSAGE``, 1-based, sorted; see ``tests/golden/expected.py``,
``make golden`` regenerates them). ``specs/github`` is laid out as a repository: its
``.github/`` holds the local reusable workflow and composite action the specs use.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SPECS
from tests.golden.expected import expected as _expected
from tests.golden.expected import found as _found
from tests.golden.expected import line
from wfspec.analysis.engine import analyze

GITHUB = SPECS / "github"
CLEAN = sorted(GITHUB.glob("*.yml")) + sorted((GITHUB / ".github" / "workflows").glob("*.yml"))
FAULTY = sorted((GITHUB / "faulty").glob("*.yml"))
#: the rules a GitHub Actions workflow can trigger (unreachable, loop-without-exit and
#: out-of-scope-target describe control flow that GitHub Actions does not have)
GITHUB_RULES = {
    "syntax",
    "schema",
    "duplicate-id",
    "unknown-target",
    "cycle",
    "undefined-reference",
    "unused-definition",
    "expression",
    "deprecated-command",
    "constant-condition",
    "cron",
    "glob",
    "matrix",
    "runner-label",
    "event",
    "credentials",
    "shell-name",
}


def test_there_are_enough_specs() -> None:
    assert len(CLEAN) >= 9
    assert len(FAULTY) >= 12


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.name)
def test_clean_spec_has_no_findings(path: Path) -> None:
    result = analyze(path.read_bytes(), path.as_uri())
    assert result.dialect == "github"
    assert [line(f) for f in result.findings] == []


@pytest.mark.parametrize("path", FAULTY, ids=lambda p: p.name)
def test_faulty_spec_findings(path: Path) -> None:
    assert path.with_suffix(".expected").is_file(), f"{path.name} has no .expected file"
    result = analyze(path.read_bytes(), path.as_uri())
    assert result.dialect == "github" or result.doc.fatal  # unparsable YAML has no dialect
    assert _found(path) == _expected(path), "a finding changed: run `make golden` and review the diff"


def test_expected_files_are_sorted() -> None:
    for path in FAULTY:
        lines = _expected(path)
        keys = [(int(ln.split(":")[0]), int(ln.split(":")[1].split()[0])) for ln in lines]
        assert keys == sorted(keys), path.name


def test_every_rule_has_a_faulty_spec() -> None:
    from wfspec.analysis.rules import REGISTRY

    covered = {line.split()[1] for p in FAULTY for line in _expected(p)}
    registered = {r.id for r in REGISTRY if "github" in r.dialects}
    assert GITHUB_RULES <= registered
    assert GITHUB_RULES - covered == set()
