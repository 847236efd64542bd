"""GitHub Actions dialect: detection, lowering (``lowering.py``), the expression parser
(``expr.py``), the structural schema and catalog checks (``schema.py``), the action catalog
(``catalog.py``) and local actions/reusable workflows read from disk (``local.py``)."""

from __future__ import annotations

from wfspec.ir import Workflow
from wfspec.syntax.parse import Document
from wfspec.syntax.tree import MapNode

NAME = "github"
SUFFIXES = (".yml", ".yaml")


def _in_workflows_dir(uri: str) -> bool:
    u = uri.replace("\\", "/")
    if not u.lower().endswith(SUFFIXES):
        return False
    head, _, _ = u.rpartition("/")
    return head.endswith("/.github/workflows") or head == ".github/workflows"


def detect(doc: Document, uri: str = "") -> bool:
    """A file under ``.github/workflows/`` ending ``.yml``/``.yaml``, or a top-level mapping with
    both ``on`` and ``jobs``. A composite action (``runs:`` and no ``jobs``) is not a workflow."""
    root = doc.root
    if isinstance(root, MapNode):
        if "jobs" in root and "on" in root:
            return True
        if "runs" in root and "jobs" not in root:
            return False
    return bool(uri) and _in_workflows_dir(uri)


def lower(doc: Document, uri: str = "", previous: Workflow | None = None) -> Workflow:
    """Lower a parsed document to the IR (``previous`` is not used: jobs are lowered afresh)."""
    from wfspec.dialects.github.lowering import lower as _lower

    return _lower(doc, uri)
