"""Diagnostic to repair: a local prompt, a model choice, a validated edit.

For one finding, the server chooses a range (the lines of the innermost task, job or step
around the finding, or a few lines around it) and computes candidate fixes: the deterministic
fixes of :func:`wfspec.fixes.fixes_for`, the replacement a message suggests ("did you mean"),
renames of the offending name to every valid target or declared name (in GitHub Actions: the
jobs in ``needs``, the job's step ids, the outputs of the job read), renaming a task or job back
to the name its users still write, and structural edits (a loop's ``then`` to ``end``, one
``needs`` entry of a cycle dropped, a missing step ``id`` added, a duplicated step ``id``
removed, a job output declared from one of the job's steps). Each candidate is validated up
front, so the model only ever chooses among candidates that analyze clean, or, with choice 0,
rewrites the chosen range itself (once: after a failed rewrite only the candidates remain).
Model text only ever replaces the chosen range; analyzer-computed edits are the only edits
elsewhere. An edit is offered only when the target finding is gone and nothing new appeared;
the model's own rewrite besides stays inside the finding's :class:`RepairScope` (no task, job
or step removed or renamed, no YAML tag and no command or endpoint added, commands and
endpoints changed only at the finding; what the validated candidates do is allowed). An answer
above the size limit is rejected unread. Each rejection's reason goes back to the model as
feedback, and the last one to the user.
"""

from __future__ import annotations

import difflib
import re
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wfspec import ir
from wfspec.analysis.config import Config
from wfspec.analysis.engine import Analysis, analyze
from wfspec.analysis.rules import BY_ID
from wfspec.findings import Finding
from wfspec.fixes import TextEdit, apply_edits, content_end, fixes_for
from wfspec.llm import prompts
from wfspec.llm.extract import extract_json, extract_yaml, strip_think
from wfspec.llm.provider import UNAVAILABLE, AnswerTooLarge, Completion, Message, Provider, ProviderError
from wfspec.llm.validate import check_repair, finding_key, repair_scope
from wfspec.syntax.tree import Node, ScalarNode, SeqNode

Progress = Callable[[str], None]

MAX_RANGE_LINES = 40
MAX_CANDIDATES = 6
FLOW_DIRECTIVES = ("end", "exit", "continue")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible fix: a title, its edits and where it came from (``analyzer`` or ``model``)."""

    title: str
    edits: tuple[TextEdit, ...]
    source: str = "analyzer"
    preferred: bool = False  # the analyzer's own preferred fix (unambiguous)


@dataclass
class RepairResult:
    """What repair produced for one finding. ``ok`` only when ``edits`` validated."""

    finding: Finding
    ok: bool = False
    reason: str = ""
    title: str = ""
    edits: tuple[TextEdit, ...] = ()
    document: str = ""
    range: tuple[int, int] = (0, 0)
    source: str = ""
    rounds: int = 0
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency: float = 0.0
    candidates: int = 0  # validated candidates shown to the model
    history: list[str] = field(default_factory=list)
    error_kind: str = ""

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def detail(self) -> str:
        if self.ok:
            return f"{self.title} (validated in {self.rounds} round(s); {self.tokens} tokens)"
        return f"no valid repair found: {self.reason}"


# -- the chosen range ---------------------------------------------------------------------


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _line_end(text: str, offset: int) -> int:
    i = text.find("\n", offset)
    return len(text) if i < 0 else i + 1


def enclosing_task(analysis: Analysis, finding: Finding) -> ir.TaskNode | None:
    """The innermost task whose text contains the finding."""
    wf = analysis.workflow
    if wf is None:
        return None
    s, e = finding.span.start.offset, finding.span.end.offset
    best: ir.TaskNode | None = None
    for node in wf.nodes.values():
        b = node.body_span
        if b.start.offset <= s and e <= b.end.offset:
            if (
                best is None
                or b.end.offset - b.start.offset < best.body_span.end.offset - best.body_span.start.offset
            ):
                best = node
    return best


def repair_range(analysis: Analysis, finding: Finding) -> tuple[int, int]:
    """Full lines the model may rewrite: the innermost task around the finding when it is at
    most ``MAX_RANGE_LINES`` lines, else the finding's lines and one on each side."""
    text = analysis.text
    node = enclosing_task(analysis, finding)
    if node is not None and node.key is not None:
        # a GitHub step's key is its ``id:`` value, which need not be the step's first line
        start = _line_start(text, min(node.key.span.start.offset, node.body_span.start.offset))
        # a block mapping's span runs on to the next item: end at its last scalar instead
        body_end = content_end(node.body) if node.body is not None else node.body_span.end.offset
        end = _line_end(text, max(body_end - 1, node.key.span.end.offset))
        if text.count("\n", start, end) <= MAX_RANGE_LINES:
            return start, end
    s = _line_start(text, finding.span.start.offset)
    e = _line_end(text, max(finding.span.end.offset - 1, finding.span.start.offset))
    if s > 0:
        s = _line_start(text, s - 1)
    if e < len(text):
        e = _line_end(text, e)
    return s, e


