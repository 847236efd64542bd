"""Lower a Serverless Workflow DSL 1.0.x document to the Workflow IR.

Owns the DSL's flow semantics: declaration-order continuation, ``then`` directives
(``continue``/``exit``/``end``/task name), switch cases and defaults, scopes opened by ``do``,
``for``, ``fork``, ``try``/``catch`` and ``foreach``, raise-to-catch fault paths, ``use``
definitions, and references (functions, errors, secrets, authentications, retries, timeouts,
``$context`` reads) including those inside runtime expressions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wfspec import ir
from wfspec.dialects.serverless import jq
from wfspec.ir import Definition, Edge, Expression, Reference, Scope, TaskNode, Workflow
from wfspec.syntax.parse import Document
from wfspec.syntax.tree import MapNode, Node, Position, ScalarNode, SeqNode, Span, scalar_str

BUILTIN_CALLS = frozenset({"http", "grpc", "openapi", "asyncapi", "a2a", "mcp"})
#: task kinds in the order used to classify a task body (for/try/fork/switch before call/do)
TASK_KINDS = ("for", "try", "fork", "switch", "call", "do", "listen", "raise", "run", "set", "wait", "emit")
FLOW_KEYWORDS = frozenset({"continue", "exit", "end"})
USE_KINDS = {
    "functions": "function",
    "errors": "error",
    "secrets": "secret",
    "authentications": "authentication",
    "extensions": "extension",
    "retries": "retry",
    "timeouts": "timeout",
    "catalogs": "catalog",
}
AUTH_SCHEMES = frozenset({"basic", "bearer", "digest", "oauth2", "oidc", "certificate"})


def task_kind(body: MapNode) -> str:
    """The task type of a task body: ``call``, ``do``, ..., or ``unknown``."""
    for k in TASK_KINDS:
        if k in body:
            if k == "do" and "for" in body:
                return "for"
            return k
    return "unknown"


@dataclass(slots=True, eq=False)
class _Item:
    """What lowering one top-level task item produced, for reuse by the next lowering."""

    node: Node  # the item (kept, so that its id stays unique while this record lives)
    index: int  # the item's position in the top-level ``do`` list
    first: int  # how many top-level tasks preceded it
    line: int  # where the item started when it was lowered
    offset: int
    nodes: list[TaskNode] = field(default_factory=list)  # in creation order
    scopes: list[Scope] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    expressions: list[Expression] = field(default_factory=list)
    exports: int = 0
    exported: set[str] = field(default_factory=set)
    exports_dynamic: bool = False


_tuple = tuple.__new__  # builds a NamedTuple without its Python-level __new__ (hot below)


def _shift_span(sp: Span, lines: int, offset: int) -> Span:
    s, e = sp
    return _tuple(  # type: ignore[no-any-return]
        Span,
        (
            _tuple(Position, (s[0] + lines, s[1], s[2] + offset)),
            _tuple(Position, (e[0] + lines, e[1], e[2] + offset)),
        ),
    )


class Lowerer:
    """One lowering run over one document.

    With ``previous`` (the workflow lowered from the version this document was incrementally
    re-parsed from), a top-level task item whose syntax node was carried over unchanged is not
    lowered again: its tasks, scopes, references and expressions are taken over, moved by the
    lines and offsets the item moved. Control flow (edges) is always recomputed."""

    def __init__(self, doc: Document, previous: Workflow | None = None) -> None:
        self.doc = doc
        self.text = doc.text
        self.wf = Workflow(dialect="serverless")
        self.exports_dynamic = False
        self.exported: set[str] = set()
        self.exports = 0
        self.expression_at: set[int] = set()
        self.by_name: dict[str, dict[str, str]] = {}  # scope id -> task name -> first task id
        self.hubs: set[str] = set()
        prev = previous.reuse if previous is not None else None
        self.reusable: dict[int, _Item] = prev if isinstance(prev, dict) else {}
        self.items: dict[int, _Item] = {}
        self.rec: _Item | None = None  # the top-level item being lowered

    # -- entry point -------------------------------------------------------------------------
    def run(self) -> Workflow:
        root = self.doc.root
        wf = self.wf
        top = Scope(id="/do", kind="do", owner=None, parent=None)
        wf.root_scope = top.id
        wf.add_scope(top)
        if not isinstance(root, MapNode):
            wf.edges.append(Edge(top.entry, ir.ENTER, top.exit))
            wf.edges.append(Edge(top.exit, ir.END, ir.END_NODE))
            return wf
        document = root.get("document")
        if isinstance(document, MapNode):
            wf.name = scalar_str(document.get("name")) or ""
        self._use(root.get("use"))
        for key in ("input", "output", "timeout", "schedule", "evaluate"):
            val = root.get(key)
            if val is not None:
                self._collect(val, None, key)
        do = root.get("do")
        top.span = do.span if do is not None else None
        self._top_tasks(top, do)
        self._flow(top)
        wf.edges.append(Edge(top.exit, ir.END, ir.END_NODE))
        wf.payload["exports_dynamic"] = self.exports_dynamic
        wf.payload["exported"] = sorted(self.exported)
        wf.payload["exports"] = self.exports
        wf.reuse = self.items
        return wf

    # -- definitions -------------------------------------------------------------------------
    def _use(self, use: Node | None) -> None:
        if not isinstance(use, MapNode):
            return
        for key, value in use.items():
            kind = USE_KINDS.get(key.value)
            if kind is None:
                continue
            if isinstance(value, MapNode):
                for name, body in value.items():
                    self.wf.definitions.append(Definition(kind, name.value, name.span, node=body))
                    if kind in ("function", "authentication", "error", "retry", "timeout"):
                        self._collect(body, None, f"use.{key.value}.{name.value}")
            elif isinstance(value, SeqNode):
                for item in value.items:
                    if isinstance(item, ScalarNode) and not item.is_null:
                        self.wf.definitions.append(Definition(kind, item.value, item.span, node=item))
                    elif isinstance(item, MapNode):
                        for name, body in item.items():
                            self.wf.definitions.append(Definition(kind, name.value, name.span, node=body))
                            self._collect(body, None, f"use.{key.value}.{name.value}")

    # -- tasks and scopes --------------------------------------------------------------------
    def _top_tasks(self, top: Scope, seq: Node | None) -> None:
        """The top-level task list: each item lowered afresh or taken over from ``previous``."""
        if not isinstance(seq, SeqNode):
            return
        for i, item in enumerate(seq.items):
            if not isinstance(item, MapNode):
                continue
            old = self.reusable.get(id(item))
            if (
                old is not None
                and old.node is item
                and old.index == i
                and old.first == len(top.tasks)
                and id(item) not in self.doc.modified
            ):
                self._take_over(top, old, item)
                continue
            start = item.span.start
            rec = self.rec = _Item(item, i, len(top.tasks), start.line, start.offset)
            refs, exprs = len(self.wf.references), len(self.wf.expressions)
            for key, body in item.items():
                self._task(top, i, key, body)
            rec.references = self.wf.references[refs:]
            rec.expressions = self.wf.expressions[exprs:]
            self.rec = None
            self.items[id(item)] = rec

    def _take_over(self, top: Scope, rec: _Item, item: MapNode) -> None:
        wf = self.wf
        start = item.span.start
        lines, offset = start.line - rec.line, start.offset - rec.offset
        if lines or offset:
            rec.line, rec.offset = start.line, start.offset
            for n in rec.nodes:
                n.name_span = _shift_span(n.name_span, lines, offset)
                n.body_span = _shift_span(n.body_span, lines, offset)
            for sc in rec.scopes:
                if sc.span is not None:
                    sc.span = _shift_span(sc.span, lines, offset)
            for r in rec.references:
                r.span = _shift_span(r.span, lines, offset)
            for e in rec.expressions:
                e.span = _shift_span(e.span, lines, offset)
                e.inner_offset += offset
                if e.offsets is not None:
                    e.offsets = [o + offset for o in e.offsets]
        for n in rec.nodes:
            wf.nodes[n.id] = n
            if n.scope == top.id:
                top.tasks.append(n.id)
        for sc in rec.scopes:
            wf.scopes[sc.id] = sc
        wf.references.extend(rec.references)
        wf.expressions.extend(rec.expressions)
        self.exports += rec.exports
        self.exported.update(rec.exported)
        self.exports_dynamic = self.exports_dynamic or rec.exports_dynamic
        self.items[id(item)] = rec

    def _scope_tasks(self, scope: Scope, seq: Node | None) -> None:
        if not isinstance(seq, SeqNode):
            return
        for i, item in enumerate(seq.items):
            if not isinstance(item, MapNode):
                continue
            for key, body in item.items():
                self._task(scope, i, key, body)

    def _task(self, scope: Scope, index: int, key: ScalarNode, body: Node) -> None:
        wf = self.wf
        tid = f"{scope.id}/{index}/{key.value}"
        while tid in wf.nodes:  # two tasks in one item with the same name
            tid += "'"
        kind = task_kind(body) if isinstance(body, MapNode) else "unknown"
        node = TaskNode(
            id=tid,
            name=key.value,
            kind=kind,
            name_span=key.span,
            body_span=Span(key.span.start, body.span.end),
            scope=scope.id,
            index=len(scope.tasks),
            body=body,
            key=key,
        )
        wf.add_node(node)
        if self.rec is not None:
            self.rec.nodes.append(node)
        if not isinstance(body, MapNode):
            return
        inner_lists: list[tuple[str, str, Node | None]] = []
        if kind in ("do", "for"):
            inner_lists.append((f"{tid}/do", kind, body.get("do")))
        elif kind == "fork":
            fork = body.get("fork")
            inner_lists.append(
                (f"{tid}/fork", "fork", fork.get("branches") if isinstance(fork, MapNode) else None)
            )
        elif kind == "try":
            inner_lists.append((f"{tid}/try", "try", body.get("try")))
            catch = body.get("catch")
            if isinstance(catch, MapNode) and catch.get("do") is not None:
                inner_lists.append((f"{tid}/catch", "catch", catch.get("do")))
        foreach = self._foreach(body, kind)
        if foreach is not None:
            inner_lists.append((f"{tid}/foreach", "foreach", foreach.get("do")))
        for sid, skind, seq in inner_lists:
            inner = wf.add_scope(
                Scope(id=sid, kind=skind, owner=tid, parent=scope.id, span=seq.span if seq else None)
            )
            if self.rec is not None:
                self.rec.scopes.append(inner)
            self._scope_tasks(inner, seq)
        self._task_refs(node, body)

    @staticmethod
    def _foreach(body: MapNode, kind: str) -> MapNode | None:
        if kind == "listen":
            fe = body.get("foreach")
        elif kind == "call":
            w = body.get("with")
            sub = w.get("subscription") if isinstance(w, MapNode) else None
            fe = sub.get("foreach") if isinstance(sub, MapNode) else None
        else:
            return None
        return fe if isinstance(fe, MapNode) else None

    # -- references --------------------------------------------------------------------------
    def _task_refs(self, node: TaskNode, body: MapNode) -> None:
        wf = self.wf
        call = body.get("call")
        if node.kind == "call" and isinstance(call, ScalarNode) and not call.is_null:
            name = call.value
            if name not in BUILTIN_CALLS and not _is_remote_function(name):
                wf.references.append(Reference("function", name, call.span, node.id))
        raise_ = body.get("raise")
        if isinstance(raise_, MapNode):
            err = raise_.get("error")
            if isinstance(err, ScalarNode) and not err.is_null and "${" not in err.value:
                wf.references.append(Reference("error", err.value, err.span, node.id))
        for key in ("retry", "timeout"):
            self._named_ref(body, key, node.id)
        catch = body.get("catch")
        if isinstance(catch, MapNode):
            self._named_ref(catch, "retry", node.id)
        export = body.get("export")
        if isinstance(export, MapNode):
            rec = self.rec
            self.exports += 1
            if rec is not None:
                rec.exports += 1
            as_ = export.get("as")
            if isinstance(as_, MapNode):
                self.exported.update(as_.keys())
                if rec is not None:
                    rec.exported.update(as_.keys())
            elif as_ is not None:
                self.exports_dynamic = True
                if rec is not None:
                    rec.exports_dynamic = True
        self._collect(body, node.id, "")

    def _named_ref(self, body: MapNode, key: str, node_id: str | None) -> None:
        val = body.get(key)
        if isinstance(val, ScalarNode) and not val.is_null and "${" not in val.value:
            kind = "retry" if key == "retry" else "timeout"
            self.wf.references.append(Reference(kind, val.value, val.span, node_id))

    def _collect(self, node: Node, owner: str | None, path: str) -> None:
        """Expressions and authentication/secret references inside a value, skipping nested
        task lists (they belong to their own tasks).

        Hot path (it visits every node of the document): the property path is kept as a chain
        of (parent, key) tuples and joined only for the few strings that need it."""
        root: _Chain = (None, path) if path else None
        stack: list[tuple[Node, _Chain, str]] = [(node, root, "")]
        seen: set[int] = set()
        refs = self.wf.references
        while stack:
            n, chain, parent_key = stack.pop()
            cls = n.__class__
            if cls is ScalarNode:
                assert isinstance(n, ScalarNode)
                if n.tag != "str" or not n.value:
                    continue
                v = n.value.strip()
                if v.startswith("${") and v.endswith("}"):
                    # a runtime expression is a whole string ``${ ... }``; a ``${`` in the
                    # middle of other text (a shell script's ${VAR}) is not one
                    self._expression(n, owner, _join(chain), implicit=False)
                elif parent_key in _IMPLICIT_KEYS and "${" not in v:
                    joined = _join(chain)
                    if _implicit_expression(joined):
                        self._expression(n, owner, joined, implicit=True)
                continue
            if id(n) in seen:  # a shared (aliased) subtree
                continue
            seen.add(id(n))
            if cls is SeqNode:
                assert isinstance(n, SeqNode)
                if parent_key in ("do", "branches", "try") and _is_task_list(n):
                    continue
                for item in n.items:
                    stack.append((item, chain, ""))
            else:
                assert isinstance(n, MapNode)
                if parent_key == "authentication" or parent_key in AUTH_SCHEMES:
                    use = n.get("use")
                    if isinstance(use, ScalarNode) and not use.is_null:
                        kind = "authentication" if parent_key == "authentication" else "secret"
                        refs.append(Reference(kind, use.value, use.span, owner))
                for key_node, value_node in n.pairs:
                    if key_node.__class__ is ScalarNode:
                        key = key_node.value  # type: ignore[union-attr]
                        stack.append((value_node, (chain, key), key))

    def _expression(self, n: ScalarNode, owner: str | None, path: str, implicit: bool) -> None:
        if n.start_offset in self.expression_at:
            return  # already collected through another route
        self.expression_at.add(n.start_offset)
        value = n.value
        if implicit:
            whole, inner_start, inner = (0, len(value)), 0, value
        else:
            s = value.index("${")
            e = value.rindex("}")
            whole, inner_start, inner = (s, e + 1), s + 2, value[s + 2 : e]
        offsets = source_offsets(self.text, n)
        if offsets is not None:
            span = self.doc.index.span(offsets[whole[0]], offsets[whole[1]])
            inner_map = offsets[inner_start : inner_start + len(inner) + 1]
        else:
            span = n.span
            inner_map = None
        expr = Expression(inner, span, inner_map[0] if inner_map else span.start.offset, owner, path)
        expr.offsets = inner_map
        self.wf.expressions.append(expr)
        for var in jq.variables(inner):
            if not var.path or var.name not in ("secrets", "context"):
                continue
            ref_span = self.doc.index.span(inner_map[var.offset], inner_map[var.end]) if inner_map else span
            kind = "secret" if var.name == "secrets" else "context"
            self.wf.references.append(Reference(kind, var.path[0], ref_span, owner, var.path))

    # -- control flow ------------------------------------------------------------------------
    def _flow(self, scope: Scope) -> None:
        wf = self.wf
        tasks = wf.tasks_in(scope.id)
        if not tasks:
            wf.edges.append(Edge(scope.entry, ir.ENTER, scope.exit))
        elif scope.kind == "fork":
            for t in tasks:
                wf.edges.append(Edge(scope.entry, ir.BRANCH, t.id))
        else:
            wf.edges.append(Edge(scope.entry, ir.ENTER, tasks[0].id))
        for i, t in enumerate(tasks):
            if scope.kind == "fork":
                default = scope.exit
            else:
                default = tasks[i + 1].id if i + 1 < len(tasks) else scope.exit
            after = self._after(t, scope, default)
            body = t.mapping
            if body is not None and body.get("if") is not None:
                # a task whose condition is false is skipped: flow goes on in declaration order
                wf.edges.append(Edge(t.id, ir.NEXT, default))
            inner = {wf.scopes[s].kind: wf.scopes[s] for s in t.inner} if t.inner else None
            if t.inner:
                for s in t.inner:
                    self._flow(wf.scopes[s])
            if t.kind == "switch" and body is not None:
                self._switch(t, scope, default, body)
            elif t.kind == "raise":
                wf.edges.append(Edge(t.id, ir.FAULT, self._fault_target(scope)))
            elif inner:
                main = inner.get(t.kind) or inner.get("foreach") or next(iter(inner.values()))
                wf.edges.append(Edge(t.id, ir.ENTER, main.entry))
                self._emit_after(main.exit, after)
                if main.kind in ("for", "foreach"):
                    wf.edges.append(Edge(main.exit, ir.LOOP, main.entry))
                    self._emit_after(t.id, after)
                if "catch" in inner:
                    catch = inner["catch"]
                    wf.edges.append(Edge(main.entry, ir.CATCH, catch.entry))
                    self._emit_after(catch.exit, after)
                if "foreach" in inner and main is not inner["foreach"]:
                    fe = inner["foreach"]
                    wf.edges.append(Edge(t.id, ir.ENTER, fe.entry))
                    wf.edges.append(Edge(fe.exit, ir.LOOP, fe.entry))
                    self._emit_after(fe.exit, after)
            else:
                self._emit_after(t.id, after)

    def _after(self, t: TaskNode, scope: Scope, default: str) -> list[Edge]:
        """Edges (with source to be filled in) for what follows task ``t`` when it completes."""
        body = t.mapping
        then = body.get("then") if body is not None else None
        return self._directive(then, scope, default, ir.THEN)

    def _directive(self, then: Node | None, scope: Scope, default: str, kind: str) -> list[Edge]:
        wf = self.wf
        value = scalar_str(then)
        if value is None or value == "continue":
            return [Edge("", ir.NEXT if kind == ir.THEN else kind, default)]
        assert isinstance(then, ScalarNode)
        if value == "exit":
            return [Edge("", ir.EXIT, scope.exit, value, then.span)]
        if value == "end":
            return [Edge("", ir.END, ir.END_NODE, value, then.span)]
        names = self.by_name.get(scope.id)
        if names is None:
            names = {}
            for tid in scope.tasks:
                names.setdefault(wf.nodes[tid].name, tid)
            self.by_name[scope.id] = names
        target = names.get(value)
        if target is not None:
            return [Edge("", kind, target, value, then.span)]
        if "${" not in value:
            # unresolved (a typo, a task of another block): leads nowhere; the unknown-target
            # and out-of-scope-target rules report it, and wfspec.analysis.masking keeps it from
            # hiding or inventing unreachable tasks
            return [Edge("", kind, None, value, then.span)]
        # dynamic (an expression): may go anywhere in the scope (through one hub node per
        # scope, so many of them stay linear)
        hub = f"{scope.id}#any"
        if hub not in self.hubs:
            self.hubs.add(hub)
            wf.edges.extend(Edge(hub, "unresolved", tid) for tid in scope.tasks)
            wf.edges.append(Edge(hub, "unresolved", scope.exit))
        return [Edge("", kind, None, value, then.span), Edge("", "unresolved", hub)]

    def _emit_after(self, source: str, after: list[Edge]) -> None:
        for e in after:
            self.wf.edges.append(Edge(source, e.kind, e.target, e.target_name, e.span))

    def _switch(self, t: TaskNode, scope: Scope, default: str, body: MapNode) -> None:
        cases = body.get("switch")
        has_default = False
        if isinstance(cases, SeqNode):
            for item in cases.items:
                if not isinstance(item, MapNode):
                    continue
                for _name, case in item.items():
                    if not isinstance(case, MapNode):
                        continue
                    if case.get("when") is None:
                        has_default = True
                    self._emit_after(t.id, self._directive(case.get("then"), scope, default, ir.CASE))
        if not has_default:
            self._emit_after(t.id, self._after(t, scope, default))

    def _fault_target(self, scope: Scope) -> str:
        """Where a raise in ``scope`` goes: the nearest enclosing try's catch, else the fault."""
        wf = self.wf
        for s in wf.ancestors(scope.id):
            if s.kind == "try" and s.owner is not None:
                owner = wf.nodes[s.owner]
                for inner in owner.inner:
                    if wf.scopes[inner].kind == "catch":
                        return wf.scopes[inner].entry
                return s.exit
        return ir.FAULT_NODE


