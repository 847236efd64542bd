"""GitHub Actions data flow: needs, job outputs, steps, inputs, matrix and contexts.

Each case is a small workflow and the findings it must (or must not) produce, per RULES.md:
``needs.X`` only for direct needs, ``steps.X`` only for earlier steps, step output names written
through ``$GITHUB_OUTPUT`` never reported, ids compared case-insensitively.
"""

from __future__ import annotations

import textwrap

import pytest

from wfspec.analysis.engine import analyze
from wfspec.findings import Finding, Severity

URI = "file:///repo/.github/workflows/ci.yml"


def run(text: str) -> list[Finding]:
    return analyze(textwrap.dedent(text), URI).findings


def summary(text: str) -> list[tuple[int, str, str]]:
    """(1-based line, rule, severity) of every finding."""
    return [(f.span.start.line + 1, f.rule, f.severity.label) for f in run(text)]


def jobs(body: str, on: str = "push") -> str:
    return f"on: {on}\njobs:\n" + textwrap.indent(textwrap.dedent(body), "  ")


def test_needs_must_be_a_direct_dependency() -> None:
    text = jobs(
        """\
        a:
          runs-on: ubuntu-latest
          outputs: {v: "${{ steps.s.outputs.v }}"}
          steps: [{id: s, run: echo}]
        b:
          needs: a
          runs-on: ubuntu-latest
          steps: [{run: "echo ${{ needs.a.outputs.v }}"}]
        c:
          needs: b
          runs-on: ubuntu-latest
          steps: [{run: "echo ${{ needs.a.outputs.v }} ${{ needs.b.result }}"}]
        """
    )
    found = run(text)
    assert [(f.span.start.line + 1, f.rule) for f in found] == [(14, "undefined-reference")]
    assert found[0].data["missing_need"] == "a"
    assert 'not in the "needs" of job "c"' in found[0].message


def test_undefined_job_output_and_case_insensitive_names() -> None:
    text = jobs(
        """\
        Build:
          runs-on: ubuntu-latest
          outputs: {Image-Tag: "${{ steps.S.outputs.t }}"}
          steps: [{id: s, run: echo}]
        deploy:
          needs: [build]
          runs-on: ubuntu-latest
          steps:
            - run: echo ${{ needs.BUILD.outputs.image-tag }}
            - run: echo ${{ needs.build.outputs.image }}
        """
    )
    found = run(text)
    assert [(f.span.start.line + 1, f.rule) for f in found] == [(12, "undefined-reference")]
    assert 'did you mean "Image-Tag"' in found[0].message


def test_whole_outputs_object_counts_as_a_use() -> None:
    text = jobs(
        """\
        a:
          runs-on: ubuntu-latest
          outputs: {one: "1", two: "2"}
          steps: [{run: echo}]
        b:
          needs: a
          runs-on: ubuntu-latest
          steps: [{run: "echo '${{ toJSON(needs.a.outputs) }}'"}]
        """
    )
    assert summary(text) == []


def test_unused_job_output_is_a_hint() -> None:
    text = jobs(
        """\
        a:
          runs-on: ubuntu-latest
          outputs: {one: "1"}
          steps: [{run: echo}]
        """
    )
    assert summary(text) == [(5, "unused-definition", "hint")]


def test_steps_only_earlier_steps_of_the_same_job() -> None:
    text = jobs(
        """\
        a:
          runs-on: ubuntu-latest
          outputs:
            late: ${{ steps.last.outputs.v }}
          environment:
            name: prod
            url: ${{ steps.last.outputs.url }}
          steps:
            - run: echo ${{ steps.last.outputs.v }}
            - id: self
              run: echo ${{ steps.self.outputs.v }}
            - id: last
              run: echo "v=1" >> "$GITHUB_OUTPUT"
            - run: echo ${{ steps.LAST.outputs.anything-at-all }} ${{ steps.last.outcome }}
        b:
          runs-on: ubuntu-latest
          steps: [{run: "echo ${{ steps.last.outputs.v }}"}]
        """
    )
    found = [f for f in run(text) if f.rule != "unused-definition"]
    lines = [(f.span.start.line + 1, f.rule) for f in found]
    assert lines == [(11, "undefined-reference"), (13, "undefined-reference"), (19, "undefined-reference")]
    assert "runs later" in found[0].message
    assert "is this step" in found[1].message
    assert 'belongs to job "a"' in found[2].message


def test_steps_context_not_available_at_job_level() -> None:
    text = jobs(
        """\
        a:
          runs-on: ubuntu-latest
          if: steps.s.outputs.go == 'true'
          steps: [{id: s, run: echo}]
        """
    )
    found = run(text)
    assert [(f.span.start.line + 1, f.rule) for f in found] == [(5, "undefined-reference")]
    assert 'the "steps" context is not available' in found[0].message


