"""Did-you-mean: the one way wfspec picks the known name closest to a misspelt one.

Lowering (which records the candidates) and the rules (which phrase the finding) both use it,
so every "did you mean" in wfspec is chosen the same way. Nothing here imports the rest of
wfspec.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most similar to ``name``, compared case-insensitively (a candidate that
    differs only in case wins), or None when none is close enough."""
    cands = sorted(set(candidates))
    if not cands:
        return None
    lowered = {c.lower(): c for c in cands}
    if name.lower() in lowered and lowered[name.lower()] != name:
        return lowered[name.lower()]
    got = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[got[0]] if got else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """``; did you mean "x"?`` for the closest candidate, or an empty string."""
    best = closest(name, candidates)
    return f'; did you mean "{best}"?' if best else ""
