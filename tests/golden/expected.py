"""The golden ``.expected`` format: one finding a line, ``LINE:COL RULE MESSAGE``.

``LINE`` and ``COL`` are 1-based (``COL`` in UTF-16 code units), ``RULE`` the rule id and
``MESSAGE`` the finding's message as the user reads it (a line break in a message is written
``\\n``). The golden tests compare these lines in full, so a changed message shows up as a
failing test and, once regenerated, as a reviewed diff.

Run as a script (``make golden``) it rewrites the ``.expected`` file of every faulty spec under
``specs/*/faulty`` from what the analyzer finds now; arguments narrow it to some dialects
(``make golden DIALECTS=github``) or some spec files.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from tests.conftest import SPECS
from wfspec.analysis.engine import analyze
from wfspec.findings import Finding

#: the faulty specs of each dialect, each beside its ``.expected`` file
FAULTY_GLOBS = {"serverless": "*.yaml", "github": "*.yml"}


def faulty_specs(dialect: str) -> list[Path]:
    """The faulty specs of one dialect, sorted by name."""
    return sorted((SPECS / dialect / "faulty").glob(FAULTY_GLOBS[dialect]))


def line(finding: Finding) -> str:
    """One finding as its ``.expected`` line."""
    pos = finding.span.start
    message = finding.message.replace("\n", "\\n")
    return f"{pos.line + 1}:{pos.character + 1} {finding.rule} {message}"


def found(path: Path) -> list[str]:
    """The lines the analyzer produces for ``path`` now."""
    result = analyze(path.read_bytes(), path.as_uri())
    return [line(f) for f in result.findings]


def expected(path: Path) -> list[str]:
    """The lines ``path``'s ``.expected`` file holds (blank lines skipped)."""
    text = path.with_suffix(".expected").read_text(encoding="utf-8")
    return [ln for ln in text.splitlines() if ln.strip()]


def write(path: Path) -> bool:
    """Rewrite ``path``'s ``.expected`` file; True when its text changed."""
    exp = path.with_suffix(".expected")
    text = "".join(f"{ln}\n" for ln in found(path))
    old = exp.read_text(encoding="utf-8") if exp.is_file() else None
    if text == old:
        return False
    exp.write_text(text, encoding="utf-8")
    return True


def main(argv: Sequence[str]) -> int:
    """Regenerate the ``.expected`` files named by ``argv`` (dialects or spec files; all by default)."""
    paths: list[Path] = []
    for arg in argv or list(FAULTY_GLOBS):
        if arg in FAULTY_GLOBS:
            paths += faulty_specs(arg)
        elif Path(arg).is_file():
            paths.append(Path(arg).resolve())
        else:
            print(
                f"golden: {arg!r} is neither a dialect ({', '.join(FAULTY_GLOBS)}) nor a file",
                file=sys.stderr,
            )
            return 2
    changed = [p for p in paths if write(p)]
    for p in changed:
        print(f"rewrote {os.path.relpath(p.with_suffix('.expected'))}")
    print(f"{len(paths)} specs, {len(changed)} .expected files changed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