def neighbours(analysis: Analysis, finding: Finding) -> str:
    """The enclosing task's predecessors and successors in the flow graph, by name (for a
    GitHub job: the jobs it needs and the jobs that need it)."""
    node = enclosing_task(analysis, finding)
    if node is None or analysis.graph is None or node.id not in analysis.graph.graph:
        return ""
    g = analysis.graph.graph
    wf = analysis.workflow
    assert wf is not None

    def label(n: str) -> str:
        if n in wf.nodes:
            return f'"{wf.nodes[n].name}"'
        if n == ir.END_NODE:
            return "the end"
        return "a block boundary" if "#" in n else n

    if node.kind == "job":  # a ``needs`` edge runs from a job to the job it waits for
        needs = sorted({label(t) for _, t, k in g.out_edges(node.id, data="kind") if k == ir.NEEDS})
        needed_by = sorted({label(p) for p, _, k in g.in_edges(node.id, data="kind") if k == ir.NEEDS})
        return (
            f'job "{node.name}" needs {", ".join(needs) or "no job"} '
            f"and is needed by {', '.join(needed_by) or 'no job'}"
        )
    preds = sorted({label(p) for p in g.predecessors(node.id)})
    succs = sorted({label(s) for s in g.successors(node.id)})
    what = node.kind if node.kind in ("job", "step") else "task"
    after, to = ", ".join(preds) or "nothing", ", ".join(succs) or "nothing"
    return f'{what} "{node.name}" comes after {after} and goes to {to}'


def valid_targets(analysis: Analysis, finding: Finding) -> list[str]:
    """Names a transition at the finding may target: the tasks of the source's own do list
    (itself excluded) and ``end``/``exit``/``continue``; for a GitHub ``needs`` entry, the
    other jobs."""
    wf = analysis.workflow
    if wf is None:
        return []
    source = finding.data.get("source")
    node = wf.nodes.get(source) if isinstance(source, str) else enclosing_task(analysis, finding)
    directives = [] if wf.dialect == "github" else list(FLOW_DIRECTIVES)
    if node is None:
        return directives
    names = [wf.nodes[t].name for t in wf.scopes[node.scope].tasks if t != node.id]
    return names + directives


def declared_names(analysis: Analysis, kind: str) -> list[str]:
    wf = analysis.workflow
    return sorted({d.name for d in wf.definitions if d.kind == kind}) if wf is not None else []


def reference_at(analysis: Analysis, finding: Finding) -> ir.Reference | None:
    """The IR reference a finding was reported at, when the dialect resolved the reference and
    found it wanting (GitHub ``needs.*``, ``steps.*``, ``inputs.*``, ``matrix.*``)."""
    wf = analysis.workflow
    if wf is None:
        return None
    s, e = finding.span.start.offset, finding.span.end.offset
    for r in wf.references:
        if r.span.start.offset == s and r.span.end.offset == e and r.data.get("problem") == finding.message:
            return r
    return None


def reference_names(analysis: Analysis, finding: Finding) -> tuple[str, list[str]]:
    """(what they are, names) that the reference at ``finding`` could be changed to: for
    ``undefined-reference`` the declared names of its kind; in GitHub Actions the step ids of the
    job, the outputs of the job read, the jobs in ``needs`` or the workflow inputs."""
    wf = analysis.workflow
    if wf is None:
        return "", []
    kind = finding.data.get("kind")
    if isinstance(kind, str):
        return f"Declared {kind} names", declared_names(analysis, kind)
    ref = reference_at(analysis, finding)
    if ref is None:
        return "", []
    job = ref.data.get("job")
    if ref.kind == "step" and isinstance(job, str):
        ids = [str(d.data["step"]) for d in wf.definitions if d.kind == "step" and d.data.get("job") == job]
        return f'Step ids of job "{job}"', ids
    if ref.kind == "job-output" and isinstance(job, str):
        outs = [
            str(d.data["output"])
            for d in wf.definitions
            if d.kind == "job-output" and d.data.get("job") == job
        ]
        return f'Outputs of job "{job}"', outs
    if ref.kind == "job" and ref.path[:1] == ("needs",) and isinstance(job, str):
        reader = _job(wf, job)
        needed = [
            e.target_name
            for e in wf.edges
            if reader is not None
            and e.kind == ir.NEEDS
            and e.source == reader.id
            and e.target
            and e.target_name
        ]
        return f'Jobs in the needs of job "{job}"', needed
    if ref.kind == "input":
        return "Workflow inputs", declared_names(analysis, "input")
    return "", []


