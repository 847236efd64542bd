"""Serverless Workflow DSL 1.0.x: detection and lowering (``lowering.py``), runtime-expression
syntax (``jq.py``) and the structural schema (``schema.py``)."""

from __future__ import annotations

from wfspec.ir import Workflow
from wfspec.syntax.parse import Document
from wfspec.syntax.tree import MapNode

NAME = "serverless"
SUFFIXES = (".sw.yaml", ".sw.yml", ".sw.json")


def detect(doc: Document, uri: str = "") -> bool:
    """A mapping whose ``document`` has a ``dsl`` version, a ``document`` mapping beside a
    top-level ``do`` (a workflow missing its required ``dsl``: the schema check says so rather
    than the file being skipped), or a ``*.sw.yaml`` file with a top-level ``do`` or
    ``document``."""
    root = doc.root
    if not isinstance(root, MapNode):
        return False
    document = root.get("document")
    if isinstance(document, MapNode) and ("dsl" in document or "do" in root):
        return True
    if uri.lower().endswith(SUFFIXES) and ("do" in root or "document" in root):
        return True
    return False


def lower(doc: Document, uri: str = "", previous: Workflow | None = None) -> Workflow:
    """Lower a parsed document to the IR. ``previous``: the workflow lowered from the version
    this document was incrementally re-parsed from; its unchanged tasks are reused."""
    from wfspec.dialects.serverless.lowering import lower as _lower

    return _lower(doc, previous)
