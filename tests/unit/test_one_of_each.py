"""One of each small helper: a second definition of a line-start, did-you-mean or URI helper, or
a second directory walk, fails here instead of drifting apart from the first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "wfspec"

#: what is defined once, and where (methods that delegate to it excluded)
ONE_OF_EACH = {
    r"def _?line_start\((?!self)": "syntax/tree.py",
    r"def _?line_end\((?!self)": "syntax/tree.py",
    r"def _?line_text\((?!self)": "syntax/tree.py",
    r"def _?closest\((?!self)": "suggest.py",
    r"def _?did_you_mean\(\s*name": "suggest.py",
    r"def _?uri_to_path\((?!self)": "paths.py",
    r"\bos\.walk\(": "paths.py",
}
#: copies still to be folded into the helpers above (each module's own rewrite removes it)
REMAINING = {"llm/generate.py", "llm/repair.py"}


def _sources() -> dict[str, str]:
    return {p.relative_to(PACKAGE).as_posix(): p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")}


@pytest.mark.parametrize("pattern", list(ONE_OF_EACH))
def test_defined_once(pattern: str) -> None:
    where = sorted(
        f"{rel}:{text.count(chr(10), 0, m.start()) + 1}"
        for rel, text in _sources().items()
        if rel not in REMAINING
        for m in re.finditer(pattern, text)
    )
    home = ONE_OF_EACH[pattern]
    assert [w.split(":")[0] for w in where] == [home], where
