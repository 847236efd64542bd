"""Deterministic quick fixes: Finding -> [Fix(title, edits)]. Pure functions over the analysis.

Used by ``wfspec check --fix`` (preferred fixes only) and by the language server's code
actions. Every edit is a code-point range of the original text and its replacement.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wfspec.findings import Finding
from wfspec.fsio import newline_of
from wfspec.ir import TaskNode
from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode, line_end, line_start, walk

if TYPE_CHECKING:
    from wfspec.analysis.engine import Analysis


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace the code points ``[start, end)`` of the text with ``new_text``."""

    start: int
    end: int
    new_text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A titled set of edits that resolves one finding. ``preferred`` marks the unambiguous
    ones (applied by ``--fix`` and offered first by editors)."""

    title: str
    edits: tuple[TextEdit, ...]
    rule: str
    preferred: bool = False
    data: dict[str, object] = field(default_factory=dict)


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """Apply non-overlapping edits (any order); overlapping later edits are skipped."""
    out = text
    last_start = len(text) + 1
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        if e.end > last_start:
            continue
        out = out[: e.start] + e.new_text + out[e.end :]
        last_start = e.start
    return out


FixFn = Callable[["Analysis", Finding], list[Fix]]


def fixes_for(analysis: Analysis, finding: Finding) -> list[Fix]:
    """Every deterministic fix for ``finding`` (possibly none), preferred first."""
    fn = _FIXERS.get(finding.rule)
    if fn is None or analysis.workflow is None:
        return []
    try:
        fixes = fn(analysis, finding)
    except Exception:  # noqa: BLE001 - a broken fixer must not break the caller
        return []
    return sorted(fixes, key=lambda f: not f.preferred)


# -- helpers -------------------------------------------------------------------------------


def _replace_span(finding: Finding, new_text: str) -> TextEdit:
    return TextEdit(finding.span.start.offset, finding.span.end.offset, new_text)


def ends_with_newline(text: str) -> bool:
    return text.endswith(("\n", "\r"))


def _indent_of(text: str, offset: int) -> str:
    s = line_start(text, offset)
    m = re.match(r"[ ]*", text[s:])
    return m.group(0) if m else ""


def content_end(node: Node) -> int:
    """Offset just past the last scalar of ``node`` (block nodes' own spans run on to the next
    token, past trailing comments and blank lines)."""
    end = node.span.start.offset
    for n in walk(node):
        if isinstance(n, ScalarNode) or n.flow:
            end = max(end, n.span.end.offset)
    return end


def _newline(text: str) -> str:
    return newline_of(text)


# -- fixers --------------------------------------------------------------------------------


def _rename_reference(analysis: Analysis, finding: Finding) -> list[Fix]:
    best = finding.data.get("suggestion")
    if not isinstance(best, str) or not best:
        return []
    start, end = finding.span.start.offset, finding.span.end.offset
    name = finding.data.get("name")
    written = analysis.text[start:end]
    if isinstance(name, str) and name and written != name:
        # the span covers more than the name (``$secrets.name.field`` in an expression):
        # replace the name only
        at = written.find(name, written.find(".") + 1 if written.startswith("$") else 0)
        if at < 0:
            return []
        start, end = start + at, start + at + len(name)
    edit = TextEdit(start, end, best)
    return [Fix(f'Change to "{best}"', (edit,), finding.rule, preferred=True, data={"to": best})]


def _undefined_reference(analysis: Analysis, finding: Finding) -> list[Fix]:
    fixes = _rename_reference(analysis, finding)
    if analysis.workflow is not None and analysis.workflow.dialect == "github":
        from wfspec.fixes import github

        for maker, preferred in ((github.add_need, True), (github.declare_output, False)):
            made = maker(analysis, finding)
            if made is not None:
                title, edits = made
                fixes.append(
                    Fix(
                        title,
                        tuple(TextEdit(a, b, t) for a, b, t in edits),
                        finding.rule,
                        preferred=preferred,
                        data={"kind": "declare", "via": maker.__name__},
                    )
                )
    kind = finding.data.get("kind")
    name = finding.data.get("name")
    if (
        kind == "secret"
        and isinstance(name, str)
        and analysis.workflow
        and analysis.workflow.dialect == "serverless"
    ):
        edit = _declare_secret(analysis, name)
        if edit is not None:
            fixes.append(
                Fix(
                    f'Declare secret "{name}" in use.secrets',
                    (edit,),
                    finding.rule,
                    preferred=not fixes,
                    data={"kind": "declare"},
                )
            )
    return fixes


def _declare_secret(analysis: Analysis, name: str) -> TextEdit | None:
    """An edit adding ``name`` to ``use.secrets``, creating ``use``/``secrets`` when missing."""
    root = analysis.doc.root
    text = analysis.text
    nl = _newline(text)
    if not isinstance(root, MapNode) or root.flow:
        return None
    use = root.get("use")
    if isinstance(use, MapNode):
        secrets = use.get("secrets")
        if isinstance(secrets, SeqNode):
            if secrets.flow:
                close = secrets.span.end.offset - 1
                sep = ", " if secrets.items else ""
                return TextEdit(close, close, f"{sep}{name}")
            if not secrets.items:
                return None
            last = secrets.items[-1]
            item_indent = _indent_of(text, last.span.start.offset)
            dash = text[line_start(text, last.span.start.offset) :].lstrip(" ")
            prefix = "- " if dash.startswith("-") else ""
            end = line_end(text, max(content_end(last) - 1, 0))
            line = f"{item_indent}{prefix}{name}{nl}"
            names = [i.value.lower() for i in secrets.items if isinstance(i, ScalarNode)]
            after: Node | None = None
            if len(names) == len(secrets.items) > 1 and names == sorted(names):  # keep a sorted list sorted
                after = next(
                    (
                        i
                        for i in secrets.items
                        if isinstance(i, ScalarNode) and i.value.lower() > name.lower()
                    ),
                    None,
                )
            elif len(names) == len(secrets.items) > 1:  # an order needs two entries to show
                after = _first_used_after(analysis, secrets.items, name)
            if after is not None:
                at = line_start(text, after.span.start.offset)
                return TextEdit(at, at, line)
            if end == len(text) and not ends_with_newline(text):
                line = nl + line.rstrip("\r\n")
            return TextEdit(end, end, line)
        if isinstance(secrets, ScalarNode) and secrets.is_null:  # ``secrets:`` left empty
            key = use.key_node("secrets")
            if secrets.end_offset > secrets.start_offset:
                return TextEdit(secrets.start_offset, secrets.end_offset, f"[{name}]")
            if key is not None and text[key.end_offset : key.end_offset + 1] == ":":
                if _mostly_block(root):
                    ind = " " * key.span.start.character
                    return TextEdit(key.end_offset + 1, key.end_offset + 1, f"{nl}{ind}  - {name}")
                return TextEdit(key.end_offset + 1, key.end_offset + 1, f" [{name}]")
            return None
        if secrets is None and not use.flow and use.pairs:
            first_key = use.pairs[0][0]
            ind = _indent_of(text, first_key.span.start.offset)
            at = line_start(text, first_key.span.start.offset)
            return TextEdit(at, at, f"{ind}secrets:{nl}{ind}  - {name}{nl}")
        return None
    if use is not None:
        return None
    anchor = root.key_node("do") or root.key_node("document")
    if anchor is None:
        return None
    if anchor.value == "do":
        at = line_start(text, anchor.span.start.offset)
        return TextEdit(at, at, f"use:{nl}  secrets:{nl}    - {name}{nl}")
    return None


def _mostly_block(root: Node) -> bool:
    """True when at least half of the document's non-empty lists are block sequences (block is
    the style a tie goes to: the one workflow files are written in)."""
    seqs = [n for n in walk(root) if isinstance(n, SeqNode) and n.items]
    return sum(not n.flow for n in seqs) * 2 >= len(seqs)


def _first_used_after(analysis: Analysis, items: Sequence[Node], name: str) -> Node | None:
    """In a list of secrets declared in the order the document first uses them, the first one
    first used after ``name`` (the new name goes before it); None when the list follows no
    such order or ``name`` comes last."""
    wf = analysis.workflow
    if wf is None:
        return None
    first: dict[str, int] = {}
    for r in wf.references:
        if r.kind == "secret":
            first[r.name] = min(first.get(r.name, r.span.start.offset), r.span.start.offset)
    used = [first.get(i.value) if isinstance(i, ScalarNode) else None for i in items]
    if name not in first or any(u is None for u in used) or used != sorted(used):  # type: ignore[type-var]
        return None
    return next((i for i, u in zip(items, used, strict=True) if u is not None and u > first[name]), None)


def _task_item_range(analysis: Analysis, node: TaskNode) -> tuple[int, int] | None:
    """Code-point range of the whole ``- name: ...`` list item of a task (full lines)."""
    text = analysis.text
    key = node.key
    body = node.body
    if key is None or body is None:
        return None
    start = line_start(text, key.span.start.offset)
    head = text[start : key.span.start.offset]
    if head.strip() not in ("-", ""):
        return None  # flow style or several tasks in one item
    end = line_end(text, max(content_end(body) - 1, key.span.end.offset))
    # trailing comment lines belong to the next item; blank lines after stay
    return start, end


def _remove_unreachable(analysis: Analysis, finding: Finding) -> list[Fix]:
    wf = analysis.workflow
    nid = finding.data.get("node")
    if wf is None or not isinstance(nid, str) or nid not in wf.nodes or wf.dialect != "serverless":
        return []
    node = wf.nodes[nid]
    scope = wf.scopes[node.scope]
    if len(scope.tasks) <= 1:
        return []
    rng = _task_item_range(analysis, node)
    if rng is None:
        return []
    return [Fix(f'Remove unreachable task "{node.name}"', (TextEdit(rng[0], rng[1], ""),), finding.rule)]


def _add_default_case(analysis: Analysis, finding: Finding) -> list[Fix]:
    """For a loop with no exit that runs through a switch without a default case: add a default
    case that ends the workflow."""
    wf = analysis.workflow
    nodes = finding.data.get("nodes")
    if wf is None or not isinstance(nodes, list):
        return []
    text = analysis.text
    nl = _newline(text)
    for nid in nodes:
        node = wf.nodes.get(nid)
        if node is None or node.kind != "switch" or node.mapping is None:
            continue
        cases = node.mapping.get("switch")
        if not isinstance(cases, SeqNode) or cases.flow or not cases.items:
            continue
        if any(_is_default_case(c) for c in cases.items):
            continue
        last = cases.items[-1]
        ind = _indent_of(text, last.span.start.offset)
        first_line = text[line_start(text, last.span.start.offset) : last.span.start.offset]
        inner = ind + " " * (len(first_line) - len(ind)) if first_line.strip() == "-" else ind + "  "
        end = line_end(text, max(content_end(last) - 1, 0))
        insert = f"{ind}- default:{nl}{inner}  then: end{nl}"
        if end == len(text) and not ends_with_newline(text):
            insert = nl + insert.rstrip("\r\n")
        return [
            Fix(
                f'Add a default case to "{node.name}" that ends the workflow',
                (TextEdit(end, end, insert),),
                finding.rule,
            )
        ]
    return []


def _is_default_case(item: Node) -> bool:
    if not isinstance(item, MapNode):
        return False
    return any(isinstance(v, MapNode) and v.get("when") is None for _, v in item.items())


def _replace_scalar(node: ScalarNode, new: str) -> TextEdit:
    return TextEdit(node.span.start.offset, node.span.end.offset, new)


_FIXERS: dict[str, FixFn] = {
    "unknown-target": _rename_reference,
    "undefined-reference": _undefined_reference,
    "unreachable": _remove_unreachable,
    "loop-without-exit": _add_default_case,
}


def register(rule: str, fn: FixFn) -> None:
    """Add or replace the fixer of a rule (dialects with their own fixes use this)."""
    _FIXERS[rule] = fn


def fix_all(analysis: Analysis, findings: Sequence[Finding] | None = None) -> list[TextEdit]:
    """Edits of every preferred fix for the findings, without overlaps (first wins)."""
    edits: list[TextEdit] = []
    taken: list[tuple[int, int]] = []
    for f in findings if findings is not None else analysis.findings:
        for fix in fixes_for(analysis, f):
            if not fix.preferred:
                continue
            spans = [(e.start, e.end) for e in fix.edits]
            if any((a < t and s < b) or a == s for a, b in spans for s, t in taken):
                break  # conflicts with an earlier fix; a second --fix round gets it
            edits.extend(fix.edits)
            taken.extend(spans)
            break
    return edits


from wfspec.fixes import security as _security  # noqa: E402 - it builds on the helpers above

register("script-injection", _security.script_injection)


from wfspec.fixes import commands as _commands  # noqa: E402 - it builds on the helpers above

register("deprecated-command", _commands.rewrite)


from wfspec.fixes import candidates as _candidates  # noqa: E402 - it builds on the helpers above

register("duplicate-id", _candidates.duplicate_id)
register("unknown-target", lambda a, f: [*_rename_reference(a, f), *_candidates.unknown_target_more(a, f)])
register("loop-without-exit", lambda a, f: [*_add_default_case(a, f), *_candidates.loop_more(a, f)])
