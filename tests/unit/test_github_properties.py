"""Property tests for the GitHub Actions dialect: lowering and every rule survive arbitrary
mutations of real workflows (the shipped specs and, when present, the starter workflows)
without crashing, and analysis is deterministic."""

from __future__ import annotations

import logging
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfspec.analysis.engine import analyze

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "specs" / "github").rglob("*.yml"))
STARTERS = ROOT.parent / "shared" / "corpora" / "gha-starter-workflows"
if STARTERS.is_dir():
    SOURCES += sorted(STARTERS.rglob("*.yml"))[::7]
TEXTS = [p.read_text(encoding="utf-8") for p in SOURCES]
URI = "file:///nowhere/.github/workflows/x.yml"

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FRAGMENTS = [
    "${{",
    "}}",
    "${{ steps.x.outputs.y }}",
    "${{ needs.a.outputs }}",
    "${{ matrix[",
    "'",
    '"',
    ": ",
    "- ",
    "needs: [",
    "&a ",
    "*a",
    "<<: *a",
    "\t",
    "uses: ./",
    "id: ",
]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 5))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "truncate", "swap", "insert"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "indent":
            lines[i] = "  " + lines[i]
        elif op == "dedent":
            lines[i] = lines[i][2:] if lines[i].startswith("  ") else lines[i]
        elif op == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, max(0, len(lines[i]) - 1)))]
        elif op == "insert":
            line = lines[i]
            at = draw(st.integers(0, len(line)))
            lines[i] = line[:at] + draw(st.sampled_from(FRAGMENTS)) + line[at:]
        else:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


class _Crashes(logging.Handler):
    """Collects what the engine logs when lowering or a rule crashes."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.getMessage()}: {record.exc_info[1] if record.exc_info else ''}")

    def __enter__(self) -> _Crashes:
        logging.getLogger("wfspec").addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("wfspec").removeHandler(self)


@SETTINGS
@given(mutated())
def test_mutated_workflows_never_crash(text: str) -> None:
    with _Crashes() as crashes:
        first = analyze(text, URI, dialect="github")
        second = analyze(text, URI, dialect="github")
    assert crashes.messages == []
    key = [(f.rule, f.span, f.message) for f in first.findings]
    assert key == [(f.rule, f.span, f.message) for f in second.findings]


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("onjbs:-{}[]$'\" \n\tuserid.*!=&|()")), max_size=300))
def test_arbitrary_text_never_crashes(text: str) -> None:
    with _Crashes() as crashes:
        analyze(
            "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: " + text, URI, dialect="github"
        )
        analyze(text, URI, dialect="github")
    assert crashes.messages == []