def candidates_for(analysis: Analysis, finding: Finding) -> list[Candidate]:
    """Every candidate fix the analyzer can compute (deduplicated, not yet validated): the
    analyzer's preferred fixes, renames of the offending name (the message's suggestion first,
    then by closeness), then the other fixes."""
    out: list[Candidate] = []
    seen: dict[tuple[TextEdit, ...], int] = {}

    def add(c: Candidate) -> None:
        if not c.edits:
            return
        at = seen.get(c.edits)
        if at is None:
            seen[c.edits] = len(out)
            out.append(c)
        elif c.preferred and not out[at].preferred:
            out[at] = Candidate(out[at].title, out[at].edits, out[at].source, preferred=True)

    text = analysis.text
    name = finding.data.get("name")
    s, e = finding.span.start.offset, finding.span.end.offset
    if isinstance(name, str) and name and text[s:e] != name and name in text[s:e]:
        # the span is a whole expression path ($secrets.name.field): rename only the name
        s += text[s:e].index(name)
        e = s + len(name)
    later: list[Candidate] = []
    for fix in fixes_for(analysis, finding):
        edits = tuple(
            TextEdit(s, e, x.new_text)
            if (x.start, x.end) == (finding.span.start.offset, finding.span.end.offset)
            and (s, e) != (x.start, x.end)
            else x
            for x in fix.edits
        )
        c = Candidate(fix.title, edits, preferred=fix.preferred)
        if c.preferred:
            add(c)
        else:
            later.append(c)
    for c in _did_you_mean(analysis, finding):
        add(c)
    bad = text[s:e]
    if finding.rule in ("unknown-target", "out-of-scope-target"):
        targets = valid_targets(analysis, finding)
        for target in _by_closeness(bad, targets):
            add(Candidate(f'Change to "{target}"', (TextEdit(s, e, target),)))
        if finding.rule == "unknown-target":
            later.extend(_rename_node_back(analysis, finding, bad, targets))
    elif finding.rule == "undefined-reference":
        for target in _by_closeness(bad, reference_names(analysis, finding)[1]):
            if target != bad:
                add(Candidate(f'Change to "{target}"', (TextEdit(s, e, target),)))
        later.extend(_add_step_id(analysis, finding))
        later.extend(
            _declare_output_from(
                analysis, finding, [c for c in later if c.title.startswith("Declare output")]
            )
        )
    elif finding.rule == "loop-without-exit":
        later.extend(_loop_exits(analysis, finding))
    elif finding.rule == "cycle":
        later.extend(_loop_exits(analysis, finding))
        later.extend(_break_needs_cycle(analysis, finding))
    elif finding.rule == "duplicate-id":
        later.extend(_remove_step_id(analysis, finding))
    for c in later:
        add(c)
    return out[: MAX_CANDIDATES * 2]


def _by_closeness(name: str, options: list[str]) -> list[str]:
    """``options`` most similar to ``name`` first (flow directives keep their place last)."""
    names = [o for o in options if o not in FLOW_DIRECTIVES]
    names.sort(key=lambda o: -difflib.SequenceMatcher(None, name.lower(), o.lower()).ratio())
    return names + [o for o in options if o in FLOW_DIRECTIVES]


