"""Shared test helpers: repository paths and the optional shared corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"


def corpus(*parts: str) -> Path:
    """A directory of the shared corpora, or skip the test when it is absent."""
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared corpus {'/'.join(parts)} not present")
    return path