def test_known_action_outputs_are_checked_dynamic_ones_are_not() -> None:
    text = jobs(
        """\
        a:
          runs-on: ubuntu-latest
          steps:
            - {id: co, uses: actions/checkout@v4}
            - {id: filter, uses: dorny/paths-filter@v3, with: {filters: "x: [a]"}}
            - {id: script, uses: actions/github-script@v7, with: {script: "core.setOutput('z', 1)"}}
            - {id: remote, uses: someone/unknown-action@v1}
            - run: echo ${{ steps.co.outputs.commit }} ${{ steps.filter.outputs.x }} ${{ steps.script.outputs.z }}
            - run: echo ${{ steps.remote.outputs.whatever }}
            - run: echo ${{ steps.co.outputs.sha }}
        """
    )
    found = [f for f in run(text) if f.rule != "unpinned-action"]  # unpinned tags: not this test
    assert [(f.span.start.line + 1, f.rule, f.severity) for f in found] == [
        (12, "undefined-reference", Severity.WARNING)
    ]
    assert "actions/checkout has no output" in found[0].message


def test_inputs() -> None:
    on = "\n  workflow_dispatch:\n    inputs:\n      logLevel: {type: string}\n  workflow_call:\n    inputs:\n      target: {type: string}"
    text = jobs(
        """\
        a:
          runs-on: ubuntu-latest
          steps:
            - run: echo ${{ inputs.loglevel }} ${{ inputs.TARGET }}
            - run: echo ${{ inputs.verbose }}
        """,
        on=on,
    )
    assert summary(text) == [(13, "undefined-reference", "error")]
    no_inputs = jobs("a:\n  runs-on: ubuntu-latest\n  steps: [{run: 'echo ${{ inputs.x }}'}]\n")
    assert summary(no_inputs) == [(5, "undefined-reference", "warning")]


def test_matrix_keys() -> None:
    text = jobs(
        """\
        a:
          runs-on: ${{ matrix.os }}
          strategy:
            matrix:
              os: [ubuntu-latest]
              include:
                - {os: windows-latest, extra: true}
          steps:
            - run: echo ${{ matrix.extra }} ${{ matrix.OS }}
            - run: echo ${{ matrix.node }}
        b:
          runs-on: ubuntu-latest
          strategy:
            matrix: ${{ fromJSON(vars.MATRIX) }}
          steps: [{run: "echo ${{ matrix.anything }}"}]
        c:
          runs-on: ubuntu-latest
          strategy:
            matrix:
              os: [a]
              include: ${{ fromJSON(vars.MORE) }}
          steps: [{run: "echo ${{ matrix.anything }}"}]
        d:
          runs-on: ubuntu-latest
          if: matrix.os == 'a'
          strategy: {matrix: {os: [a]}}
          steps: [{run: "echo ${{ matrix.os }}"}]
        """
    )
    assert summary(text) == [(12, "undefined-reference", "error"), (27, "undefined-reference", "error")]


def test_jobs_context_in_workflow_call_outputs() -> None:
    text = textwrap.dedent(
        """\
        on:
          workflow_call:
            outputs:
              good: {value: "${{ jobs.a.outputs.v }}"}
              bad: {value: "${{ jobs.a.outputs.w }}"}
              nojob: {value: "${{ jobs.zzz.outputs.v }}"}
        env:
          X: ${{ jobs.a.outputs.v }}
        jobs:
          a:
            runs-on: ubuntu-latest
            outputs: {v: "1"}
            steps: [{run: echo}]
        """
    )
    assert summary(text) == [
        (5, "undefined-reference", "error"),
        (6, "undefined-reference", "error"),
        (8, "undefined-reference", "error"),
    ]


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("${{ github.ref = 'x' }}", 'use "==" to compare'),
        ("${{ toJson(github) }} ${{ Fromjson('1') }}", None),
        ("${{ startswith(github.ref, 'a') }}", None),
        ("${{ starts_with(github.ref, 'a') }}", 'unknown function "starts_with"'),
        ("${{ gihtub.ref }}", 'unknown context "gihtub"'),
        ("${{ github.ref", "unclosed expression"),
        ("${{ format('{0}}}', github.ref) }}", None),
    ],
)
def test_expression_findings(expr: str, message: str | None) -> None:
    text = jobs(f'a:\n  runs-on: ubuntu-latest\n  steps: [{{run: "echo {expr}"}}]\n')
    found = [f for f in run(text) if f.rule == "expression"]
    if message is None:
        assert found == []
    else:
        assert len(found) >= 1 and message in found[0].message


def test_bare_if_is_an_expression() -> None:
    text = jobs(
        "a:\n  runs-on: ubuntu-latest\n  if: github.ref == 'a' &&\n  steps: [{run: echo, if: success() && !cancelled()}]\n"
    )
    assert summary(text) == [(5, "expression", "error")]


def test_starter_placeholders_are_strings() -> None:
    text = textwrap.dedent(
        """\
        on:
          push:
            branches: [ $default-branch ]
          schedule:
            - cron: $cron-weekly
        jobs:
          a:
            runs-on: ubuntu-latest
            strategy:
              matrix:
                $codeql-languages-matrix
            steps:
              - uses: actions/checkout@v4
              - run: echo ${{ matrix.language }}
        """
    )
    assert summary(text) == []


def test_secrets_vars_and_env_are_not_checked() -> None:
    text = jobs(
        "a:\n  runs-on: ubuntu-latest\n  steps: [{run: 'echo ${{ secrets.ANY }} ${{ vars.ANY }} ${{ env.ANY }}'}]\n"
    )
    assert summary(text) == []
