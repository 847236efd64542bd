"""IR to networkx: the control-flow graph and the graph questions rules ask of it.

Dialect-neutral: reachability from the root entry, nodes that can finish (reach the end or a
fault), strongly connected components without an exit, dependency cycles.
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

    def can_finish(self) -> set[str]:
        """Graph nodes from which the workflow end or a fault is reachable."""
        got = self._cache.get("can_finish")
        if got is None:
            import networkx as nx

            rev = self.graph.reverse(copy=False)
            out: set[str] = set()
            for terminal in (ir.END_NODE, ir.FAULT_NODE):
                if terminal in self.graph:
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
    and fault nodes, and every resolved edge (parallel edges collapse; the first kind wins)."""
    import networkx as nx

    g: nx.DiGraph = nx.DiGraph()
    g.add_node(ir.END_NODE, pseudo=True)
    for scope in workflow.scopes.values():
        g.add_node(scope.entry, pseudo=True, scope=scope.id)
        g.add_node(scope.exit, pseudo=True, scope=scope.id)
    for node in workflow.nodes.values():
        g.add_node(node.id, pseudo=False, scope=node.scope, kind=node.kind, name=node.name)
    for e in workflow.edges:
        if e.target is None:
            continue
        if e.target == ir.FAULT_NODE and ir.FAULT_NODE not in g:
            g.add_node(ir.FAULT_NODE, pseudo=True)
        if not g.has_edge(e.source, e.target):
            g.add_edge(e.source, e.target, kind=e.kind)
    return FlowGraph(workflow, g)
