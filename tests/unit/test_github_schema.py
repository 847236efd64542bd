"""GitHub Actions structure (``schema.validate``) and the action catalog checks."""

from __future__ import annotations

import textwrap

import pytest

from wfspec.dialects.github import catalog, schema
from wfspec.findings import Severity
from wfspec.syntax.parse import parse


def problems(text: str) -> list[tuple[int, str, Severity]]:
    root = parse(textwrap.dedent(text)).root
    return [(span.start.line + 1, message, sev) for span, message, sev in schema.validate(root)]


def one_job(steps: str, extra: str = "") -> str:
    return (
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        + extra
        + "    steps:\n"
        + textwrap.indent(textwrap.dedent(steps), "      ")
    )


def test_valid_workflow_has_no_problem() -> None:
    text = """\
    name: ok
    run-name: deploy by ${{ github.actor }}
    on:
      push: {branches: [main], paths-ignore: ["docs/**"]}
      pull_request: {types: [opened]}
      workflow_dispatch:
        inputs:
          level: {type: choice, options: [a, b], default: a, required: true}
      schedule:
        - cron: "0 3 * * 1"
    permissions: {contents: read, id-token: write}
    defaults: {run: {shell: bash}}
    concurrency: {group: x, cancel-in-progress: true}
    env: {A: "1"}
    jobs:
      a:
        runs-on: {group: big, labels: [x64]}
        container: {image: node:20, credentials: {username: u, password: "${{ secrets.P }}"}}
        services: {db: {image: postgres, ports: ["5432:5432"], command: --x}}
        timeout-minutes: 10
        continue-on-error: ${{ inputs.level == 'a' }}
        strategy: {matrix: {x: [1, 2], include: [{x: 3}]}, fail-fast: false, max-parallel: 2}
        steps:
          - uses: actions/checkout@v4
            with: {fetch-depth: 0}
          - run: make
            shell: bash
            working-directory: src
      b:
        needs: a
        uses: owner/repo/.github/workflows/x.yml@main
        with: {a: 1}
        secrets: inherit
    """
    assert problems(text) == []


def test_missing_on_and_jobs() -> None:
    assert [m for _, m, _ in problems("name: x\n")] == [
        'missing required key "on" in the workflow',
        'missing required key "jobs" in the workflow',
    ]


def test_unknown_keys_suggest_the_closest() -> None:
    got = problems("on: push\njobs:\n  a:\n    runs_on: x\n    steps: [{run: a}]\n")
    assert got == [
        (4, 'unknown key "runs_on" in job "a"; did you mean "runs-on"?', Severity.ERROR),
        (4, 'missing required key "runs-on" in job "a"', Severity.ERROR),
    ]


def test_unknown_event() -> None:
    got = problems("on: [push, pull-request]\njobs: {}\n")
    assert got == [(1, 'unknown event "pull-request"; did you mean "pull_request"?', Severity.ERROR)]


def test_step_shapes() -> None:
    got = problems(
        one_job(
            """\
            - run: a
              uses: actions/checkout@v4
            - name: nothing to do
            - uses: actions/checkout
            - run: a
              with: {x: 1}
            - id: 9lives
              run: a
            """
        )
    )
    messages = [m for _, m, _ in got]
    assert any("not both" in m for m in messages)
    assert any('a step needs "run"' in m for m in messages)
    assert any('invalid action reference "actions/checkout"' in m for m in messages)
    assert any('unknown key "with" in a step with "run"' in m for m in messages)
    assert any('invalid step id "9lives"' in m for m in messages)


def test_call_job_keys() -> None:
    got = problems(
        "on: push\njobs:\n  a:\n    uses: ./.github/workflows/x.yml\n    runs-on: x\n    env: {A: b}\n"
    )
    assert [(ln, s) for ln, _, s in got] == [(5, Severity.ERROR), (6, Severity.WARNING)]


def test_exclusive_filters_and_cron() -> None:
    got = problems(
        "on:\n  push:\n    branches: [a]\n    branches-ignore: [b]\n  schedule:\n    - cron: '0 3 * *'\njobs: {}\n"
    )
    assert [ln for ln, _, _ in got] == [4]  # the cron's syntax is the cron rule's


def test_workflow_call_inputs_need_a_type() -> None:
    got = problems("on:\n  workflow_call:\n    inputs:\n      x: {required: true}\njobs: {}\n")
    assert got and got[0][1].startswith('input "x" must declare its "type"')


def test_needs_listed_twice_case_insensitively_is_a_warning() -> None:
    got = problems("on: push\njobs:\n  a:\n    runs-on: x\n    needs: [b, B]\n    steps: [{run: a}]\n")
    assert got == [(5, 'job "B" is listed twice in "needs" (job ids are case-insensitive)', Severity.WARNING)]


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("- uses: actions/checkout@v99", [("no major version v99", Severity.ERROR)]),
        ("- uses: actions/checkout@v7", []),  # may have been released after the catalog
        ("- uses: actions/checkout@v4.2.1", []),
        ("- uses: actions/checkout@main", []),
        ("- uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", []),
        (
            "- uses: actions/checkout@v4\n  with: {fetch_depth: 0}",
            [('no input "fetch_depth"', Severity.WARNING)],
        ),
        ("- uses: Actions/Checkout@v4\n  with: {Fetch-Depth: 0}", []),
        ("- uses: actions/cache@v4\n  with: {path: x}", [('missing required input "key"', Severity.ERROR)]),
        (
            "- uses: actions/setup-java@v1\n  with: {java-version: 8}",
            [("no longer provide", Severity.WARNING)],
        ),
        ("- uses: actions/setup-java@v4\n  with: {java-version: 21}", [('"distribution"', Severity.ERROR)]),
        ("- uses: actions/github-script@v7", [('missing required input "script"', Severity.ERROR)]),
        ("- uses: someone/unknown@v99\n  with: {anything: 1}", []),
    ],
)
def test_catalog(step: str, expected: list[tuple[str, Severity]]) -> None:
    got = problems(one_job(step))
    assert len(got) == len(expected), got
    for (_, message, sev), (fragment, want) in zip(got, expected, strict=True):
        assert fragment in message and sev == want


def test_parse_uses() -> None:
    assert catalog.parse_uses("actions/checkout@v4") == catalog.ActionRef(
        "remote", "actions/checkout", "v4", 4
    )
    assert catalog.parse_uses("actions/cache/restore@v4.1").major == 4
    assert catalog.parse_uses("./local").kind == "local"
    assert catalog.parse_uses("docker://alpine:3").kind == "docker"
    assert catalog.parse_uses("${{ matrix.action }}").kind == "expression"
    assert catalog.parse_uses("checkout@v4").kind == "invalid"
    assert catalog.parse_uses("pypa/gh-action-pypi-publish@release/v1").major is None


def test_catalog_entries_are_consistent() -> None:
    for spec in catalog.CATALOG.values():
        assert spec.max_major >= 1
        if spec.inputs is not None:
            for name, _ in spec.required:
                assert name in spec.inputs, (spec.name, name)
