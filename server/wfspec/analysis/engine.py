"""The one entry point: ``analyze(text, uri, config) -> Analysis``.

Used by the CLI, diagnostics, completion validation and repair validation. Parses, detects the
dialect, lowers to the IR, builds the graph and runs every enabled rule. Never raises: a rule
that crashes is logged and contributes nothing.
"""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass, field

from wfspec import dialects
from wfspec.analysis.config import Config, is_suppressed, suppressions
from wfspec.analysis.graph import FlowGraph, build_graph
from wfspec.analysis.rules import REGISTRY
from wfspec.analysis.rules.base import Context
from wfspec.findings import Finding, Severity, normalize
from wfspec.ir import Workflow
from wfspec.syntax.incremental import reparse
from wfspec.syntax.parse import Document, parse

log = logging.getLogger("wfspec.analysis")


@dataclass(slots=True)
class Analysis:
    """The result of analyzing one document."""

    uri: str
    text: str
    doc: Document
    dialect: str | None
    workflow: Workflow | None = None
    graph: FlowGraph | None = None
    findings: list[Finding] = field(default_factory=list)
    suppressed: int = 0

    @property
    def has_errors(self) -> bool:
        return any(f.severity == 1 for f in self.findings)


def analyze(
    source: str | bytes,
    uri: str = "",
    config: Config | None = None,
    *,
    dialect: str | None = None,
    previous: Analysis | None = None,
) -> Analysis:
    """Analyze one document. ``dialect`` (or ``config.dialect``) forces a dialect; otherwise it
    is detected from the content and ``uri``. A document of no known dialect yields no
    findings beyond syntax problems and ``dialect`` None.

    ``previous``, the analysis of an earlier version of the same document, lets the parser
    re-parse only the part that changed (:mod:`wfspec.syntax.incremental`); it is consumed:
    its syntax tree is reused and updated in place, so it must not be used afterwards."""
    # Analysis allocates many short-lived, acyclic objects; pausing the cyclic collector while
    # it runs avoids repeated full-heap scans (a large share of the time on big files).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _analyze(source, uri, config or Config(), dialect, previous)
    finally:
        if was_enabled:
            gc.enable()


def _parse(source: str | bytes, config: Config, previous: Analysis | None) -> tuple[Document, bool]:
    """The document, and whether it was re-parsed incrementally from ``previous``."""
    if previous is not None and isinstance(source, str):
        try:
            doc = reparse(previous.doc, source, max_bytes=config.max_file_size)
        except Exception:  # noqa: BLE001 - a bug here must cost only speed
            log.exception("incremental re-parse failed; parsing in full")
            doc = None
        if doc is not None:
            return doc, True
    return parse(source, max_bytes=config.max_file_size), False


def _analyze(
    source: str | bytes, uri: str, config: Config, dialect: str | None, previous: Analysis | None
) -> Analysis:
    doc, reparsed = _parse(source, config, previous)
    result = Analysis(uri=uri, text=doc.text, doc=doc, dialect=None)
    findings: list[Finding] = [f for f in doc.problems if config.enabled("syntax")]
    chosen = dialect or config.dialect
    if not doc.fatal:
        try:
            chosen = chosen or dialects.detect(doc, uri)
        except Exception:  # noqa: BLE001 - detection must not take the caller down
            log.exception("dialect detection failed for %s", uri)
            chosen = None
    result.dialect = chosen
    if chosen is not None and not doc.fatal and doc.root is not None:
        try:
            lower = dialects.get(chosen).lower
            if (
                reparsed
                and previous is not None
                and previous.workflow is not None
                and previous.dialect == chosen
            ):
                wf = lower(doc, uri, previous=previous.workflow)
            else:
                wf = lower(doc, uri)
            result.workflow = wf
            result.graph = build_graph(wf)
        except RecursionError:
            result.workflow = None
            span = doc.root.span
            findings.append(
                Finding("schema", Severity.ERROR, "the workflow is nested too deeply to analyze", span)
            )
        except Exception:  # noqa: BLE001
            log.exception("lowering failed for %s", uri)
            result.workflow = None
        if result.workflow is not None and result.graph is not None:
            ctx = Context(uri, doc, result.workflow, result.graph, config)
            for rule in REGISTRY:
                if rule.id == "syntax" or not config.enabled(rule.id) or chosen not in rule.dialects:
                    continue
                try:
                    findings.extend(rule.check(ctx))
                except Exception:  # noqa: BLE001
                    log.exception("rule %s crashed on %s", rule.id, uri)
    if config.severities:
        for f in findings:
            sev = config.severities.get(f.rule)
            if sev is not None:
                f.severity = sev
    sup = suppressions(doc.comments) if doc.comments else {}
    if sup:
        kept = [f for f in findings if not is_suppressed(f, sup, doc.comments)]
        result.suppressed = len(findings) - len(kept)
        findings = kept
    result.findings = normalize(findings)
    return result
