"""IR to networkx: the control-flow graph and the graph questions rules ask of it.

Dialect-neutral: reachability from the root entry, nodes that can finish (reach the end or a
fault), strongly connected components without an exit, dependency cycles.

An edge whose target did not resolve (a typo in ``then:``, a ``needs`` naming no job) leads
nowhere: it is not in the graph, it is listed in :attr:`FlowGraph.dangling`. Only what the
dialect marks as dynamic (an expression target) may lead anywhere, through its own hub node.
:meth:`FlowGraph.reachable_with` answers "what would be reachable if these references led
there", which :mod:`wfspec.analysis.masking` uses to tell the faults a typo masks from the
faults that are there anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from wfspec import ir
from wfspec.ir import Workflow

if TYPE_CHECKING:
    import networkx as nx

# networkx is imported on first use, not with this module: importing it takes about a quarter
# of a second, which the language server would otherwise spend before answering ``initialize``


@dataclass(slots=True, eq=False)
class FlowGraph:
    """The control-flow graph of one workflow plus cached answers."""

    workflow: Workflow
    graph: nx.DiGraph
    dangling: list[ir.Edge] = field(default_factory=list)
    """Edges that name a target that did not resolve (not dynamic ones): they lead nowhere."""
    _cache: dict[str, object] = field(default_factory=dict)

    @property
    def entry(self) -> str:
        return self.workflow.scopes[self.workflow.root_scope].entry

    def reachable(self) -> set[str]:
        """Graph nodes reachable from the workflow entry."""
        got = self._cache.get("reachable")
        if got is None:
            import networkx as nx

            got = nx.descendants(self.graph, self.entry) | {self.entry} if self.entry in self.graph else set()
            self._cache["reachable"] = got
        return got  # type: ignore[return-value]

    def reachable_with(self, extra: list[tuple[str, str]]) -> set[str]:
        """Graph nodes reachable from the entry if the ``(source, target)`` edges were there
        too (the unresolved references, led where they were presumably meant to go)."""
        if not extra:
            return self.reachable()
        more: dict[str, list[str]] = {}
        for s, t in extra:
            more.setdefault(s, []).append(t)
        if self.entry not in self.graph:
            return set()
        seen = {self.entry}
        todo = [self.entry]
        while todo:
            n = todo.pop()
            nxt = list(self.graph.successors(n)) if n in self.graph else []
            for m in nxt + more.get(n, []):
                if m not in seen:
                    seen.add(m)
                    todo.append(m)
        return seen

    def can_finish(self) -> set[str]:
        """Graph nodes from which the workflow end or a fault is reachable. A node with a
        dangling edge counts as able to finish: where its reference leads is unknown, and the
        unresolved reference is reported on its own."""
        got = self._cache.get("can_finish")
        if got is None:
            import networkx as nx

            rev = self.graph.reverse(copy=False)
            out: set[str] = set()
            terminals = [ir.END_NODE, ir.FAULT_NODE, *(e.source for e in self.dangling)]
            for terminal in terminals:
                if terminal in self.graph and terminal not in out:
                    out |= nx.descendants(rev, terminal) | {terminal}
            got = out
            self._cache["can_finish"] = got
        return got  # type: ignore[return-value]

    def cyclic_components(self) -> list[set[str]]:
        """Strongly connected components that contain a cycle (size > 1 or a self loop)."""
        got = self._cache.get("sccs")
        if got is None:
            import networkx as nx

            comps = []
            for comp in nx.strongly_connected_components(self.graph):
                if len(comp) > 1:
                    comps.append(set(comp))
                else:
                    (only,) = comp
                    if self.graph.has_edge(only, only):
                        comps.append({only})
            got = comps
            self._cache["sccs"] = got
        return got  # type: ignore[return-value]

    @cached_property
    def task_ids(self) -> set[str]:
        return set(self.workflow.nodes)


def build_graph(workflow: Workflow) -> FlowGraph:
    """The control-flow graph of ``workflow``: tasks, scope entry/exit pseudo nodes, the end
    and fault nodes, and every resolved edge (parallel edges collapse; the first kind wins).
    An unresolved edge leads nowhere: it goes to :attr:`FlowGraph.dangling` instead."""
    import networkx as nx

    dangling: list[ir.Edge] = []
    g: nx.DiGraph = nx.DiGraph()
    g.add_node(ir.END_NODE, pseudo=True)
    for scope in workflow.scopes.values():
        g.add_node(scope.entry, pseudo=True, scope=scope.id)
        g.add_node(scope.exit, pseudo=True, scope=scope.id)
    for node in workflow.nodes.values():
        g.add_node(node.id, pseudo=False, scope=node.scope, kind=node.kind, name=node.name)
    for e in workflow.edges:
        if e.target is None:
            if is_dangling(e):
                dangling.append(e)
            continue
        if e.target == ir.FAULT_NODE and ir.FAULT_NODE not in g:
            g.add_node(ir.FAULT_NODE, pseudo=True)
        if not g.has_edge(e.source, e.target):
            g.add_edge(e.source, e.target, kind=e.kind)
    return FlowGraph(workflow, g, dangling)


def is_dangling(e: ir.Edge) -> bool:
    """An edge naming a target that did not resolve (an expression target is not one)."""
    return e.target is None and e.target_name is not None and e.span is not None and "${" not in e.target_name