def _is_task_list(seq: SeqNode) -> bool:
    return all(isinstance(i, MapNode) for i in seq.items)


def _is_remote_function(name: str) -> bool:
    """``name:version@catalog`` or a URI naming a function definition elsewhere."""
    return "@" in name or "://" in name or name.startswith("${")


_Chain = tuple[Any, str] | None
#: last keys under which a plain string may be an implicit runtime expression
_IMPLICIT_KEYS = frozenset({"if", "in", "while", "when", "exceptWhen", "from", "as", "until"})


def _join(chain: _Chain) -> str:
    parts: list[str] = []
    while chain is not None:
        chain, key = chain
        parts.append(key)
    return ".".join(reversed(parts))


def _implicit_expression(path: str) -> bool:
    """Whether a string at ``path`` (keys joined by dots, relative to a task or a ``use``
    entry) is a runtime expression even without ``${ }``: conditions and loop sources."""
    if path in _IMPLICIT_PATHS or path.endswith(_IMPLICIT_SUFFIXES):
        return True
    parts = path.split(".")
    # switch cases: switch.<case>.when
    return len(parts) == 3 and parts[0] == "switch" and parts[2] == "when"


_IMPLICIT_PATHS = frozenset(
    {"if", "for.in", "while", "catch.when", "catch.exceptWhen", "input.from", "output.as", "export.as"}
)
_IMPLICIT_SUFFIXES = (
    ".until",  # listen.to.any.until, subscription consume until
    "consume.while",
    ".if",
    ".for.in",
    ".while",
    ".catch.when",
    ".catch.exceptWhen",
    ".input.from",
    ".output.as",
    ".export.as",
)


