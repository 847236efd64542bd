"""shellcheck and pyflakes on ``run:`` scripts: shells, placeholders, positions, and nothing
when the tools are missing."""

from __future__ import annotations

import pytest

from wfspec.analysis.engine import analyze
from wfspec.dialects.github import scripts

needs_shellcheck = pytest.mark.skipif(scripts.shellcheck_path() is None, reason="shellcheck not installed")
needs_pyflakes = pytest.mark.skipif(not scripts.pyflakes_available(), reason="pyflakes not installed")


def found(text: str, rule: str) -> list[tuple[int, int, str]]:
    result = analyze(text.encode(), "file:///w/.github/workflows/x.yml", dialect="github")
    return [
        (f.span.start.line + 1, f.span.start.character + 1, f.message)
        for f in result.findings
        if f.rule == rule
    ]


def wf(steps: str, runs_on: str = "ubuntu-latest", extra: str = "") -> str:
    return f"on: push\njobs:\n  a:\n    runs-on: {runs_on}\n{extra}    steps:\n{steps}"


def test_placeholder_keeps_the_length() -> None:
    s = "echo '${{ matrix.os }}' $X ${{ a }}"
    out = scripts.placeholder(s)
    assert len(out) == len(s) and "${{" not in out and out.startswith("echo '____")


@needs_shellcheck
@pytest.mark.parametrize(
    ("steps", "runs_on", "want"),
    [
        ("      - run: echo $FOO\n", "ubuntu-latest", [(6, 19)]),
        ("      - run: 'echo $FOO'\n", "ubuntu-latest", [(6, 20)]),
        ('      - run: "echo $FOO"\n', "ubuntu-latest", [(6, 20)]),
        ("      - run: |\n          true\n          echo $FOO\n", "ubuntu-latest", [(8, 16)]),
        ("      - run: echo $FOO\n", "windows-latest", []),
        ("      - run: echo $FOO\n        shell: bash\n", "windows-latest", [(6, 19)]),
        ("      - run: echo $FOO\n        shell: pwsh\n", "ubuntu-latest", []),
        ("      - run: echo $FOO\n", "self-hosted", []),
        ("      - run: echo '${{ github.sha }}'\n", "ubuntu-latest", []),
        ("      - run: echo ${{ github.sha\n", "ubuntu-latest", []),
    ],
)
def test_shellcheck_positions_and_shells(steps: str, runs_on: str, want: list[tuple[int, int]]) -> None:
    got = found(wf(steps, runs_on), "shellcheck")
    assert [(ln, col) for ln, col, _ in got] == want
    assert all("SC2086" in m for _, _, m in got)


@needs_pyflakes
def test_pyflakes_on_python_steps_only() -> None:
    steps = (
        "      - run: print(hello)\n        shell: python\n"
        "      - run: print(hello)\n"
        "      - run: print('${{ runner.os }}', ${{ inputs.n }})\n        shell: python\n"
        "      - run: |\n          from time import sleep\n          print(1)\n        shell: python\n"
    )
    got = found(wf(steps), "pyflakes")
    assert got == [(6, 20, "undefined name 'hello'"), (12, 11, "'time.sleep' imported but unused")]


def test_tools_missing_means_no_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scripts, "shellcheck_path", lambda: None)
    monkeypatch.setattr(scripts, "pyflakes_available", lambda: False)
    steps = "      - run: echo $UNIQUE_MISSING_TOOL\n      - run: print(nope_x)\n        shell: python\n"
    result = analyze(wf(steps).encode(), "file:///w/.github/workflows/x.yml", dialect="github")
    assert [f for f in result.findings if f.rule in ("shellcheck", "pyflakes")] == []


def test_the_editor_setting_switches_both_off() -> None:
    from wfspec.lsp.settings import Settings, parse

    settings, problems = parse({"scriptLinters": False})
    assert problems == []
    cfg = settings.analysis_config(None, "file:///w/.github/workflows/x.yml")
    assert not cfg.enabled("shellcheck") and not cfg.enabled("pyflakes")
    assert Settings().analysis_config(None, "file:///x.yml").enabled("shellcheck")


@needs_shellcheck
def test_many_scripts_are_checked_a_batch_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A workflow with many steps runs shellcheck a few times, not once per step, and finds
    exactly what one process per script finds."""
    import subprocess

    n = 40
    steps = "".join(
        f"      - run: echo ${{X{i}}} $Y{i}\n" if i % 2 else f'      - run: echo "$Z{i}"\n' for i in range(n)
    )
    text = wf(steps)
    calls: list[object] = []
    real = subprocess.run

    def counting(*a: object, **k: object) -> object:
        calls.append(a)
        return real(*a, **k)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "run", counting)
    with monkeypatch.context() as m:
        m.setattr(scripts, "prefetch_shellcheck", lambda work: None)
        scripts._CACHE.clear()
        single = found(text, "shellcheck")
    assert len(calls) == n  # one process per script
    scripts._CACHE.clear()
    calls.clear()
    batched = found(text, "shellcheck")
    assert batched == single and len(batched) == n  # two unquoted expansions in every other step
    assert len(calls) == 1, len(calls)
