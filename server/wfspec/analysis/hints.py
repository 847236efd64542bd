"""The structured form of a dialect check's "did you mean": ``{"name": bad, "suggestion": good}``.

Most rules build a finding's ``data`` from the facts they read. Some dialect checks (the GitHub
Actions schema and expression checks, references the GitHub Actions lowering found wanting)
still hand the rule a phrased problem: a span and a message. For those, the rule that turns the
problem into a finding calls :func:`suggestion_data` once, so fixes and repairs read the bad
name and its replacement from ``data`` like every other finding's and never parse a message.
A check that records the pair itself needs none of this.
"""

from __future__ import annotations

import difflib
import re

_SUGGESTED = re.compile(r'did you mean "([^"]+)"')
_QUOTED = re.compile(r'"([^"]+)"')


def suggestion_data(text: str, start: int, end: int, message: str) -> dict[str, str]:
    """``{"name", "suggestion"}`` for a problem at ``text[start:end]`` whose message proposes a
    replacement; the bad name is the quoted name of the message that is written inside the
    range (else the first quoted name on the range's lines). Empty when there is no proposal or
    the bad name cannot be found in the text."""
    good = _SUGGESTED.search(message)
    if good is None:
        return {}
    suggestion = good.group(1)
    bads = [b for b in _QUOTED.findall(message[: good.start()]) if b != suggestion]
    if not bads:
        return {}
    written = text[start:end]
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", max(end - 1, start))
    line = text[ls : len(text) if le < 0 else le]
    # the quoted names written in the range or on its lines (a message may also quote the key
    # or the allowed values): the one closest to the suggestion, the range's first on a tie
    found = [b for b in bads if b in written] + [b for b in bads if b in line and b not in written]
    if not found:
        return {}
    best = max(found, key=lambda b: (difflib.SequenceMatcher(None, b, suggestion).ratio(), -found.index(b)))
    return {"name": best, "suggestion": suggestion}