def source_offsets(text: str, n: ScalarNode) -> list[int] | None:
    """For each index of ``n.value`` (and one past its end), the code-point offset in ``text``
    where that character was written; None when the scalar's source cannot be mapped (folded
    multi-line scalars)."""
    value = n.value
    off = n.value_offset()
    if text.startswith(value, off):
        return list(range(off, off + len(value) + 1))
    src_end = n.end_offset - (1 if n.style in ("'", '"') else 0)
    src = text[off:src_end]
    if "\n" in src or "\r" in src or n.style not in ("'", '"'):
        return None
    out: list[int] = []
    i = 0
    while i < len(src):
        out.append(off + i)
        ch = src[i]
        if n.style == "'" and ch == "'" and src[i + 1 : i + 2] == "'":
            i += 2
        elif n.style == '"' and ch == "\\":
            nxt = src[i + 1 : i + 2]
            i += {"x": 4, "u": 6, "U": 10}.get(nxt, 2)
        else:
            i += 1
    out.append(off + len(src))
    return out if len(out) == len(value) + 1 else None


def lower(doc: Document, previous: Workflow | None = None) -> Workflow:
    """Lower a parsed Serverless Workflow document to the IR (never raises on odd shapes).
    ``previous``: see :class:`Lowerer`; it is consumed (its reused parts move)."""
    return Lowerer(doc, previous).run()
