"""Syntax layer: text to a positioned YAML node tree; never raises, problems become findings."""

from wfspec.syntax.parse import Document, parse
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
    "Document",
    "LineIndex",
    "MapNode",
    "Node",
    "Position",
    "ScalarNode",
    "SeqNode",
    "Span",
    "parse",
    "scalar_str",
    "walk",
]
