"""Validation: the analyzer disposes of what the model proposes.

A candidate is spliced into a copy of the document at the range the server chose (never
anywhere else) and the copy goes through :func:`wfspec.analysis.engine.analyze`, the same entry
point as diagnostics. Findings are compared as multisets of (rule, message), with line numbers
in messages normalized, since the splice moves everything below it.

- An insertion (generation) is accepted when the copy is still a workflow of the expected
  dialect, has no syntax error, gained at least one task, and has no error or warning finding
  the original did not have.
- A repair is accepted when the target finding is gone and no finding of any severity appeared.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from wfspec.analysis import masking
from wfspec.analysis.config import Config
from wfspec.analysis.engine import Analysis, analyze
from wfspec.findings import Finding, Severity
from wfspec.fixes import TextEdit, apply_edits

_LINE = re.compile(r"\bline \d+")


def finding_key(f: Finding) -> tuple[str, str]:
    """What identifies a finding across a splice: its rule and its message (line numbers out)."""
    return f.rule, _LINE.sub("line N", f.message)


def splice(text: str, start: int, end: int, new_text: str) -> str:
    """``text`` with ``[start, end)`` replaced; raises ValueError on a range outside the text."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"range [{start}, {end}) is outside the document (length {len(text)})")
    return text[:start] + new_text + text[end:]


@dataclass
class Verdict:
    """The outcome of validating one candidate."""

    ok: bool
    reason: str = ""
    added: list[Finding] = field(default_factory=list)
    removed: list[Finding] = field(default_factory=list)
    analysis: Analysis | None = None

    def describe_added(self, limit: int = 8) -> str:
        """The new findings as lines ``- [rule] line N: message`` for feedback prompts."""
        lines = [f"- [{f.rule}] line {f.span.start.line + 1}: {f.message}" for f in self.added[:limit]]
        if len(self.added) > limit:
            lines.append(f"- ... and {len(self.added) - limit} more")
        return "\n".join(lines)


def diff_findings(before: Iterable[Finding], after: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(added, removed) between two finding lists, compared by :func:`finding_key`. The faults
    an unresolved reference masks count as findings (:func:`masking.with_masked`)."""
    before = masking.with_masked(before)
    after = masking.with_masked(after)
    old = Counter(finding_key(f) for f in before)
    new = Counter(finding_key(f) for f in after)
    added: list[Finding] = []
    seen: Counter[tuple[str, str]] = Counter()
    for f in after:
        k = finding_key(f)
        seen[k] += 1
        if seen[k] > old.get(k, 0):
            added.append(f)
    removed: list[Finding] = []
    seen.clear()
    for f in before:
        k = finding_key(f)
        seen[k] += 1
        if seen[k] > new.get(k, 0):
            removed.append(f)
    return added, removed


def _reanalyze(original: Analysis, new_text: str, config: Config | None, dialect: str | None) -> Analysis:
    return analyze(new_text, original.uri, config, dialect=dialect or original.dialect)


def can_validate(dialect: str) -> bool:
    """True when the analyzer can lower ``dialect`` (and so validate suggestions for it)."""
    from wfspec import dialects

    try:
        mod = dialects.get(dialect)
    except KeyError:
        return False
    return hasattr(mod, "detect") and hasattr(mod, "lower")


def check_insertion(
    original: Analysis,
    new_text: str,
    *,
    dialect: str = "serverless",
    config: Config | None = None,
    max_severity: Severity = Severity.WARNING,
) -> Verdict:
    """Validate a document into which a generated candidate was spliced."""
    if not can_validate(dialect):
        return Verdict(False, f"the {dialect} dialect cannot be validated by this version of wfspec")
    after = analyze(new_text, original.uri, config, dialect=None)
    if after.doc.has_syntax_error:
        bad = [f for f in after.findings if f.rule == "syntax"]
        return Verdict(False, "the suggestion is not valid YAML", added=bad, analysis=after)
    if after.dialect != dialect:
        return Verdict(
            False,
            f"the result is not a {dialect} workflow"
            + (
                " (a Serverless Workflow needs document.dsl and a do list)" if dialect == "serverless" else ""
            ),
            analysis=after,
        )
    if after.workflow is None:
        return Verdict(
            False, f"the {dialect} dialect cannot be validated by this version of wfspec", analysis=after
        )
    before_tasks = len(original.workflow.nodes) if original.workflow is not None else 0
    if len(after.workflow.nodes) <= before_tasks:
        return Verdict(False, "the suggestion adds no task", analysis=after)
    added, removed = diff_findings(original.findings, after.findings)
    serious = [f for f in added if f.severity <= max_severity]
    if serious:
        return Verdict(False, f"the suggestion adds {len(serious)} finding(s)", serious, removed, after)
    return Verdict(True, "", added, removed, after)


def check_repair(
    original: Analysis,
    edits: Sequence[TextEdit],
    target: Finding,
    *,
    config: Config | None = None,
) -> Verdict:
    """Validate a repair: apply ``edits`` to a copy; the target must be gone, nothing new."""
    for e in edits:
        if not 0 <= e.start <= e.end <= len(original.text):
            return Verdict(False, "an edit lies outside the document")
    new_text = apply_edits(original.text, edits)
    if new_text == original.text:
        return Verdict(False, "the repair changes nothing")
    after = _reanalyze(original, new_text, config, None)
    added, removed = diff_findings(original.findings, after.findings)
    key = finding_key(target)
    if not any(finding_key(f) == key for f in removed):
        return Verdict(False, "the finding is still there", added, removed, after)
    if added:
        return Verdict(False, f"the repair adds {len(added)} finding(s)", added, removed, after)
    return Verdict(True, "", added, removed, after)
