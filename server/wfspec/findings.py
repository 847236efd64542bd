"""Findings: what every rule, the syntax layer and the dialects report.

Lives at the bottom of the import graph (next to ``syntax``) so that parsing and lowering can
report problems without depending on the analysis engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from wfspec.syntax.tree import Span


class Severity(IntEnum):
    """Finding severity; the numbers are LSP's DiagnosticSeverity values."""

    ERROR = 1
    WARNING = 2
    INFORMATION = 3
    HINT = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @staticmethod
    def parse(text: str) -> Severity:
        """Parse ``error``/``warning``/``information``/``info``/``hint`` (case-insensitive)."""
        t = text.strip().lower()
        if t == "info":
            t = "information"
        for s in Severity:
            if s.label == t:
                return s
        raise ValueError(f'unknown severity "{text}" (expected error, warning, information or hint)')


@dataclass(frozen=True, slots=True)
class Related:
    """Another place a finding points at (the first duplicate, the definition, a cycle member)."""

    span: Span
    message: str
    uri: str | None = None


@dataclass(slots=True)
class Finding:
    """One problem in one document."""

    rule: str
    severity: Severity
    message: str
    span: Span
    related: tuple[Related, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()  # "unnecessary", "deprecated"

    def sort_key(self) -> tuple[int, int, int, int, str, str]:
        s, e = self.span.start, self.span.end
        return (s.line, s.character, e.line, e.character, self.rule, self.message)


def normalize(findings: Iterable[Finding]) -> list[Finding]:
    """Sort by (span, rule, message) and drop exact duplicates."""
    out: list[Finding] = []
    seen: set[tuple[object, ...]] = set()
    for f in sorted(findings, key=Finding.sort_key):
        key = f.sort_key()
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out
