"""Lower a GitHub Actions workflow to the Workflow IR and resolve its expressions.

Owns the dialect's graph and data-flow semantics:

- jobs are nodes of the top scope ``/jobs``; ``needs`` entries are :data:`ir.NEEDS` edges from a
  job to the job it waits for (target None when no job has that id); each job owns a ``steps``
  scope whose steps run in order. Jobs and steps are marked ``independent``: GitHub runs every
  job whose needs are met, so no job is ever unreachable through control flow.
- job and step ids compare case-insensitively, as GitHub does.
- every ``${{ }}`` (and every bare ``if:``) is parsed with :mod:`expr`; syntax errors, unknown
  context names and unknown functions become ``expression`` findings
  (``wf.payload["expression_findings"]``).
- context references are resolved: ``needs.<job>`` only for direct needs, ``needs.<job>.outputs.<o>``
  against the job's declared outputs (or the called reusable workflow's), ``steps.<id>`` only for
  earlier steps of the same job (any step from the job's ``outputs``), ``jobs.<job>.outputs.<o>`` in
  ``on.workflow_call.outputs``, ``inputs.<x>`` against workflow_dispatch/workflow_call inputs and
  ``matrix.<x>`` against the job's matrix (silent when the matrix is computed). A step output name
  is checked only for an action whose outputs are known (the catalog, a local action's metadata):
  outputs written through ``$GITHUB_OUTPUT`` are dynamic.
- local actions and local reusable workflows are read from disk (:mod:`local`); their ``with:``
  and ``secrets:`` problems go to ``wf.payload["schema_findings"]``.
- the interface of a reusable workflow is recorded for navigation across files: its
  ``on.workflow_call`` inputs (``input`` definitions), secrets (``workflow-secret``, read as
  ``secrets.<name>``) and outputs (``workflow-output``); a caller records each ``with:`` key
  (``call-input``), ``secrets:`` key (``call-secret``) and read of a called workflow's output
  (``call-output``) with the called file in ``data["target"]`` (:func:`local.path_key` form).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from wfspec import ir
from wfspec.dialects.github import availability, catalog, expr, exprtypes, facts, local
from wfspec.dialects.github.nodes import as_map, entries, get, text
from wfspec.dialects.github.nodes import index as fields_of
from wfspec.findings import Severity
from wfspec.ir import Definition, Edge, Expression, Reference, Scope, TaskNode, Workflow
from wfspec.suggest import closest, did_you_mean
from wfspec.syntax.parse import Document
from wfspec.syntax.tree import MapNode, Node, Position, ScalarNode, SeqNode, Span, utf16_len

CONTEXTS = frozenset("github env vars job jobs steps runner secrets strategy matrix needs inputs".split())
#: the functions GitHub's expression language knows (names compare case-insensitively)
FUNCTION_NAMES = tuple(
    "contains startsWith endsWith format join toJSON fromJSON hashFiles success always cancelled failure case".split()
)
FUNCTIONS = frozenset(f.lower() for f in FUNCTION_NAMES)
#: job-level keys where the ``steps`` context exists (evaluated after the steps ran)
STEPS_OK_JOB_KEYS = frozenset(("steps", "outputs", "environment", "snapshot"))
#: job-level keys where ``matrix`` does not exist (evaluated before the matrix expands)
NO_MATRIX_JOB_KEYS = frozenset(("if", "strategy", "needs"))

#: the type of an input's value in the ``inputs`` context, by its declared ``type``
_INPUT_TYPES: dict[str, exprtypes.Type] = {
    "boolean": exprtypes.BOOL,
    "number": exprtypes.NUMBER,
    "string": exprtypes.STRING,
    "choice": exprtypes.STRING,
    "environment": exprtypes.STRING,
}

Problem = tuple[Span, str, Severity]

#: the shape a key's value must have when it is one whole ``${{ }}`` expression (by Loc.field)
_WANT: dict[str, str] = {"env": "object", "steps.env": "object", "services": "object", "runs-on": "label"}


def _yaml_type(node: Node) -> exprtypes.Type:
    """The type of a static YAML value (``any`` when it holds an expression)."""
    if isinstance(node, ScalarNode):
        if "${{" in node.value:
            return exprtypes.ANY
        return {
            "int": exprtypes.NUMBER,
            "float": exprtypes.NUMBER,
            "bool": exprtypes.BOOL,
            "null": exprtypes.NULL,
            "str": exprtypes.STRING,
            "": exprtypes.STRING,
        }.get(node.tag, exprtypes.ANY)
    if isinstance(node, SeqNode):
        return exprtypes.Arr(_union([_yaml_type(i) for i in node.items]))
    if isinstance(node, MapNode):
        return exprtypes.Obj({k.value.lower(): _yaml_type(v) for k, v in entries(node)})
    return exprtypes.ANY


def _union(types: list[exprtypes.Type]) -> exprtypes.Type:
    """The type all of ``types`` share: arrays of different elements are arrays of ``any``."""
    first = types[0] if types else exprtypes.ANY
    if all(t == first for t in types):
        return first
    if all(isinstance(t, exprtypes.Arr) for t in types):
        return exprtypes.Arr(_union([t.elem for t in types if isinstance(t, exprtypes.Arr)]))
    return exprtypes.ANY


_WHOLE_EXPR = re.compile(r"^\s*\$\{\{(.*)\}\}\s*$", re.DOTALL)


def _value_type(node: Node) -> exprtypes.Type:
    """The type of a YAML value that may be one whole ``${{ }}`` expression (such as
    ``${{ fromJSON('[1, 2]') }}``, whose type its literal gives); ``any`` when unknown."""
    if isinstance(node, ScalarNode) and "${{" in node.value:
        m = _WHOLE_EXPR.match(node.value)
        if m is None or "${{" in m.group(1):
            return exprtypes.ANY
        parsed = _parse_cached(m.group(1))[0]
        if parsed is None:
            return exprtypes.ANY
        t, problems = exprtypes.check(parsed, lambda _name: exprtypes.ANY)
        return exprtypes.ANY if problems else t
    return _yaml_type(node)


_At = Callable[[int], int]


def _listing(names: Iterable[str], what: str) -> str:
    names = sorted(names)
    if not names:
        return f"it declares no {what}s"
    shown = ", ".join(f'"{n}"' for n in names[:8])
    return f"its {what}s are {shown}" + (", ..." if len(names) > 8 else "")


@dataclass(slots=True)
class StepInfo:
    """What lowering learned about one step: its id and, when known, the outputs it can have."""

    index: int
    node_id: str
    id: str | None
    id_span: Span | None
    label: str = ""  # what the step runs, for messages
    outputs: frozenset[str] | None = None  # lower-cased known outputs; None: dynamic/unknown
    outputs_display: tuple[str, ...] = ()
    strict: bool = False  # an unknown output name is an error (else a warning)


@dataclass(slots=True)
class JobInfo:
    """What lowering learned about one job: needs, declared outputs, steps and matrix keys."""

    name: str
    node_id: str
    key: ScalarNode
    body: MapNode | None
    fields: dict[str, Node] = field(default_factory=dict)  # the job's properties by key
    needs: dict[str, ScalarNode] = field(default_factory=dict)  # lower-cased needs entries
    outputs: dict[str, tuple[str, Span]] | None = field(default_factory=dict)  # lower -> (name, span)
    is_call: bool = False
    call_target: str | None = None  # the local reusable workflow it calls (path_key form)
    steps: list[StepInfo] = field(default_factory=list)
    step_ids: dict[str, int] = field(default_factory=dict)  # lower-cased id -> first index
    has_matrix: bool = False
    matrix_keys: set[str] | None = field(default_factory=set)  # None: computed, not checked


@dataclass(slots=True)
class Loc:
    """Where an expression sits: which job and step, which field, which contexts exist there."""

    job: JobInfo | None
    step: int | None  # index of the step the expression belongs to
    field: str
    where: str  # for messages: 'job-level "if"', '"run-name"', ...
    all_steps: bool = False  # steps context holds every step (job outputs, environment)
    steps_ok: bool = False
    needs_ok: bool = False
    matrix_ok: bool = False
    jobs_ok: bool = False
    node: str | None = None


@lru_cache(maxsize=4096)
def _parse_cached(
    text: str,
) -> tuple[expr.Node | None, expr.ExprError | None, tuple[expr.ContextRef, ...], tuple[tuple[str, int], ...]]:
    node, err = expr.parse(text)
    if node is None:
        return None, err, (), ()
    calls: list[tuple[str, int]] = []
    stack: list[expr.Node] = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, expr.Call):
            calls.append((cur.name, cur.start))
            stack.extend(cur.args)
        elif isinstance(cur, (expr.Property,)):
            stack.append(cur.target)
        elif isinstance(cur, expr.Index):
            stack.append(cur.target)
            stack.append(cur.index)
        elif isinstance(cur, expr.Unary):
            stack.append(cur.operand)
        elif isinstance(cur, expr.Binary):
            stack.append(cur.left)
            stack.append(cur.right)
    return node, None, tuple(expr.context_refs(node)), tuple(calls)


def find_expressions(value: str) -> list[tuple[int, int, int, int]]:
    """(start, inner_start, inner_end, end) of every ``${{ ... }}`` in ``value``; quoted strings
    inside are respected. An unclosed one has end == -1 and runs to the end of the value."""
    out: list[tuple[int, int, int, int]] = []
    pos = value.find("${{")
    n = len(value)
    while pos >= 0:
        close = value.find("}}", pos + 3)
        if close >= 0 and "'" in value[pos + 3 : close]:
            close = _close_outside_strings(value, pos + 3)
        if close < 0:
            out.append((pos, pos + 3, n, -1))
            return out
        out.append((pos, pos + 3, close, close + 2))
        pos = value.find("${{", close + 2)
    return out


def _close_outside_strings(value: str, i: int) -> int:
    """Offset of the first ``}}`` at or after ``i`` that is not inside a single-quoted string."""
    n = len(value)
    quote = False
    while i < n:
        ch = value[i]
        if quote:
            if ch == "'":
                if i + 1 < n and value[i + 1] == "'":
                    i += 1
                else:
                    quote = False
        elif ch == "'":
            quote = True
        elif ch == "}" and i + 1 < n and value[i + 1] == "}":
            return i
        i += 1
    return -1


class Lowerer:
    """One lowering run over one document."""

    def __init__(self, doc: Document, uri: str) -> None:
        self.doc = doc
        self.text = doc.text
        self.uri = uri
        self.wf = Workflow(dialect="github")
        self.jobs: list[JobInfo] = []
        self.by_name: dict[str, JobInfo] = {}  # lower-cased job id -> first job so named
        self.inputs: dict[str, tuple[str, Span]] = {}  # lower-cased input -> (name, span)
        self.call_secrets: dict[str, str] = {}  # lower-cased workflow_call secret -> name
        self.has_input_events = False
        self.expr_findings: list[tuple[Span, str]] = []
        self.type_findings: list[tuple[Span, str]] = []
        #: the shape the value being walked must have when it is one whole expression
        #: ("object" or "label"), set by :meth:`_walk`
        self._want: str | None = None
        self._want_key: str | None = None  # the key of a nested value (``credentials``)
        #: the ``inputs`` a workflow_call input's default may read (those declared above it)
        self._inputs_scope: dict[str, exprtypes.Type] | None = None
        self.availability_findings: list[tuple[Span, str]] = []
        self.input_types: dict[str, exprtypes.Type] = {}  # lower-cased input -> its type
        self._matrix_types: dict[str, exprtypes.Type] = {}  # job node id -> its matrix's type
        self.schema_findings: list[Problem] = []
        self._root: Path | None | bool = False  # False: not computed yet
        self._inner = ""  # the expression being resolved

    # -- helpers -------------------------------------------------------------------------------
    @property
    def root_dir(self) -> Path | None:
        if self._root is False:
            self._root = local.workspace_root(self.uri)
        return self._root  # type: ignore[return-value]

    def span(self, start: int, end: int) -> Span:
        """The span of code-point offsets ``[start, end)``; one position lookup when it is short
        and on one line (every reference and most expressions)."""
        index = self.doc.index
        end = min(end, len(self.text))
        p = index.position(start)
        if end - start <= 200:
            seg = self.text[start:end]
            if "\n" not in seg and "\r" not in seg:
                return Span(p, Position(p.line, p.character + utf16_len(seg), end))
        return Span(p, index.position(end))

    # -- entry point ---------------------------------------------------------------------------
    def run(self) -> Workflow:
        wf = self.wf
        top = Scope(id="/jobs", kind="jobs", owner=None, parent=None)
        wf.root_scope = top.id
        wf.add_scope(top)
        root = self.doc.root
        if isinstance(root, MapNode):
            wf.name = text(get(root, "name")) or ""
            self._on(get(root, "on"))
            jobs = as_map(get(root, "jobs"))
            top.span = jobs.span if jobs is not None else None
            if jobs is not None:
                self._jobs(top, jobs)
            self._expressions(root)
        wf.payload["facts"] = facts.collect(root)
        wf.edges.append(Edge(top.exit, ir.END, ir.END_NODE))
        wf.payload["expression_findings"] = self.expr_findings
        wf.payload["expression_type_findings"] = self.type_findings
        wf.payload["context_availability_findings"] = self.availability_findings
        wf.payload["schema_findings"] = self.schema_findings
        return wf

    # -- triggers and inputs -------------------------------------------------------------------
    def _on(self, on: Node | None) -> None:
        events: list[tuple[str, Node | None]] = []
        if isinstance(on, ScalarNode) and on.tag != "null":
            events.append((on.value, None))
        elif isinstance(on, SeqNode):
            events.extend((v, None) for i in on.items if (v := text(i)) is not None)
        elif isinstance(on, MapNode):
            events.extend((k.value, v) for k, v in entries(on))
        for name, body in events:
            if name not in ("workflow_dispatch", "workflow_call"):
                continue
            self.has_input_events = True
            if name == "workflow_call":
                self._call_interface(as_map(body))
            inputs = as_map(get(as_map(body), "inputs"))
            if inputs is None:
                continue
            for k, iv in entries(inputs):
                low = k.value.lower()
                self.inputs.setdefault(low, (k.value, k.span))
                kind = text(get(as_map(iv), "type"))
                t = _INPUT_TYPES.get(kind or "", exprtypes.ANY)
                if self.input_types.setdefault(low, t) != t:
                    self.input_types[low] = exprtypes.ANY  # typed differently per trigger
                # one definition per event: renaming an input renames it under both triggers
                self.wf.definitions.append(Definition("input", k.value, k.span, data={"event": name}))

    def _call_interface(self, call: MapNode | None) -> None:
        """The secrets and outputs a reusable workflow declares under ``on.workflow_call``."""
        for what, kind in (("secrets", "workflow-secret"), ("outputs", "workflow-output")):
            declared = as_map(get(call, what)) if call is not None else None
            if declared is None:
                continue
            for k, _ in entries(declared):
                if kind == "workflow-secret":
                    self.call_secrets.setdefault(k.value.lower(), k.value)
                self.wf.definitions.append(Definition(kind, k.value, k.span, data={"event": "workflow_call"}))

    # -- jobs ----------------------------------------------------------------------------------
    def _jobs(self, top: Scope, jobs: MapNode) -> None:
        wf = self.wf
        used_ids: set[str] = set()
        for index, (key, body) in enumerate(entries(jobs)):
            name = key.value
            nid = f"/jobs/{name}"
            repeated = nid in used_ids  # a duplicate YAML key: the syntax rule reports it
            if repeated:
                nid = f"/jobs/{name}#{index}"
            used_ids.add(nid)
            m = as_map(body)
            info = JobInfo(
                name=name, node_id=nid, key=key, body=m, fields=fields_of(m)[0] if m is not None else {}
            )
            info.is_call = info.fields.get("uses") is not None
            wf.add_node(
                TaskNode(
                    id=nid,
                    name=name,
                    kind="job",
                    name_span=key.span,
                    body_span=body.span,
                    scope=top.id,
                    index=index,
                    body=body,
                    key=key,
                    payload={"independent": True, "call": info.is_call, "anonymous": repeated},
                )
            )
            self.jobs.append(info)
            self.by_name.setdefault(name.lower(), info)
        for info in self.jobs:
            self._job(top, info)
        for info in self.jobs:
            self._needs(top, info)
        for info in self.jobs:
            wf.edges.append(Edge(info.node_id, ir.NEXT, top.exit))

    def _job(self, top: Scope, info: JobInfo) -> None:
        wf = self.wf
        m = info.body
        f = info.fields
        # outputs
        if info.is_call:
            info.outputs = self._call_outputs(info)
        elif m is not None:
            outputs = f.get("outputs")
            if isinstance(outputs, MapNode):
                info.outputs = {}
                for k, _ in entries(outputs):
                    info.outputs.setdefault(k.value.lower(), (k.value, k.span))
                    wf.definitions.append(
                        Definition(
                            "job-output",
                            f"{info.name}.{k.value}",
                            k.span,
                            owner=info.node_id,
                            node=k,
                            data={"job": info.name, "output": k.value},
                        )
                    )
            elif outputs is not None and not (isinstance(outputs, ScalarNode) and outputs.tag == "null"):
                info.outputs = None
        # matrix
        strategy = as_map(f.get("strategy"))
        if f.get("strategy") is not None and strategy is None:
            info.has_matrix, info.matrix_keys = True, None  # strategy is an expression
        if strategy is not None:
            matrix = get(strategy, "matrix")
            if matrix is not None:
                info.has_matrix = True
                info.matrix_keys = self._matrix_keys(matrix)
        # steps
        steps = f.get("steps")
        scope = Scope(
            id=f"{info.node_id}/steps",
            kind="steps",
            owner=info.node_id,
            parent=top.id,
            span=steps.span if steps is not None else None,
        )
        wf.add_scope(scope)
        wf.edges.append(Edge(info.node_id, ir.ENTER, scope.entry))
        prev = scope.entry
        if isinstance(steps, SeqNode):
            for i, step in enumerate(steps.items):
                st = self._step(scope, info, i, step)
                info.steps.append(st)
                if st.id is not None:
                    info.step_ids.setdefault(st.id.lower(), i)
                wf.edges.append(Edge(prev, ir.NEXT, st.node_id))
                prev = st.node_id
        wf.edges.append(Edge(prev, ir.NEXT, scope.exit))
        if info.is_call and m is not None:
            self._call_checks(info, m)

    def _matrix_keys(self, matrix: Node) -> set[str] | None:
        mm = as_map(matrix)
        if mm is None:
            return None  # fromJSON(...) and the like
        keys: set[str] = set()
        for k, v in entries(mm):
            if k.value == "exclude":
                continue
            if k.value == "include":
                if isinstance(v, SeqNode):
                    for item in v.items:
                        im = as_map(item)
                        if im is None:
                            return None
                        keys.update(kk.value.lower() for kk, _ in entries(im))
                elif not (isinstance(v, ScalarNode) and v.tag == "null"):
                    return None
                continue
            keys.add(k.value.lower())
        return keys

    def _step(self, scope: Scope, info: JobInfo, i: int, step: Node) -> StepInfo:
        sm = as_map(step)
        nid = f"{scope.id}/{i}"
        sf = fields_of(sm)[0] if sm is not None else {}
        sid_node = sf.get("id")
        sid = text(sid_node)
        if sid is not None and (not sid.strip() or "${{" in sid):
            sid = None
        anchor: Span = step.span
        if sid is not None and sid_node is not None:
            anchor = sid_node.span
        elif sm is not None and sm.pairs:
            anchor = sm.pairs[0][0].span
        st = StepInfo(
            index=i, node_id=nid, id=sid, id_span=sid_node.span if sid is not None and sid_node else None
        )
        uses = text(sf.get("uses"))
        if uses is not None and sm is not None:
            self._step_action(info, st, sm, uses)
        elif sf.get("run") is not None:
            st.label = "a run step"
        payload: dict[str, object] = {"independent": True, "anonymous": sid is None, "job": info.name}
        if uses is not None:
            payload["uses"] = uses
        payload["label"] = _step_label(text(sf.get("name")), uses, sid, text(sf.get("run")), i)
        self.wf.add_node(
            TaskNode(
                id=nid,
                name=sid if sid is not None else f"step-{i + 1}",
                kind="step",
                name_span=anchor,
                body_span=step.span,
                scope=scope.id,
                index=i,
                body=step,
                key=sid_node if isinstance(sid_node, ScalarNode) else None,
                payload=payload,
            )
        )
        if sid is not None and st.id_span is not None:
            self.wf.definitions.append(
                Definition(
                    "step",
                    f"{info.name}.{sid}",
                    st.id_span,
                    owner=nid,
                    node=sid_node,
                    data={"job": info.name, "step": sid},
                )
            )
        return st

    def _step_action(self, info: JobInfo, st: StepInfo, sm: MapNode, uses: str) -> None:
        ref = catalog.parse_uses(uses)
        st.label = f'"{uses}"'
        if ref.kind == "remote":
            spec = catalog.lookup(ref)
            if spec is not None and spec.outputs is not None:
                st.outputs = frozenset(o.lower() for o in spec.outputs)
                st.outputs_display = tuple(sorted(spec.outputs))
                st.label = spec.name
        elif ref.kind == "local":
            action = local.load_action(self.root_dir, uses)
            if action is None:
                self._outside(get(sm, "uses"), uses, "local action")
                return
            st.outputs = action.outputs
            st.outputs_display = tuple(sorted(action.outputs))
            st.strict = action.using == "composite"
            st.label = f'the local action "{uses}"'
            with_ = as_map(get(sm, "with"))
            given = {k.value.lower(): k for k, _ in entries(with_)} if with_ is not None else {}
            for low, k in given.items():
                if low not in action.inputs:
                    names = [p.name for p in action.inputs.values()]
                    self.schema_findings.append(
                        (
                            k.span,
                            f'the local action "{uses}" has no input "{k.value}"{did_you_mean(k.value, names)}',
                            Severity.WARNING,
                        )
                    )
            for low, p in action.inputs.items():
                if p.required and not p.has_default and low not in given:
                    self.schema_findings.append(
                        (
                            with_.span if with_ is not None else sm.span,
                            f'missing required input "{p.name}" of the local action "{uses}"',
                            Severity.WARNING,
                        )
                    )

    def _outside(self, node: Node | None, uses: str, what: str) -> None:
        """A local action or reusable workflow outside the repository: said, and not read."""
        if node is not None and local.outside(self.root_dir, uses):
            self.schema_findings.append(
                (
                    node.span,
                    f'the {what} "{uses}" lies outside the repository; it is not read',
                    Severity.WARNING,
                )
            )

    def _call_outputs(self, info: JobInfo) -> dict[str, tuple[str, Span]] | None:
        uses = text(info.fields.get("uses"))
        if uses is None or not uses.startswith("./"):
            return None
        target = local.load_workflow(self.root_dir, uses)
        if target is None or not target.callable:
            return None
        info.call_target = local.path_key(target.path)
        return {o: (o, info.key.span) for o in target.outputs}

    def _call_checks(self, info: JobInfo, m: MapNode) -> None:
        uses = text(get(m, "uses"))
        if uses is None or not uses.startswith("./") or "${{" in uses:
            return
        target = local.load_workflow(self.root_dir, uses)
        if target is None:
            self._outside(get(m, "uses"), uses, "reusable workflow")
            return
        uses_node = get(m, "uses")
        assert uses_node is not None
        if not target.callable:
            self.schema_findings.append(
                (
                    uses_node.span,
                    f'"{uses}" is not a reusable workflow: it has no "workflow_call" trigger',
                    Severity.ERROR,
                )
            )
            return
        with_ = as_map(get(m, "with"))
        given = {k.value.lower(): k for k, _ in entries(with_)} if with_ is not None else {}
        call = {"target": local.path_key(target.path), "uses": uses, "job": info.name}
        for k, _ in entries(with_) if with_ is not None else ():
            self.wf.references.append(Reference("call-input", k.value, k.span, info.node_id, data=dict(call)))
        names = [p.name for p in target.inputs.values()]
        for low, k in given.items():
            if low not in target.inputs:
                self.schema_findings.append(
                    (
                        k.span,
                        f'"{uses}" has no input "{k.value}"{did_you_mean(k.value, names)}',
                        Severity.ERROR,
                    )
                )
        for low, p in target.inputs.items():
            if p.required and not p.has_default and low not in given:
                self.schema_findings.append(
                    (
                        with_.span if with_ is not None else m.span,
                        f'missing required input "{p.name}" of "{uses}"',
                        Severity.ERROR,
                    )
                )
        secrets = get(m, "secrets")
        if isinstance(secrets, ScalarNode) and secrets.value == "inherit":
            return
        sm = as_map(secrets)
        given_s = {k.value.lower(): k for k, _ in entries(sm)} if sm is not None else {}
        for k, _ in entries(sm) if sm is not None else ():
            self.wf.references.append(
                Reference("call-secret", k.value, k.span, info.node_id, data=dict(call))
            )
        snames = [p.name for p in target.secrets.values()]
        for low, k in given_s.items():
            if low not in target.secrets:
                self.schema_findings.append(
                    (
                        k.span,
                        f'"{uses}" has no secret "{k.value}"{did_you_mean(k.value, snames)}',
                        Severity.ERROR,
                    )
                )
        for low, p in target.secrets.items():
            if p.required and low not in given_s:
                self.schema_findings.append(
                    (
                        sm.span if sm is not None else m.span,
                        f'missing required secret "{p.name}" of "{uses}"',
                        Severity.ERROR,
                    )
                )

    def _needs(self, top: Scope, info: JobInfo) -> None:
        wf = self.wf
        needs = info.fields.get("needs")
        items: list[Node] = []
        if isinstance(needs, ScalarNode) and needs.tag != "null":
            items = [needs]
        elif isinstance(needs, SeqNode):
            items = needs.items
        for item in items:
            if not isinstance(item, ScalarNode) or item.tag == "null":
                continue
            low = item.value.lower()
            if low in info.needs:
                continue
            info.needs[low] = item
            target = self.by_name.get(low)
            wf.edges.append(
                Edge(info.node_id, ir.NEEDS, target.node_id if target else None, item.value, item.span)
            )
        if not info.needs:
            wf.edges.append(Edge(top.entry, ir.ENTER, info.node_id))

    # -- expressions ---------------------------------------------------------------------------
    def _expressions(self, root: MapNode) -> None:
        for k, v in entries(root):
            key = k.value
            if key in ("run-name", "env", "concurrency"):
                self._walk(v, Loc(None, None, key, f'"{key}"'), False)
            elif key == "on":
                self._on_expressions(v)
        for info in self.jobs:
            if info.body is None:
                continue
            for key, v in info.fields.items():
                if key == "steps":
                    if isinstance(v, SeqNode):
                        for i, step in enumerate(v.items):
                            self._step_expressions(info, i, step)
                    continue
                if isinstance(v, ScalarNode) and key != "if" and "${{" not in v.value:
                    continue  # the common case: nothing to resolve
                loc = Loc(
                    info,
                    None,
                    key,
                    f'job-level "{key}"',
                    all_steps=True,
                    steps_ok=key in STEPS_OK_JOB_KEYS,
                    needs_ok=True,
                    matrix_ok=key not in NO_MATRIX_JOB_KEYS,
                    node=info.node_id,
                )
                self._walk(v, loc, key == "if")

    def _step_expressions(self, info: JobInfo, i: int, step: Node) -> None:
        sm = as_map(step)
        if sm is None:
            return
        nid = info.steps[i].node_id if i < len(info.steps) else info.node_id
        for k, v in entries(sm):
            key = k.value
            if key == "id" or (isinstance(v, ScalarNode) and key != "if" and "${{" not in v.value):
                continue
            loc = Loc(
                info,
                i,
                f"steps.{key}",
                f'step "{key}"',
                steps_ok=True,
                needs_ok=True,
                matrix_ok=True,
                node=nid,
            )
            self._walk(v, loc, key == "if")

    def _on_expressions(self, on: Node) -> None:
        om = as_map(on)
        if om is None:
            return
        for k, v in entries(om):
            if k.value not in ("workflow_call", "workflow_dispatch"):
                continue
            body = as_map(v)
            if body is None:
                continue
            inputs = as_map(get(body, "inputs"))
            if inputs is not None:
                call = k.value == "workflow_call"
                before: dict[str, exprtypes.Type] = {}  # the inputs declared above the one walked
                for ik, iv in entries(inputs):
                    im = as_map(iv)
                    default = get(im, "default") if im is not None else None
                    kind = text(get(im, "type")) if im is not None else None
                    if default is not None:
                        if call:  # a default reads only the inputs above it, and gives its input's type
                            self._inputs_scope = dict(before)
                            if kind in ("boolean", "number"):
                                self._want, self._want_key = kind, ik.value
                        self._walk(default, Loc(None, None, "on.inputs.default", "an input default"), False)
                        self._inputs_scope = None
                        self._want = self._want_key = None
                    before[ik.value.lower()] = _INPUT_TYPES.get(kind or "", exprtypes.ANY)
            outputs = as_map(get(body, "outputs")) if k.value == "workflow_call" else None
            if outputs is not None:
                for _, ov in entries(outputs):
                    value = get(as_map(ov), "value")
                    if value is not None:
                        self._walk(
                            value,
                            Loc(
                                None, None, "on.workflow_call.outputs", "a workflow_call output", jobs_ok=True
                            ),
                            False,
                        )

    def _walk(self, node: Node, loc: Loc, implicit: bool) -> None:
        if isinstance(node, ScalarNode):
            if node.tag == "str" or node.tag == "":
                if loc.field in _WANT:
                    self._want = _WANT[loc.field]
                self._scalar(node, loc, implicit)
                self._want = None
            return
        nested = loc.field in ("container", "services")
        stack: list[tuple[Node, str | None]] = [(node, None)]
        while stack:
            cur, key = stack.pop()
            if isinstance(cur, ScalarNode):
                if "${{" in cur.value:
                    if nested and key in ("credentials", "env"):
                        self._want, self._want_key = "object", key
                    self._scalar(cur, loc, False)
                    self._want = self._want_key = None
            elif isinstance(cur, MapNode):
                for k, v in reversed(cur.pairs):
                    stack.append((v, k.value if isinstance(k, ScalarNode) else None))
                    if isinstance(k, ScalarNode) and "${{" in k.value:  # a computed key (an env name)
                        stack.append((k, None))
            else:
                stack.extend((i, None) for i in reversed(cur.items))

    def _scalar(self, node: ScalarNode, loc: Loc, implicit: bool) -> None:
        value = node.value
        if "${{" in value:
            offs = self._offsets(node, value)
            found = find_expressions(value)
            for start, inner_start, inner_end, end in found:
                embedded = len(found) > 1 or bool(value[:start].strip() or value[end:].strip())
                self._expression(offs, value, start, inner_start, inner_end, end, loc, embedded)
        elif implicit and value.strip():
            self._expression(self._offsets(node, value), value, 0, 0, len(value), len(value), loc, False)

    def _offsets(self, node: ScalarNode, value: str) -> list[int] | int:
        """Document offset of each value index: an int base when the value is verbatim in the text."""
        s, e = node.start_offset, node.end_offset
        raw = self.text[s:e]
        if node.style == "" and raw == value:
            return s
        if node.style in ("'", '"') and raw[1:-1] == value:
            return s + 1
        # block scalars, escapes, folded lines: align value characters with the raw text
        j = s
        if node.style in ("|", ">"):
            nl = self.text.find("\n", s)
            j = nl + 1 if 0 <= nl < e else s
        elif node.style in ("'", '"'):
            j = s + 1
        out: list[int] = []
        t = self.text
        for ch in value:
            limit = min(e, j + 256)
            p = t.find(ch, j, limit)
            if p < 0:
                out.append(j)
            else:
                out.append(p)
                j = p + 1
        out.append(j)
        return out

    def _expression(
        self,
        offs: list[int] | int,
        value: str,
        start: int,
        inner_start: int,
        inner_end: int,
        end: int,
        loc: Loc,
        embedded: bool,
    ) -> None:
        """Record one expression of a scalar (``offs`` maps value indexes to document offsets),
        check its syntax, functions and contexts, and resolve its context references."""

        def at(i: int) -> int:
            if isinstance(offs, int):
                return offs + i
            return offs[min(max(i, 0), len(offs) - 1)]

        closed = end >= 0
        whole = self.span(at(start), at(end if closed else len(value)))
        inner = value[inner_start:inner_end]
        self.wf.expressions.append(Expression(inner, whole, at(inner_start), loc.node, loc.field))
        if not closed:
            self.expr_findings.append((whole, 'unclosed expression: "${{" without a matching "}}"'))
            return
        parsed, err, refs, calls = _parse_cached(inner)
        if parsed is None:
            assert err is not None
            self.expr_findings.append((whole, f"invalid expression: {err.message}"))
            return
        for name, off in calls:
            if name.lower() not in FUNCTIONS:
                p = at(inner_start + off)
                self.expr_findings.append(
                    (
                        self.span(p, p + len(name)),
                        f'unknown function "{name}"{did_you_mean(name, FUNCTION_NAMES)}',
                    )
                )
        self._inner = inner
        for ref in refs:
            self._reference(ref, loc, lambda i: at(inner_start + i))
        self._types(parsed, refs, calls, loc, embedded, lambda i: at(inner_start + i))

    def _types(
        self,
        parsed: expr.Node,
        refs: tuple[expr.ContextRef, ...],
        calls: tuple[tuple[str, int], ...],
        loc: Loc,
        embedded: bool,
        at: _At,
    ) -> None:
        """Type-check one parsed expression and check where its contexts and functions exist."""
        in_job = loc.job is not None
        banned = availability.banned(loc.field, in_job)
        for ref in refs:
            ctx = ref.path[0].lower()
            if ctx in banned:
                names = ", ".join(f'"{n}"' for n in availability.available(loc.field, in_job))
                start = ref.offsets[0]
                self.availability_findings.append(
                    (
                        self.span(at(start), at(start + len(ref.path[0]))),
                        f'the "{ctx}" context is not available in {loc.where}; available contexts are {names}',
                    )
                )
        for name, off in calls:
            problem = availability.function_problem(name.lower(), loc.field, in_job)
            if problem is not None:
                self.availability_findings.append((self.span(at(off), at(off + len(name))), problem))
        t, problems = exprtypes.check(parsed, lambda name: self._context_type(name, loc))
        for start, end, message in problems:
            self.type_findings.append((self.span(at(start), at(end)), message))
        want = self._want
        if want is not None and not embedded:
            name = self._want_key or loc.field.rpartition(".")[2]
            if want == "object" and t in (exprtypes.STRING, exprtypes.NUMBER, exprtypes.BOOL):
                self.type_findings.append(
                    (
                        self.span(at(parsed.start), at(parsed.end)),
                        f'the expression at "{name}" must give an object, but its value is {exprtypes.article(t)}',
                    )
                )
            elif want in _INPUT_TYPES and want != "label":
                need = _INPUT_TYPES[want]
                if t in (exprtypes.STRING, exprtypes.NUMBER, exprtypes.BOOL) and t != need:
                    self.type_findings.append(
                        (
                            self.span(at(parsed.start), at(parsed.end)),
                            f'the default of {want} input "{self._want_key}" must be a {want}, not {exprtypes.article(t)}',
                        )
                    )
            elif want == "label" and isinstance(t, exprtypes.Obj):
                self.type_findings.append(
                    (
                        self.span(at(parsed.start), at(parsed.end)),
                        f'the expression at "{name}" must give a runner label or a list of labels, but its value '
                        f"is {exprtypes.article(t)}",
                    )
                )
        if embedded and (isinstance(t, exprtypes.Arr | exprtypes.Obj) or t == exprtypes.NULL):
            self.type_findings.append(
                (
                    self.span(at(parsed.start), at(parsed.end)),
                    f"{exprtypes.article(t)} value is written into a string; only strings, numbers and "
                    "booleans read well there (use toJSON() to print it)",
                )
            )

    def _context_type(self, name: str, loc: Loc) -> exprtypes.Type:
        low = name.lower()
        if low == "inputs":
            if self._inputs_scope is not None:
                return exprtypes.Obj(dict(self._inputs_scope))
            return exprtypes.Obj(dict(self.input_types), exprtypes.ANY)
        if low == "matrix":
            job = loc.job
            if job is None or job.matrix_keys is None:
                return exprtypes.ANY
            got = self._matrix_types.get(job.node_id)
            if got is None:
                got = self._matrix_type(job)
                self._matrix_types[job.node_id] = got
            return got
        return exprtypes.context_type(low)

    def _matrix_type(self, job: JobInfo) -> exprtypes.Type:
        """The static matrix's keys with the type shared by all their values (include: any)."""
        mm = as_map(get(as_map(job.fields.get("strategy")), "matrix"))
        props: dict[str, exprtypes.Type] = {}
        if mm is not None:
            for k, v in entries(mm):
                if k.value in ("include", "exclude"):
                    continue
                props[k.value.lower()] = (
                    _union([_yaml_type(i) for i in v.items]) if isinstance(v, SeqNode) else exprtypes.ANY
                )
            rows = set(props)
            added: dict[str, list[exprtypes.Type]] = {}
            for k, v in entries(mm):
                if k.value == "include" and isinstance(v, SeqNode):
                    for item in v.items:
                        im = as_map(item)
                        if im is None:
                            return exprtypes.ANY
                        for ik, iv in entries(im):
                            low = ik.value.lower()
                            if low in rows:  # an include may give a row's key other values
                                props[low] = _union([props[low], _value_type(iv)])
                            else:
                                added.setdefault(low, []).append(_value_type(iv))
            for low, types in added.items():
                props[low] = _union(types)
        return exprtypes.Obj(props, exprtypes.ANY)

    # -- context references --------------------------------------------------------------------
    def _ref_span(self, ref: expr.ContextRef, k: int, at: _At) -> Span:
        """The span of component ``k`` of a reference: the name, or ``'name'`` for an index."""
        start = ref.offsets[k]
        length = len(ref.path[k])
        if self._inner[start : start + 1] == "'":
            close = self._inner.find("']", start + 1)
            end = close + 1 if close > 0 else start + length + 2
        else:
            end = start + length
        return self.span(at(start), at(end))

    def _add_ref(
        self,
        kind: str,
        name: str,
        span: Span,
        loc: Loc,
        path: tuple[str, ...],
        problem: str | None = None,
        severity: Severity | None = None,
        **data: object,
    ) -> None:
        d: dict[str, object] = dict(data)
        if problem:
            d["problem"] = problem
            if severity is not None:
                d["severity"] = severity
        self.wf.references.append(Reference(kind, name, span, loc.node, path, d))

    def _reference(self, ref: expr.ContextRef, loc: Loc, at: _At) -> None:
        ctx = ref.path[0].lower()

        def root_span() -> Span:  # only built for a finding
            return self.span(at(ref.offsets[0]), at(ref.offsets[0] + len(ref.path[0])))

        if ctx not in CONTEXTS:
            self.expr_findings.append(
                (root_span(), f'unknown context "{ref.path[0]}"{did_you_mean(ref.path[0], CONTEXTS)}')
            )
            return
        if ctx == "needs":
            if not loc.needs_ok:
                self._add_ref(
                    "unavailable-context",
                    "needs",
                    root_span(),
                    loc,
                    ref.path,
                    f'the "needs" context is not available in {loc.where}; it exists only inside jobs',
                )
                return
            self._needs_ref(ref, loc, at)
        elif ctx == "steps":
            if not loc.steps_ok:
                where = loc.where if loc.job is not None else f"{loc.where} (outside any job)"
                self._add_ref(
                    "unavailable-context",
                    "steps",
                    root_span(),
                    loc,
                    ref.path,
                    f'the "steps" context is not available in {where}; it exists in steps, job '
                    '"outputs" and "environment"',
                )
                return
            self._steps_ref(ref, loc, at)
        elif ctx == "jobs":
            if not loc.jobs_ok:
                self._add_ref(
                    "unavailable-context",
                    "jobs",
                    root_span(),
                    loc,
                    ref.path,
                    f'the "jobs" context is not available in {loc.where}; it exists only in '
                    '"on.workflow_call.outputs"',
                )
                return
            self._jobs_ref(ref, loc, at)
        elif ctx == "inputs":
            self._inputs_ref(ref, loc, at)
        elif ctx == "secrets":
            if len(ref.path) >= 2 and (declared := self.call_secrets.get(ref.path[1].lower())) is not None:
                self._add_ref("workflow-secret", declared, self._ref_span(ref, 1, at), loc, ref.path)
        elif ctx == "matrix":
            if loc.job is None or not loc.matrix_ok:
                self._add_ref(
                    "unavailable-context",
                    "matrix",
                    root_span(),
                    loc,
                    ref.path,
                    f'the "matrix" context is not available in {loc.where}',
                )
                return
            self._matrix_ref(ref, loc, at)

    def _needs_ref(self, ref: expr.ContextRef, loc: Loc, at: _At) -> None:
        job = loc.job
        assert job is not None
        if len(ref.path) < 2:
            for low in job.needs:
                target = self.by_name.get(low)
                if target is not None:
                    self._use_all_outputs(target, ref, loc, at)
            return
        name = ref.path[1]
        low = name.lower()
        span = self._ref_span(ref, 1, at)
        target = self.by_name.get(low)
        if low not in job.needs:
            if target is job:
                self._add_ref(
                    "job",
                    job.name,
                    span,
                    loc,
                    ref.path,
                    f'job "{job.name}" cannot read its own results through "needs.{name}"; '
                    "use the steps context inside the job",
                    job=job.name,
                )
            elif target is not None:
                self._add_ref(
                    "job",
                    target.name,
                    span,
                    loc,
                    ref.path,
                    f'job "{target.name}" is not in the "needs" of job "{job.name}"; add it to "needs" to read '
                    "its results (only direct dependencies are visible)",
                    missing_need=target.name,
                    job=job.name,
                )
            else:
                needed = [t.name for n in job.needs if (t := self.by_name.get(n)) is not None]
                msg = f'undefined job "{name}" in "needs.{name}"'
                msg += did_you_mean(name, needed) if needed else f'; job "{job.name}" has no "needs"'
                self._add_ref("job", name, span, loc, ref.path, msg, job=job.name)
            return
        if target is None:
            self._add_ref("job", name, span, loc, ref.path, f'job "{name}" does not exist', job=job.name)
            return
        self._add_ref("job", target.name, span, loc, ref.path)
        self._job_outputs_ref(target, ref, loc, at, "needs")

    def _use_all_outputs(self, target: JobInfo, ref: expr.ContextRef, loc: Loc, at: _At) -> None:
        if target.outputs is None or target.is_call:
            return
        span = self.span(at(ref.start), at(ref.end))
        for name, _ in target.outputs.values():
            self._add_ref("job-output", f"{target.name}.{name}", span, loc, ref.path)

    def _job_outputs_ref(self, target: JobInfo, ref: expr.ContextRef, loc: Loc, at: _At, ctx: str) -> None:
        if len(ref.path) < 3:
            self._use_all_outputs(target, ref, loc, at)
            return
        if ref.path[2].lower() != "outputs":
            return
        if len(ref.path) < 4:
            self._use_all_outputs(target, ref, loc, at)
            return
        out = ref.path[3]
        span = self._ref_span(ref, 3, at)
        if target.outputs is None:
            return  # a remote reusable workflow: outputs unknown
        hit = target.outputs.get(out.lower())
        if hit is None:
            names = [n for n, _ in target.outputs.values()]
            what = f'the workflow called by job "{target.name}"' if target.is_call else f'job "{target.name}"'
            msg = f'{what} has no output "{out}"'
            best = closest(out, names)
            msg += f'; did you mean "{best}"?' if best else f"; {_listing(names, 'output')}"
            if not target.is_call:
                msg += f" (declare it under jobs.{target.name}.outputs)"
            self._add_ref(
                "job-output",
                f"{target.name}.{out}",
                span,
                loc,
                ref.path,
                msg,
                job=target.name,
                output=out,
                context=ctx,
                declared=not target.is_call,
            )
            return
        if not target.is_call:
            self._add_ref("job-output", f"{target.name}.{hit[0]}", span, loc, ref.path)
        elif target.call_target is not None:
            self._add_ref("call-output", out, span, loc, ref.path, target=target.call_target, job=target.name)

    def _jobs_ref(self, ref: expr.ContextRef, loc: Loc, at: _At) -> None:
        if len(ref.path) < 2:
            for each in self.jobs:
                self._use_all_outputs(each, ref, loc, at)
            return
        name = ref.path[1]
        span = self._ref_span(ref, 1, at)
        target = self.by_name.get(name.lower())
        if target is None:
            self._add_ref(
                "job",
                name,
                span,
                loc,
                ref.path,
                f'undefined job "{name}"{did_you_mean(name, [j.name for j in self.jobs])}',
            )
            return
        self._add_ref("job", target.name, span, loc, ref.path)
        self._job_outputs_ref(target, ref, loc, at, "jobs")

    def _steps_ref(self, ref: expr.ContextRef, loc: Loc, at: _At) -> None:
        job = loc.job
        if job is None or len(ref.path) < 2:
            return
        sid = ref.path[1]
        low = sid.lower()
        span = self._ref_span(ref, 1, at)
        index = job.step_ids.get(low)
        if index is None:
            ids = [s.id for s in job.steps if s.id]
            msg = f'undefined step "{sid}" in job "{job.name}"'
            hint = did_you_mean(sid, ids)
            owner = next((j for j in self.jobs if j is not job and low in j.step_ids), None)
            if hint:
                msg += hint
            elif owner is not None:
                msg += (
                    f'; step "{sid}" belongs to job "{owner.name}" and steps are visible only in their own '
                    'job (pass the value through job outputs and "needs")'
                )
            else:
                msg += '; no step of this job has that "id"'
            self._add_ref("step", f"{job.name}.{sid}", span, loc, ref.path, msg, job=job.name)
            return
        st = job.steps[index]
        assert st.id is not None
        if not loc.all_steps and loc.step is not None and index >= loc.step:
            msg = (
                f'step "{st.id}" is this step; its results exist only after it ran'
                if index == loc.step
                else f'step "{st.id}" runs later (step {index + 1}); it has not run when this expression is evaluated'
            )
            related = [(st.id_span, f'step "{st.id}"')] if st.id_span is not None else []
            self._add_ref(
                "step", f"{job.name}.{st.id}", span, loc, ref.path, msg, job=job.name, related=related
            )
            return
        self._add_ref("step", f"{job.name}.{st.id}", span, loc, ref.path)
        if len(ref.path) >= 4 and ref.path[2].lower() == "outputs" and st.outputs is not None:
            out = ref.path[3]
            if out.lower() not in st.outputs:
                best = closest(out, st.outputs_display)
                msg = f'{st.label} has no output "{out}"'
                msg += f'; did you mean "{best}"?' if best else f"; {_listing(st.outputs_display, 'output')}"
                self._add_ref(
                    "step-output",
                    f"{job.name}.{st.id}.{out}",
                    self._ref_span(ref, 3, at),
                    loc,
                    ref.path,
                    msg,
                    None if st.strict else Severity.WARNING,
                    job=job.name,
                    step=st.id,
                )

    def _inputs_ref(self, ref: expr.ContextRef, loc: Loc, at: _At) -> None:
        if len(ref.path) < 2:
            return
        name = ref.path[1]
        span = self._ref_span(ref, 1, at)
        hit = self.inputs.get(name.lower())
        if hit is not None:
            self._add_ref("input", hit[0], span, loc, ref.path)
            return
        if not self.has_input_events:
            self._add_ref(
                "input",
                name,
                span,
                loc,
                ref.path,
                f'"inputs.{name}" is always empty: the workflow has no workflow_dispatch or workflow_call '
                "trigger that declares inputs",
                Severity.WARNING,
            )
            return
        names = [n for n, _ in self.inputs.values()]
        best = closest(name, names)
        msg = f'undefined input "{name}"'
        msg += (
            f'; did you mean "{best}"?'
            if best
            else "; declare it under on.workflow_dispatch.inputs or on.workflow_call.inputs"
        )
        self._add_ref("input", name, span, loc, ref.path, msg, suggestion=best)

    def _matrix_ref(self, ref: expr.ContextRef, loc: Loc, at: _At) -> None:
        job = loc.job
        assert job is not None
        if len(ref.path) < 2:
            return
        name = ref.path[1]
        span = self._ref_span(ref, 1, at)
        if not job.has_matrix:
            self._add_ref(
                "matrix",
                name,
                span,
                loc,
                ref.path,
                f'job "{job.name}" has no matrix; "matrix.{name}" is always empty',
                Severity.WARNING,
            )
            return
        if job.matrix_keys is None:
            return
        if name.lower() in job.matrix_keys:
            self._add_ref("matrix", name, span, loc, ref.path)
            return
        best = closest(name, job.matrix_keys)
        msg = f'the matrix of job "{job.name}" has no key "{name}"'
        msg += f'; did you mean "{best}"?' if best else f"; {_listing(job.matrix_keys, 'key')}"
        self._add_ref("matrix", name, span, loc, ref.path, msg, job=job.name)


def lower(doc: Document, uri: str = "") -> Workflow:
    """Lower a parsed GitHub Actions workflow to the IR."""
    return Lowerer(doc, uri).run()


def _step_label(name: str | None, uses: str | None, sid: str | None, run: str | None, i: int) -> str:
    """What a drawing calls a step: its ``name``, else its id, its ``uses`` or its command's
    first line (the node's own name stays the id or ``step-N``, which navigation uses)."""
    for label in (name, sid, uses):
        if label and label.strip() and "${{" not in label:
            return label.strip()
    if run and run.strip():
        first = run.strip().splitlines()[0].strip()
        return f"run: {first[:40]}…" if len(first) > 40 else f"run: {first}"
    return f"step {i + 1}"
