"""The rule interface: metadata plus a check function over an analysis context."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wfspec.findings import Finding, Related, Severity
from wfspec.suggest import closest as closest  # re-exported: the rules' did-you-mean
from wfspec.suggest import did_you_mean as did_you_mean
from wfspec.syntax.tree import Span

if TYPE_CHECKING:
    from wfspec.analysis.config import Config
    from wfspec.analysis.graph import FlowGraph
    from wfspec.ir import Workflow
    from wfspec.syntax.parse import Document


@dataclass(slots=True)
class Context:
    """Everything a rule may look at for one document."""

    uri: str
    doc: Document
    workflow: Workflow
    graph: FlowGraph
    config: Config
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def dialect(self) -> str:
        return self.workflow.dialect


CheckFn = Callable[[Context], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule: kebab-case id (= module name), default severity, one-line description, the
    module docstring (with a bad and a good example) and the check function."""

    id: str
    severity: Severity
    description: str
    check: CheckFn
    dialects: frozenset[str] = frozenset({"serverless", "github"})
    doc: str = ""

    def finding(
        self,
        span: Span,
        message: str,
        *,
        related: Iterable[Related] = (),
        data: dict[str, Any] | None = None,
        severity: Severity | None = None,
        tags: tuple[str, ...] = (),
    ) -> Finding:
        return Finding(self.id, severity or self.severity, message, span, tuple(related), data or {}, tags)


def make_rule(module_name: str, severity: Severity, description: str, check: CheckFn, **kw: Any) -> Rule:
    """Build a rule from its module: id from the module name, doc from its docstring."""
    import sys

    mod = sys.modules[module_name]
    rid = module_name.rsplit(".", 1)[-1].replace("_", "-")
    return Rule(rid, severity, description, check, doc=inspect.cleandoc(mod.__doc__ or ""), **kw)


def iter_tasks_by_name(workflow: Workflow, name: str) -> Iterator[str]:
    for nid, node in workflow.nodes.items():
        if node.name == name:
            yield nid
