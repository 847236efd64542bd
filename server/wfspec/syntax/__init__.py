"""Syntax layer: text to a positioned YAML node tree; never raises, problems become findings.

``tree`` (positions and nodes) has no dependencies and is re-exported here; import the parser
from ``wfspec.syntax.parse`` (it reports findings, and ``wfspec.findings`` depends on ``tree``).
"""

from __future__ import annotations

from wfspec.syntax.tree import (
    LineIndex,
    MapNode,
    Node,
    Position,
    ScalarNode,
    SeqNode,
    Span,
    scalar_str,
    walk,
)

__all__ = [
    "LineIndex",
    "MapNode",
    "Node",
    "Position",
    "ScalarNode",
    "SeqNode",
    "Span",
    "scalar_str",
    "walk",
]