def _rename_node_back(analysis: Analysis, finding: Finding, name: str, targets: list[str]) -> list[Candidate]:
    """For a transition naming a task or job that does not exist: rename the most similar
    existing one to that name (the fix when a task or job was renamed and its users were not)."""
    wf = analysis.workflow
    if wf is None or not name or "${" in name:
        return []
    source = finding.data.get("source")
    src = wf.nodes.get(source) if isinstance(source, str) else None
    out: list[Candidate] = []
    used = {e.target for e in wf.edges if e.kind in (ir.THEN, ir.CASE, ir.NEEDS) and e.target}
    for target in _by_closeness(name, [t for t in targets if t not in FLOW_DIRECTIVES])[:2]:
        if difflib.SequenceMatcher(None, name.lower(), target.lower()).ratio() < 0.6:
            break
        node = next(
            (
                n
                for n in wf.nodes.values()
                if n.name == target and n.key is not None and (src is None or n.scope == src.scope)
            ),
            None,
        )
        if node is None or node.key is None or node.id in used:
            continue  # a task or job that others reach by its name was not renamed
        what = "job" if node.kind == "job" else "task"
        k = node.key.span
        out.append(
            Candidate(
                f'Rename {what} "{target}" to "{name}"', (TextEdit(k.start.offset, k.end.offset, name),)
            )
        )
    return out


def _loop_exits(analysis: Analysis, finding: Finding) -> list[Candidate]:
    """For a loop that never ends: point one of its explicit ``then`` edges at ``end`` (or
    ``exit`` inside a block), or drop that ``then`` line."""
    wf = analysis.workflow
    if wf is None:
        return []
    ids = finding.data.get("nodes")
    if not isinstance(ids, list):
        names = finding.data.get("cycle")
        ids = [n.id for n in wf.nodes.values() if isinstance(names, list) and n.name in names]
    members = set(ids)
    text = analysis.text
    out: list[Candidate] = []
    for edge in wf.edges:
        if edge.kind not in (ir.THEN, ir.CASE) or edge.source not in members or edge.span is None:
            continue
        if edge.target not in members:
            continue
        src = wf.nodes[edge.source]
        s, e = edge.span.start.offset, edge.span.end.offset
        out.append(
            Candidate(f'Change "{edge.target_name}" in "{src.name}" to "end"', (TextEdit(s, e, "end"),))
        )
        if wf.scopes[src.scope].parent is not None:
            out.append(
                Candidate(f'Change "{edge.target_name}" in "{src.name}" to "exit"', (TextEdit(s, e, "exit"),))
            )
        ls, le = _line_start(text, s), _line_end(text, s)
        if edge.kind == ir.THEN and text[ls:le].strip().startswith("then:"):
            out.append(
                Candidate(f'Remove "then: {edge.target_name}" from "{src.name}"', (TextEdit(ls, le, ""),))
            )
    return out


# -- GitHub Actions candidates -------------------------------------------------------------

_STEP_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_STEP_READ = re.compile(r"steps\.([A-Za-z_][A-Za-z0-9_-]*)\.outputs\.")
MAX_STEP_CANDIDATES = 3


def _job(wf: ir.Workflow, name: str) -> ir.TaskNode | None:
    low = name.lower()
    return next((n for n in wf.nodes.values() if n.kind == "job" and n.name.lower() == low), None)


def _steps_of(wf: ir.Workflow, job: ir.TaskNode) -> list[ir.TaskNode]:
    return [n for scope in job.inner for n in wf.tasks_in(scope) if n.kind == "step"]


def _indent_at(text: str, offset: int) -> str:
    """Spaces as wide as the line up to ``offset`` (the column of a key after ``- ``)."""
    return " " * (offset - _line_start(text, offset))


def _step_label(text: str, step: ir.TaskNode) -> str:
    """A short description of a step for a candidate title: its name, or its first key."""
    m = step.mapping
    if m is None or not m.pairs:
        return f"step {step.index + 1}"
    named = m.get("name")
    first = next(((k, v) for k, v in m.items() if k.value != "id"), None)
    v: Node
    if isinstance(named, ScalarNode):
        key, v = "name", named
    elif first is not None:
        key, v = first[0].value, first[1]
    else:
        return f"step {step.index + 1}"
    lines = [ln.strip() for ln in text[v.span.start.offset : v.span.end.offset].splitlines()]
    lines = [ln for ln in lines if ln and ln not in ("|", ">", "|-", ">-")]
    value = lines[0] if lines else ""
    if len(value) > 48:
        value = value[:45] + "..."
    return f"step {step.index + 1} ({key}: {value})"


_EXPR = re.compile(r"\$\{\{.*?\}\}", re.S)


