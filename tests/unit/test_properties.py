"""Property tests: ``analyze`` never raises and always terminates, on arbitrary text and on
mutated valid specs (lines deleted, duplicated, re-indented, truncated)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfspec.analysis.engine import analyze

SPECS = sorted((Path(__file__).resolve().parents[2] / "specs").rglob("*.y*ml"))
TEXTS = [p.read_text(encoding="utf-8", errors="replace") for p in SPECS] or [
    "document: {dsl: '1.0.0'}\ndo: []\n"
]

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.text(max_size=400))
def test_arbitrary_text(text: str) -> None:
    analyze(text, "x.sw.yaml")
    analyze(text, "file:///repo/.github/workflows/x.yml")


@SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    analyze(data, "x.yaml")


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "truncate", "swap"]))
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
            lines = lines[: i + 1]
        else:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


@SETTINGS
@given(mutated())
def test_mutated_specs(text: str) -> None:
    result = analyze(text, "x.sw.yaml")
    for f in result.findings:
        assert f.span.start <= f.span.end or f.span.start.line <= f.span.end.line
