"""The ``uses:`` syntax of steps and the catalog's deprecated inputs, Docker-only inputs and
majors that run on a retired Node.js runtime."""

from __future__ import annotations

import pytest

from tests.unit.test_github_schema import one_job, problems
from wfspec.dialects.github import catalog
from wfspec.findings import Severity


@pytest.mark.parametrize(
    ("value", "kind", "problem"),
    [
        ("actions/checkout", "invalid", "names no ref"),
        ("actions/checkout@", "invalid", "ref after"),
        ("checkout@v2", "invalid", "no owner"),
        ("actions//checkout@v2", "invalid", "is empty"),
        ("/checkout@v2", "invalid", "is empty"),
        (".github/actions/x", "invalid", ""),
        ("docker://", "invalid", "image is empty"),
        ("docker://image:", "invalid", "tag of the Docker image is empty"),
        ("docker://image@", "invalid", "digest"),
        ("docker://:3", "invalid", "no name"),
        ("docker://alpine:3.20", "docker", ""),
        ("docker://localhost:5000/img", "docker", ""),
        ("docker://ghcr.io/o/img@sha256:abc", "docker", ""),
        ("owner/repo/path/deep@main", "remote", ""),
        ("./.github/actions/x", "local", ""),
    ],
)
def test_parse_uses_says_what_is_wrong(value: str, kind: str, problem: str) -> None:
    ref = catalog.parse_uses(value)
    assert ref.kind == kind
    assert problem in ref.problem
    if kind != "invalid":
        assert ref.problem == ""


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("- uses: actions/checkout@v2", [("no longer provide", Severity.WARNING)]),
        ("- uses: actions/checkout@v3.6.0", [("no longer provide", Severity.WARNING)]),
        ("- uses: actions/checkout@v4", []),
        ("- uses: actions/checkout@main", []),
        ("- uses: actions/stale@v4", [("no longer provide", Severity.WARNING)]),
        ("- uses: actions/stale@v9", []),
        ("- uses: someone/else@v1", []),
        (
            "- uses: pypa/gh-action-pypi-publish@release/v1\n  with: {packages_dir: d, repository_url: u}",
            [('"packages_dir"', Severity.WARNING), ('"repository_url"', Severity.WARNING)],
        ),
        ("- uses: pypa/gh-action-pypi-publish@release/v1\n  with: {packages-dir: d}", []),
        (
            "- uses: reviewdog/action-actionlint@v1\n  with: {fail_on_error: true}",
            [("deprecated", Severity.WARNING)],
        ),
        (
            "- uses: rhysd/action-setup-vim@v1\n  with: {entrypoint: x, args: y}",
            [("Docker actions only", Severity.WARNING), ("Docker actions only", Severity.WARNING)],
        ),
        ("- uses: reviewdog/action-actionlint@v1\n  with: {reporter: github-pr-check}", []),
        (
            "- uses: actions/setup-node@v4\n  with: {args: x}",
            [("Docker actions only", Severity.WARNING)],
        ),
        ("- uses: 'docker://alpine:'", [("tag of the Docker image is empty", Severity.ERROR)]),
        ("- uses: actions/checkout", [("names no ref", Severity.ERROR)]),
    ],
)
def test_catalog_versions_and_inputs(step: str, expected: list[tuple[str, Severity]]) -> None:
    got = problems(one_job(step))
    assert len(got) == len(expected), got
    for (_, message, sev), (fragment, want) in zip(got, expected, strict=True):
        assert fragment in message and sev == want


def test_missing_required_input_is_reported_at_the_step() -> None:
    got = problems(one_job("- name: cache\n  uses: actions/cache@v4\n  with:\n    path: x\n"))
    assert [(line, sev) for line, _, sev in got] == [(6, Severity.ERROR)]
    assert 'missing required input "key"' in got[0][1]


def test_catalog_runtime_facts_are_consistent() -> None:
    for spec in catalog.CATALOG.values():
        if spec.current_since is not None:
            assert spec.current_since <= spec.max_major, spec.name
            assert spec.using == "node", spec.name
        for name, advice in spec.deprecated:
            assert spec.inputs is None or name in spec.inputs, (spec.name, name)
            assert advice