def _mentions(text: str, step: ir.TaskNode, word: str) -> bool:
    """True when the step's text outside ``${{ }}`` mentions ``word`` (a step that writes
    ``tag=...`` to $GITHUB_OUTPUT, not one that reads ``steps.x.outputs.tag``)."""
    b = step.body_span
    own = _EXPR.sub("", text[b.start.offset : b.end.offset])
    return bool(word) and word.lower() in own.lower()


def _add_step_id(analysis: Analysis, finding: Finding) -> list[Candidate]:
    """For ``steps.<id>`` naming no step of the job: give that id to a step that has none and
    runs before the reader (steps that mention the output read first, then the nearest)."""
    wf = analysis.workflow
    ref = reference_at(analysis, finding)
    if wf is None or ref is None or ref.kind != "step" or len(ref.path) < 2 or ref.node is None:
        return []
    sid = ref.path[1]
    reader = wf.nodes.get(ref.node)
    job = _job(wf, str(ref.data.get("job", "")))
    if reader is None or job is None or not _STEP_ID.match(sid):
        return []
    if any(st.name.lower() == sid.lower() and not st.payload.get("anonymous") for st in _steps_of(wf, job)):
        return []  # the id exists (a step that runs later): moving ids around is the author's call
    text = analysis.text
    before = [
        st
        for st in _steps_of(wf, job)
        if st.payload.get("anonymous") and (reader.kind == "job" or st.index < reader.index)
    ]
    output = ref.path[3] if len(ref.path) >= 4 and ref.path[2].lower() == "outputs" else ""
    before.sort(key=lambda st: (not _mentions(text, st, output), not _mentions(text, st, sid), -st.index))
    out: list[Candidate] = []
    for st in before[:MAX_STEP_CANDIDATES]:
        m = st.mapping
        if m is None or m.flow or not m.pairs:
            continue
        k = m.pairs[0][0].span.start.offset
        edit = TextEdit(k, k, f"id: {sid}\n{_indent_at(text, k)}")
        out.append(Candidate(f'Add "id: {sid}" to {_step_label(text, st)} of job "{job.name}"', (edit,)))
    return out


def _declare_output_from(analysis: Analysis, finding: Finding, declared: list[Candidate]) -> list[Candidate]:
    """The analyzer's "declare the missing job output" fix reads the job's last step with an
    id; offer the same declaration read from each other step with an id (steps that mention the
    output first)."""
    wf = analysis.workflow
    output, job_name = finding.data.get("output"), finding.data.get("job")
    if wf is None or len(declared) != 1 or not isinstance(output, str) or not isinstance(job_name, str):
        return []
    job = _job(wf, job_name)
    if job is None:
        return []
    base = declared[0]
    text = analysis.text
    ids = [st for st in _steps_of(wf, job) if not st.payload.get("anonymous")]
    ids.sort(key=lambda st: (not _mentions(text, st, output), -st.index))
    reads = [_STEP_READ.search(ed.new_text) for ed in base.edits]
    out: list[Candidate] = []
    for st in ids[:MAX_STEP_CANDIDATES]:
        edits = tuple(
            TextEdit(ed.start, ed.end, ed.new_text[: m.start(1)] + st.name + ed.new_text[m.end(1) :])
            if m is not None
            else ed
            for ed, m in zip(base.edits, reads, strict=True)
        )
        title = re.sub(r'from step "[^"]*"$', f'from step "{st.name}"', base.title)
        out.append(Candidate(title, edits))
    return out


def _remove_need(analysis: Analysis, job: ir.TaskNode, target: str) -> TextEdit | None:
    """An edit removing ``target`` from the ``needs`` of ``job`` (the whole ``needs:`` entry
    when it is the only job needed)."""
    m = job.mapping
    if m is None or m.flow:
        return None
    needs, key = m.get("needs"), m.key_node("needs")
    if needs is None or key is None:
        return None
    items = (
        [needs] if isinstance(needs, ScalarNode) else list(needs.items) if isinstance(needs, SeqNode) else []
    )
    low = target.lower()
    hit = next((x for x in items if isinstance(x, ScalarNode) and x.value.lower() == low), None)
    if hit is None:
        return None
    text = analysis.text
    if len(items) == 1:
        end = max(content_end(needs) - 1, key.span.end.offset)
        return TextEdit(_line_start(text, key.span.start.offset), _line_end(text, end), "")
    assert isinstance(needs, SeqNode)
    k = items.index(hit)
    if needs.flow:
        if k + 1 < len(items):
            return TextEdit(hit.span.start.offset, items[k + 1].span.start.offset, "")
        return TextEdit(items[k - 1].span.end.offset, hit.span.end.offset, "")
    return TextEdit(_line_start(text, hit.span.start.offset), _line_end(text, hit.span.start.offset), "")


