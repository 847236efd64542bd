"""Ranking candidate fixes on evidence, before a model (or a person) chooses among them.

:func:`rank` scores each validated candidate of one finding from facts, never from messages:

- the string distance between the offending name and the name a rename writes (a typo is one
  or two edits away; a name that differs by whole words was renamed, not mistyped);
- the graph, through the analysis of each candidate's result: a candidate that also clears other
  findings (the dangling ``then`` a renamed copy answers, the tasks it makes reachable again)
  ranks above one that clears the target only;
- which names are referenced elsewhere (a task others reach by its name is not renamed; a loop
  is broken at the edge that jumps back, from the last task of its list);
- the rule's own "did you mean" (``data["suggestion"]``).

Each ranked candidate carries its score and the evidence, in words, for the prompt.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wfspec.findings import Finding
from wfspec.fixes import Fix

if TYPE_CHECKING:
    from wfspec.analysis.engine import Analysis

#: candidates less than this many points below the best are shown to the model beside it
MARGIN = 1.0
#: the score of a rename to a name with little in common with the one written: never shown
FAR = -3.0


@dataclass(frozen=True, slots=True)
class Ranked:
    """A candidate fix with its score (higher is better) and the evidence behind it."""

    fix: Fix
    score: float
    evidence: tuple[str, ...]


def distance(a: str, b: str) -> int:
    """Optimal-string-alignment edit distance (insertions, deletions, substitutions and swaps of
    two neighbouring characters), case-insensitive."""
    a, b = a.lower(), b.lower()
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def similarity(a: str, b: str) -> float:
    """1 for equal names, 0 for names with nothing in common (edit distance over the longer)."""
    if not a and not b:
        return 1.0
    return 1.0 - distance(a, b) / max(len(a), len(b))


def is_typo(a: str, b: str) -> bool:
    """``a`` is a slip of the keyboard away from ``b``: at most two edits, and fewer than half
    the characters."""
    d = distance(a, b)
    return 0 < d <= 2 and d * 2 < max(len(a), len(b))


_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def _words(name: str) -> list[str]:
    return [w.lower() for w in _WORDS.findall(name)]


def differs_by_words(a: str, b: str) -> bool:
    """The words of one name are the words of the other with whole words added
    (``informHr``/``informHrStep``, ``publish``/``publish-job``)."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb or wa == wb:
        return False
    short, long_ = (wa, wb) if len(wa) < len(wb) else (wb, wa)
    it = iter(long_)
    return len(short) < len(long_) and all(w in it for w in short)


def _key(f: Finding) -> tuple[str, str]:
    return f.rule, re.sub(r"\bline \d+", "line N", f.message)


def rank(before: Analysis, finding: Finding, options: Sequence[tuple[Fix, Analysis | None]]) -> list[Ranked]:
    """The candidates (each with the analysis of its result, when known) best first; ties keep
    the order they came in."""
    counted = Counter(_key(f) for f in before.findings)
    nested = _nested(before, finding)
    task = _source_task(before, finding) if finding.rule == "out-of-scope-target" else ""
    scored: list[tuple[float, int, Ranked]] = []
    for i, (fix, after) in enumerate(options):
        score, why = _score(finding, fix, nested, task)
        if after is not None and score > FAR:
            left = Counter(_key(f) for f in after.findings)
            cleared = sum((counted - left).values())
            added = sum((left - counted).values())
            if cleared > 1:
                score += 2.0 * (cleared - 1)
                why.append(f"also clears {cleared - 1} other finding(s)")
            if added:
                score -= 5.0 * added
                why.append(f"adds {added} finding(s)")
        scored.append((score, i, Ranked(fix, round(score, 3), tuple(why))))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [r for _, _, r in scored]


def top(ranked: Sequence[Ranked], most: int = 3, margin: float = MARGIN) -> list[Ranked]:
    """The best candidate and those less than ``margin`` below it (at most ``most``); a rename
    to a name with little in common with the one written is never among them."""
    shown = [r for r in ranked if r.score > FAR]
    if not shown:
        return []
    best = shown[0].score
    return [r for r in shown[:most] if r.score > best - margin]


def _nested(analysis: Analysis, finding: Finding) -> bool:
    wf = analysis.workflow
    src = finding.data.get("source")
    node = wf.nodes.get(src) if wf is not None and isinstance(src, str) else None
    return node is not None and wf is not None and wf.scopes[node.scope].parent is not None


_STOPS = re.compile(r"^(?:stop|abort|cancel|halt|terminate|fail|reject|give ?up|bail)", re.I)


def _source_task(analysis: Analysis, finding: Finding) -> str:
    """The name of the task the finding's ``then`` is on; "" when unknown."""
    wf = analysis.workflow
    src = finding.data.get("source")
    node = wf.nodes.get(src) if wf is not None and isinstance(src, str) else None
    return node.name if node is not None else ""


def _score(finding: Finding, fix: Fix, nested: bool, task: str = "") -> tuple[float, list[str]]:
    d = fix.data
    kind = d.get("kind")
    bad, to = d.get("from"), d.get("to")
    why: list[str] = []
    score = 0.0
    suggestion = finding.data.get("suggestion")
    if (
        kind in ("rename-reference", "did-you-mean", "rename-node")
        and isinstance(bad, str)
        and isinstance(to, str)
    ):
        sim = similarity(bad, to)
        score += 4.0 * sim
        if is_typo(bad, to):
            if kind != "rename-node":
                score += 2.0
                why.append(f'"{bad}" is a typo of "{to}"')
        elif differs_by_words(bad, to):
            if kind == "rename-node":
                score += 3.0
                why.append(
                    f'"{to}" is "{bad}" with words added: the {_what(fix)} was renamed, its users were not'
                )
        else:
            score -= 2.0
            if sim < 0.5:
                why.append(f'"{to}" has little in common with "{bad}"')
                return min(score, FAR), why
        if to == suggestion or d.get("suggested"):
            score += 1.0
            why.append("the rule's own suggestion")
        if kind == "did-you-mean":
            score += 1.0
    elif kind == "directive":
        if finding.rule == "out-of-scope-target":
            score += {"exit": 3.0 if nested else 0.5, "end": 1.5, "continue": 0.0}.get(str(to), 0.0)
            if to == "exit" and nested:
                why.append("leaves this block toward the task it named, as exit does")
            if to == "end" and _STOPS.match(task):
                # "stopFulfilment": the task is named for stopping the flow
                score += 3.0
                why.append(f'"{task}" is named for stopping the flow')
        else:
            score -= 1.0
    elif kind == "declare":
        score += 2.0
        why.append("declares the missing name; what the author wrote stays")
        if d.get("mentions"):
            score += 0.5
    elif kind in ("remove-then", "loop-end", "loop-exit"):
        if d.get("back_edge"):
            score += 2.0
            why.append("breaks the edge that jumps back")
        if kind == "remove-then" and d.get("last_in_scope"):
            score += 2.0
            why.append("the last task then ends the flow as it would without the then")
        elif kind == "loop-end":
            score += 0.5
    elif kind == "rename-duplicate":
        if d.get("dangling"):
            score += 3.0
            why.append(f'a then still names "{to}", which no task has')
        elif d.get("derived"):
            score += 1.0
            why.append("a name read from what the task does")
    elif kind == "remove-id":
        score += 2.0
        why.append("no later step reads the copied id")
    if fix.preferred and kind not in ("rename-duplicate",):
        score += 0.5
    return score, why


def _what(fix: Fix) -> str:
    return "job" if fix.title.startswith("Rename job") else "task"
