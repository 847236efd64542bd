"""Dialects: detection and lowering of each workflow language to the shared IR.

A dialect module provides ``NAME``, ``detect(doc, uri) -> bool`` and ``lower(doc, uri) ->
Workflow``. Detection order matters: the most specific content marker first.
"""

from __future__ import annotations

from types import ModuleType

from wfspec.dialects import github, serverless
from wfspec.syntax.parse import Document

_DIALECTS: dict[str, ModuleType] = {"serverless": serverless, "github": github}


def names() -> list[str]:
    return list(_DIALECTS)


def get(name: str) -> ModuleType:
    """The dialect module called ``name`` (KeyError if unknown)."""
    return _DIALECTS[name]


def detect(doc: Document, uri: str = "") -> str | None:
    """The dialect of a parsed document, or None when it is no workflow wfspec knows."""
    for name, mod in _DIALECTS.items():
        if hasattr(mod, "detect") and mod.detect(doc, uri):
            return name
    return None