def _break_needs_cycle(analysis: Analysis, finding: Finding) -> list[Candidate]:
    """For a ``needs`` cycle: drop one of its ``needs`` entries (each in turn)."""
    wf = analysis.workflow
    names = finding.data.get("cycle")
    if wf is None or not isinstance(names, list) or not names:
        return []
    out: list[Candidate] = []
    for i, src in enumerate(names):
        dst = str(names[(i + 1) % len(names)])
        job = _job(wf, str(src))
        edit = _remove_need(analysis, job, dst) if job is not None else None
        if job is not None and edit is not None:
            out.append(Candidate(f'Remove "{dst}" from the needs of job "{job.name}"', (edit,)))
    return out


def _remove_step_id(analysis: Analysis, finding: Finding) -> list[Candidate]:
    """For a duplicated GitHub step id: take the id off the second step (a copied line)."""
    wf = analysis.workflow
    nid = finding.data.get("node")
    node = wf.nodes.get(nid) if wf is not None and isinstance(nid, str) else None
    m = node.mapping if node is not None and node.kind == "step" else None
    key = m.key_node("id") if m is not None else None
    if node is None or m is None or key is None or m.flow or len(m.pairs) < 2:
        return []
    text = analysis.text
    value = m.get("id")
    assert value is not None
    ls = _line_start(text, key.span.start.offset)
    if text[ls : key.span.start.offset].strip():  # ``- id: x``: the next key moves up
        nxt = next(k for k, _ in m.pairs if k is not key)
        edit = TextEdit(key.span.start.offset, nxt.span.start.offset, "")
    else:
        edit = TextEdit(ls, _line_end(text, max(value.span.end.offset - 1, key.span.end.offset)), "")
    job = node.payload.get("job", "")
    return [Candidate(f'Remove "id: {node.name}" from {_step_label(text, node)} of job "{job}"', (edit,))]


# -- messages that name a better value ------------------------------------------------------

_BAD_VALUE = re.compile(
    r'(?:value|name|task|secret|function|property|key|input|context|step|output|job) "([^"]+)"'
)
_SUGGESTED = re.compile(r'did you mean "([^"]+)"')


def _did_you_mean(analysis: Analysis, finding: Finding) -> list[Candidate]:
    """From a message saying ``... "bad" ...; did you mean "good"?``: replace the bad text
    (the quoted name that lies in the finding's range, else the first one on its lines)."""
    good = _SUGGESTED.search(finding.message)
    bads = [m.group(1) for m in _BAD_VALUE.finditer(finding.message[: good.start() if good else 0])]
    if good is None or not bads:
        return []
    text = analysis.text
    s, e = finding.span.start.offset, finding.span.end.offset
    inside = [b for b in bads if b in text[s:e] and b != good.group(1)]
    if inside:
        bad = inside[0]
        at = text.find(bad, s, e)
    else:
        bad = bads[0]
        if bad == good.group(1):
            return []
        ls = _line_start(text, s)
        at = text.find(bad, ls, _line_end(text, max(e - 1, s)))
    if at < 0:
        return []
    edit = TextEdit(at, at + len(bad), good.group(1))
    return [Candidate(f'Change "{bad}" to "{good.group(1)}"', (edit,), preferred=True)]


def rule_doc_for(doc: str, dialect: str) -> str:
    """A rule's explanation for the prompt: its bad/good examples only when they are written in
    ``dialect`` (a Serverless Workflow example teaches a small model nothing about ``needs``)."""
    head, sep, examples = doc.partition("\nBad::")
    if not sep or ("jobs:" in examples) == (dialect == "github"):
        return doc
    return head.rstrip()


def _preview(text: str, c: Candidate) -> str:
    """The first changed line after applying the candidate (for the prompt)."""
    if not c.edits:
        return ""
    first = min(c.edits, key=lambda e: e.start)
    new = apply_edits(text, c.edits)
    ls = _line_start(new, first.start)
    return new[ls : _line_end(new, first.start)].rstrip("\n")


def _numbered(text: str, start: int, end: int) -> str:
    first = text.count("\n", 0, start) + 1
    lines = text[start:end].splitlines()
    return "\n".join(f"{first + i:4d} | {ln}" for i, ln in enumerate(lines))


