"""Types of GitHub Actions expressions (expression-type) and context availability."""

from __future__ import annotations

import pytest

from wfspec.analysis.engine import analyze


def _rules(body: str) -> list[str]:
    text = "on: push\npermissions:\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-latest\n" + body
    result = analyze(text.encode(), "file:///w/.github/workflows/t.yml")
    return [f.rule for f in result.findings if f.rule in ("expression-type", "context-availability")]


@pytest.mark.parametrize(
    "step",
    [
        "      - run: echo ${{ runner.oss }}",
        "      - run: echo ${{ github.repository.owner }}",
        "      - if: ${{ startsWith(github.ref) }}\n        run: echo",
        "      - run: echo ${{ format('{0}{1}', 1) }}",
        "      - run: echo ${{ format('{0}', 1, 2) }}",
        "      - run: echo ${{ fromJSON('[1,') }}",
        "      - if: ${{ 1 > null }}\n        run: echo",
        "      - run: echo ${{ env[0] }}",
        "      - run: echo ${{ job.container.os }}",
        "      - run: echo x${{ steps }}",
    ],
)
def test_type_errors(step: str) -> None:
    assert _rules("    steps:\n" + step + "\n") == ["expression-type"]


@pytest.mark.parametrize(
    "step",
    [
        "      - run: echo ${{ runner.os }} ${{ strategy.fail-fast }} ${{ github.event.issue.title }}",
        "      - if: ${{ contains(github.event.pull_request.labels.*.name, 'x') }}\n        run: echo",
        "      - run: echo ${{ format('{0}{{}}', 1) }} ${{ toJSON(github) }} ${{ env.FOO }}",
        "      - run: echo ${{ fromJSON('{\"a\": 1}').a }}",
        "      - if: ${{ github.run_attempt > 1 && vars.X == 'y' }}\n        run: echo",
    ],
)
def test_clean(step: str) -> None:
    assert _rules("    steps:\n" + step + "\n") == []


def test_availability() -> None:
    body = (
        "    if: ${{ secrets.X != '' && env.Y }}\n"
        "    env:\n      A: ${{ env.B }}\n"
        "    steps:\n      - run: echo ${{ success() }} ${{ hashFiles('x') }}\n"
        "      - if: ${{ always() && env.A }}\n        run: echo ${{ secrets.X }}\n"
    )
    assert _rules(body) == ["context-availability"] * 4


def test_hash_files_only_in_steps() -> None:
    assert _rules("    name: ${{ hashFiles('x') }}\n    steps:\n      - run: echo\n") == [
        "context-availability"
    ]
