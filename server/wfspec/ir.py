"""The dialect-neutral Workflow IR: nodes, edges, scopes, definitions, references, expressions.

Every dialect lowers to this so that every rule, fix, completion and repair works for all of
them. Pure dataclasses; no parsing and no graph algorithms here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wfspec.syntax.tree import MapNode, Node, Span

#: edge kinds
NEXT = "next"  # implicit: continue to the following task
THEN = "then"  # an explicit flow directive naming a task
CASE = "case"  # a switch case's then
NEEDS = "needs"  # GitHub Actions job dependency
CATCH = "catch"  # fault path into a catch block
LOOP = "loop"  # back edge of a bounded loop (for, foreach)
BRANCH = "branch"  # fork branch start
ENTER = "enter"  # composite task into its first inner task
END = "end"  # to the workflow end
EXIT = "exit"  # to the end of the enclosing scope
FAULT = "fault"  # raise without an enclosing try

#: ids of the global pseudo nodes
END_NODE = "<end>"
FAULT_NODE = "<fault>"


@dataclass(slots=True, eq=False)
class TaskNode:
    """A task, job or step.

    ``id`` is unique in the workflow (a path like ``/do/2/route``); ``name`` is what the author
    wrote. ``scope`` is the id of the scope that declares it.
    """

    id: str
    name: str
    kind: str
    name_span: Span
    body_span: Span
    scope: str
    index: int  # position in its scope
    body: Node | None = None
    key: Node | None = None
    inner: list[str] = field(default_factory=list)  # scopes this node owns
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def mapping(self) -> MapNode | None:
        """The task body when it is a mapping."""
        return self.body if isinstance(self.body, MapNode) else None


@dataclass(slots=True, eq=False)
class Edge:
    """A transition. ``target`` is the resolved node id, or None when it resolves nowhere."""

    source: str
    kind: str
    target: str | None
    target_name: str | None = None
    span: Span | None = None


@dataclass(slots=True, eq=False)
class Scope:
    """A block of tasks: a ``do`` list, a fork's branches, a job's steps, the jobs map.

    Flow directives inside a scope may only target its own tasks. ``entry`` and ``exit`` are
    pseudo node ids; the top-level scope's exit is the workflow end.
    """

    id: str
    kind: str
    owner: str | None  # the task that opens it; None at top level
    parent: str | None
    tasks: list[str] = field(default_factory=list)
    span: Span | None = None

    @property
    def entry(self) -> str:
        return f"{self.id}#entry"

    @property
    def exit(self) -> str:
        return f"{self.id}#exit"


@dataclass(slots=True, eq=False)
class Definition:
    """A named thing other than a task: function, error, secret, authentication, extension,
    retry, timeout, input, job output, step output, matrix key..."""

    kind: str
    name: str
    span: Span
    owner: str | None = None  # the node that declares it (a job for its outputs), if any
    node: Node | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class Reference:
    """A use of a definition or of a node's output, with its span and the node it occurs in."""

    kind: str
    name: str
    span: Span
    node: str | None = None
    path: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class Expression:
    """A runtime expression (``${ }`` or ``${{ }}``): its inner text and where that text starts."""

    text: str
    span: Span  # the whole expression including delimiters
    inner_offset: int  # code-point offset of ``text[0]`` in the document
    node: str | None = None
    field: str = ""  # the property path it appears under, e.g. "if", "with.body"
    #: document offset of each character of ``text`` (and one past the end) when the source
    #: maps character by character (escapes decoded); None for folded multi-line scalars
    offsets: list[int] | None = None

    def offset_at(self, index: int) -> int:
        """Document offset of ``text[index]`` (clamped), best effort."""
        if self.offsets:
            return self.offsets[max(0, min(index, len(self.offsets) - 1))]
        return self.inner_offset


@dataclass(slots=True, eq=False)
class Workflow:
    """One lowered workflow document."""

    dialect: str
    name: str = ""
    nodes: dict[str, TaskNode] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    scopes: dict[str, Scope] = field(default_factory=dict)
    definitions: list[Definition] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    expressions: list[Expression] = field(default_factory=list)
    root_scope: str = "/"
    payload: dict[str, Any] = field(default_factory=dict)
    #: the dialect's private record of how it lowered each part, which lets lowering the next
    #: version of the same document (after an incremental re-parse) reuse the unchanged parts
    reuse: Any = field(default=None, repr=False)

    def add_node(self, node: TaskNode) -> TaskNode:
        self.nodes[node.id] = node
        self.scopes[node.scope].tasks.append(node.id)
        return node

    def add_scope(self, scope: Scope) -> Scope:
        self.scopes[scope.id] = scope
        if scope.owner is not None and scope.owner in self.nodes:
            self.nodes[scope.owner].inner.append(scope.id)
        return scope

    def tasks_in(self, scope_id: str) -> list[TaskNode]:
        return [self.nodes[t] for t in self.scopes[scope_id].tasks]

    def definitions_of(self, kind: str) -> list[Definition]:
        return [d for d in self.definitions if d.kind == kind]

    def ancestors(self, scope_id: str) -> list[Scope]:
        """The scope and its enclosing scopes, innermost first."""
        out: list[Scope] = []
        cur: str | None = scope_id
        while cur is not None:
            s = self.scopes[cur]
            out.append(s)
            cur = s.parent
        return out