# -- the loop -----------------------------------------------------------------------------


async def repair(
    provider: Provider,
    analysis: Analysis,
    finding: Finding,
    *,
    config: Config | None = None,
    version: object | None = None,
    max_rounds: int | None = None,
    progress: Progress | None = None,
) -> RepairResult:
    """A validated repair for ``finding`` in ``analysis`` (or a result saying why none).

    Never raises on model trouble (a :class:`ProviderError` sets ``error_kind``);
    ``asyncio.CancelledError`` propagates."""
    started = time.monotonic()
    text = analysis.text
    result = RepairResult(finding)
    if analysis.doc.has_syntax_error and finding.rule != "syntax":
        result.reason = "the document has syntax errors; fix those first"
        return result
    rng = repair_range(analysis, finding)
    result.range = rng
    rounds_limit = max_rounds or provider.settings.max_rounds

    valid: list[Candidate] = []
    fixed: list[Analysis] = []
    for option in candidates_for(analysis, finding):
        checked = check_repair(analysis, option.edits, finding, config=config)
        if checked.ok:
            valid.append(option)
            if checked.analysis is not None:
                fixed.append(checked.analysis)
        if len(valid) >= MAX_CANDIDATES:
            break
    result.candidates = len(valid)
    scope = repair_scope(analysis, finding, fixed)
    rule = BY_ID.get(finding.rule)
    dialect = analysis.dialect or "serverless"
    wf_names = ""
    if finding.rule in ("unknown-target", "out-of-scope-target"):
        label = "Other jobs of this workflow" if dialect == "github" else "Valid targets here"
        wf_names = f"{label}: " + (", ".join(valid_targets(analysis, finding)) or "none")
    elif finding.rule == "undefined-reference":
        what, names = reference_names(analysis, finding)
        if what:
            wf_names = f"{what}: " + (", ".join(names) or "none")
    base = prompts.repair_messages(
        rule=finding.rule,
        rule_doc=rule_doc_for(rule.doc, dialect) if rule is not None else "",
        message=finding.message,
        line=finding.span.start.line + 1,
        snippet=_numbered(text, *rng),
        neighbours=neighbours(analysis, finding),
        candidates=[
            (o.title + (" (recommended by the analyzer)" if o.preferred else ""), _preview(text, o))
            for o in valid
        ],
        names=wf_names,
        dialect=dialect,
    )
    messages: list[Message] = list(base)
    offered = list(valid)

    def account(c: Completion) -> None:
        result.requests += 1
        result.prompt_tokens += c.prompt_tokens
        result.completion_tokens += c.completion_tokens

    if progress is not None:
        progress(f"asking the model to repair [{finding.rule}]")
    structured = not provider.settings.embedded  # see generate(): small models write YAML better bare
    snippet_tokens = 96 + (rng[1] - rng[0]) // 2
    own_failed = False  # the model's own rewrite was tried and failed: only candidates remain
    try:
        for rnd in range(1, rounds_limit + 1):
            result.rounds = rnd
            answer = ""
            choice: int | None = 0
            replacement = ""
            too_large = ""
            try:
                if offered:
                    c = await provider.complete(
                        messages,
                        schema=prompts.choice_schema(len(offered), allow_none=not own_failed),
                        schema_name="repair",
                        version=version,
                        max_tokens=min(provider.settings.max_tokens, 32),
                    )
                    account(c)
                    answer = c.text
                    choice, replacement = _parse_answer(c.text)
                if choice == 0 and not replacement:
                    ask = list(messages)
                    if answer:
                        ask.append({"role": "assistant", "content": answer[:200]})
                    ask.append(prompts.rewrite_message(structured))
                    c = await provider.complete(
                        ask,
                        schema=prompts.REPLACEMENT_SCHEMA if structured else None,
                        schema_name="replacement",
                        version=version,
                        max_tokens=min(provider.settings.max_tokens, snippet_tokens),
                    )
                    account(c)
                    answer = c.text
                    _, replacement = _parse_answer(c.text)
            except AnswerTooLarge as exc:
                result.requests += 1
                too_large, answer, choice, replacement = exc.message, "", None, ""
            cand: Candidate | None = None
            why = ""
            if too_large:
                why = too_large + "; answer with the candidate number or the replaced lines only"
            elif choice is not None and 1 <= choice <= len(offered):
                cand = offered[choice - 1]
            elif replacement:
                cand = Candidate(
                    "Apply the model's edit",
                    (TextEdit(rng[0], rng[1], _fit(replacement, text, rng)),),
                    "model",
                )
            elif choice is not None and choice > len(offered):
                why = f"choice {choice} is not one of the candidates"
            else:
                why = "the answer held neither a candidate number nor a replacement"
            feedback = ""
            if cand is not None:
                verdict = check_repair(
                    analysis,
                    cand.edits,
                    finding,
                    config=config,
                    scope=scope if cand.source == "model" else None,
                )
                if verdict.ok:
                    return _accept(result, cand, text, rnd, started)
                why = verdict.reason
                feedback = verdict.describe_added()
            result.history.append(why)
            own_failed = own_failed or (
                bool(offered) and (choice == 0 or (cand is not None and cand.source == "model"))
            )
            messages = list(base) + [
                {"role": "assistant", "content": answer[:3000]},
                prompts.feedback_message(feedback, why, pick_only=own_failed),
            ]
    except ProviderError as exc:
        result.error_kind = exc.kind
        result.reason = exc.message
        result.latency = time.monotonic() - started
        return result
    result.latency = time.monotonic() - started
    last = result.history[-1] if result.history else "no answer"
    result.reason = f"no answer validated in {result.rounds} round(s) (last: {last})"
    return result


def _parse_answer(answer: str) -> tuple[int | None, str]:
    """(choice, replacement) from a JSON answer, or (None, YAML found in a free-text answer)."""
    data: Any = extract_json(answer)
    if isinstance(data, dict):
        raw = data.get("choice")
        choice: int | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            choice = raw
        elif isinstance(raw, str) and raw.strip().isdigit():
            choice = int(raw.strip())
        rep = data.get("replacement")
        replacement = rep if isinstance(rep, str) else ""
        if replacement.strip() and "```" in replacement:
            replacement = extract_yaml(replacement) or ""
        return choice, replacement if replacement.strip() else ""
    plain = strip_think(answer).strip()
    if plain.isdigit():
        return int(plain), ""
    m = re.search(r'"choice"\s*:\s*"?(\d+)', plain)  # a cut-off JSON answer still names its choice
    if m:
        return int(m.group(1)), ""
    return None, extract_yaml(answer) or ""


def _fit(replacement: str, text: str, rng: tuple[int, int]) -> str:
    """The model's rewrite of the range: line-number gutters removed, re-indented to the
    range's indentation, ending in a newline like the range does."""
    lines = replacement.splitlines()
    gutter = re.compile(r"^\s*\d+ \| ?")
    if lines and all(gutter.match(ln) or not ln.strip() for ln in lines):
        lines = [gutter.sub("", ln, count=1) for ln in lines]
    body = textwrap.dedent("\n".join(lines)).strip("\n")
    original = text[rng[0] : rng[1]]
    first = original.splitlines()[0] if original else ""
    indent = len(first) - len(first.lstrip(" "))
    out = textwrap.indent(body, " " * indent) if body else ""
    if original.endswith("\n") and out and not out.endswith("\n"):
        out += "\n"
    return out


def _accept(result: RepairResult, cand: Candidate, text: str, rounds: int, started: float) -> RepairResult:
    result.ok = True
    result.reason = ""
    result.title = cand.title
    result.edits = cand.edits
    result.source = cand.source
    result.rounds = rounds
    result.document = apply_edits(text, cand.edits)
    result.latency = time.monotonic() - started
    return result


async def repair_all(
    provider: Provider,
    text: str,
    uri: str = "",
    *,
    config: Config | None = None,
    max_findings: int = 50,
    progress: Progress | None = None,
) -> tuple[str, list[RepairResult]]:
    """Repair a whole document one finding at a time ("Fix all with AI"), re-analyzing after
    each applied repair. Returns the final text and one result per finding attempted."""
    results: list[RepairResult] = []
    tried: set[tuple[str, str]] = set()
    for _ in range(max_findings):
        analysis = analyze(text, uri, config)
        pending = [f for f in analysis.findings if finding_key(f) not in tried]
        if not pending:
            break
        f = pending[0]
        tried.add(finding_key(f))
        r = await repair(provider, analysis, f, config=config, progress=progress)
        results.append(r)
        if r.ok:
            text = r.document
        elif r.error_kind in UNAVAILABLE:
            break
    return text, results
