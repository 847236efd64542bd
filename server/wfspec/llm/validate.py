"""Validation of model suggestions: splice, re-analyze, compare findings, and keep each
suggestion inside what it may change.

A candidate is spliced into a copy of the document at the range the server chose (never
anywhere else) and the copy goes through :func:`wfspec.analysis.engine.analyze`, the same entry
point as diagnostics. Findings are compared as multisets of (rule, message), with line numbers
in messages normalized, since the splice moves everything below it.

- An insertion (generation) is accepted when the copy is still a workflow of the expected
  dialect, has no syntax error, gained at least one task, and has no error or warning finding
  the original did not have. It must only insert: the original text is kept byte for byte
  around the insertion, and every task, job and step of the original, every command and
  endpoint of the original (the values under the keys of :data:`COMMAND_KEYS`,
  :data:`ENDPOINT_KEYS` and :data:`PERMISSION_KEYS`, aliases expanded), is still there,
  unchanged, and no YAML tag is added.
- Neither may put a credential of the document into new content (:func:`secret_violation`): the
  model saw it as a placeholder, and a placeholder is restored only where it was.
- A repair is accepted when the target finding is gone and no finding of any severity appeared.
  A repair the model wrote itself is held to its :class:`RepairScope` besides: it removes or
  renames no task, job or step, adds no YAML tag, and changes, adds or removes commands and
  endpoints only where the finding is (one for one: a command at the finding may be rewritten,
  no new one appears). What the analyzer's own candidate fixes for the finding do (renaming a
  job back to the name its users write, say) is allowed as well.

The comparison uses the analyzed documents: node names per scope from the IR, commands and
endpoints from the YAML tree, tags from the YAML event stream, never patterns on the text. Only
for a document that does not parse (a repair of a syntax error) are the commands, endpoints and
tags of the rewritten range compared with the text it replaced.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from wfspec.analysis import masking
from wfspec.analysis.config import Config
from wfspec.analysis.engine import Analysis, analyze
from wfspec.findings import Finding, Severity
from wfspec.fixes import TextEdit, apply_edits
from wfspec.ir import Workflow
from wfspec.llm.redact import moved_secret
from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode

_LINE = re.compile(r"\bline \d+")


def finding_key(f: Finding) -> tuple[str, str]:
    """What identifies a finding across a splice: its rule and its message (line numbers out)."""
    return f.rule, _LINE.sub("line N", f.message)


def splice(text: str, start: int, end: int, new_text: str) -> str:
    """``text`` with ``[start, end)`` replaced; raises ValueError on a range outside the text."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"range [{start}, {end}) is outside the document (length {len(text)})")
    return text[:start] + new_text + text[end:]


@dataclass
class Verdict:
    """The outcome of validating one candidate."""

    ok: bool
    reason: str = ""
    added: list[Finding] = field(default_factory=list)
    removed: list[Finding] = field(default_factory=list)
    analysis: Analysis | None = None

    def describe_added(self, limit: int = 8) -> str:
        """The new findings as lines ``- [rule] line N: message`` for feedback prompts."""
        lines = [f"- [{f.rule}] line {f.span.start.line + 1}: {f.message}" for f in self.added[:limit]]
        if len(self.added) > limit:
            lines.append(f"- ... and {len(self.added) - limit} more")
        return "\n".join(lines)


def diff_findings(
    before: Iterable[Finding], after: Iterable[Finding], *, target: Finding | None = None
) -> tuple[list[Finding], list[Finding]]:
    """(added, removed) between two finding lists, compared by :func:`finding_key`. The faults
    an unresolved reference masks count as findings (:func:`masking.with_masked`), except, in
    ``before``, those of ``target``, the finding a repair is for: they are its consequences and
    must go with it, so a repair that fixes the reference but strands a task adds a finding."""
    if target is None:
        before = masking.with_masked(before)
    else:
        key = finding_key(target)
        before = [g for f in before for g in (masking.with_masked([f]) if finding_key(f) != key else [f])]
    after = masking.with_masked(after)
    old = Counter(finding_key(f) for f in before)
    new = Counter(finding_key(f) for f in after)
    added: list[Finding] = []
    seen: Counter[tuple[str, str]] = Counter()
    for f in after:
        k = finding_key(f)
        seen[k] += 1
        if seen[k] > old.get(k, 0):
            added.append(f)
    removed: list[Finding] = []
    seen.clear()
    for f in before:
        k = finding_key(f)
        seen[k] += 1
        if seen[k] > new.get(k, 0):
            removed.append(f)
    return added, removed


def _reanalyze(original: Analysis, new_text: str, config: Config | None, dialect: str | None) -> Analysis:
    return analyze(new_text, original.uri, config, dialect=dialect or original.dialect)


def can_validate(dialect: str) -> bool:
    """True when the analyzer can lower ``dialect`` (and so validate suggestions for it)."""
    from wfspec import dialects

    try:
        mod = dialects.get(dialect)
    except KeyError:
        return False
    return hasattr(mod, "detect") and hasattr(mod, "lower")


def check_insertion(
    original: Analysis,
    new_text: str,
    *,
    dialect: str = "serverless",
    config: Config | None = None,
    max_severity: Severity = Severity.WARNING,
    at: tuple[int, int] | None = None,
    before: Inventory | None = None,
) -> Verdict:
    """Validate a document into which a generated candidate was spliced. With ``at`` (the
    insertion range of the original) the suggestion must only insert (:func:`insertion_violation`,
    :func:`inventory_violation`; ``before`` is the original's inventory, computed when not given)."""
    if not can_validate(dialect):
        return Verdict(False, f"the {dialect} dialect cannot be validated by this version of wfspec")
    if at is not None:
        why = insertion_violation(original.text, new_text, at)
        if why:
            return Verdict(False, why)
    why = secret_violation(original.text, new_text)
    if why:
        return Verdict(False, why)
    after = analyze(new_text, original.uri, config, dialect=None)
    if after.doc.has_syntax_error:
        bad = [f for f in after.findings if f.rule == "syntax"]
        return Verdict(False, "the suggestion is not valid YAML", added=bad, analysis=after)
    if after.dialect != dialect:
        return Verdict(
            False,
            f"the result is not a {dialect} workflow"
            + (
                " (a Serverless Workflow needs document.dsl and a do list)" if dialect == "serverless" else ""
            ),
            analysis=after,
        )
    if after.workflow is None:
        return Verdict(
            False, f"the {dialect} dialect cannot be validated by this version of wfspec", analysis=after
        )
    before_tasks = len(original.workflow.nodes) if original.workflow is not None else 0
    if len(after.workflow.nodes) <= before_tasks:
        return Verdict(False, "the suggestion adds no task", analysis=after)
    if at is not None:
        why = inventory_violation(before or inventory(original), inventory(after))
        if why:
            return Verdict(False, why, analysis=after)
    added, removed = diff_findings(original.findings, after.findings)
    serious = [f for f in added if f.severity <= max_severity]
    if serious:
        return Verdict(False, f"the suggestion adds {len(serious)} finding(s)", serious, removed, after)
    return Verdict(True, "", added, removed, after)


def check_repair(
    original: Analysis,
    edits: Sequence[TextEdit],
    target: Finding,
    *,
    config: Config | None = None,
    scope: RepairScope | None = None,
) -> Verdict:
    """Validate a repair: apply ``edits`` to a copy; the target must be gone, nothing new. With
    ``scope`` (for an edit the model wrote) the edit must also stay inside it."""
    for e in edits:
        if not 0 <= e.start <= e.end <= len(original.text):
            return Verdict(False, "an edit lies outside the document")
    new_text = apply_edits(original.text, edits)
    if new_text == original.text:
        return Verdict(False, "the repair changes nothing")
    why = secret_violation(original.text, new_text)
    if why:
        return Verdict(False, why)
    after = _reanalyze(original, new_text, config, None)
    if scope is not None and not after.doc.has_syntax_error:  # a syntax error is a new finding
        why = scope.violation(after, edits, original.text)
        if why:
            return Verdict(False, why, analysis=after)
    added, removed = diff_findings(original.findings, after.findings, target=target)
    key = finding_key(target)
    if not any(finding_key(f) == key for f in removed):
        return Verdict(False, "the finding is still there", added, removed, after)
    if added:
        return Verdict(False, f"the repair adds {len(added)} finding(s)", added, removed, after)
    return Verdict(True, "", added, removed, after)


def secret_violation(original: str, new_text: str) -> str:
    """Why ``new_text`` may not be offered: a credential of ``original`` (a value the model got
    as a placeholder) appears in new content; "" when none does."""
    line = moved_secret(original, new_text)
    if line is None:
        return ""
    return (
        f"line {line + 1} puts a credential of the document (a redacted value) into new content; "
        "a credential may stay only where it is"
    )


# -- what a suggestion may change ----------------------------------------------------------

#: keys whose values run code, in either dialect: a GitHub step's ``run`` and ``shell``, a
#: Serverless ``run`` task (shell, script, container, workflow), a script input, a container's
#: entry point and arguments; every scalar under such a key is one command value
COMMAND_KEYS = frozenset(
    {"run", "shell", "script", "command", "code", "entrypoint", "pre-entrypoint", "post-entrypoint", "args"}
)
#: keys whose values name code to fetch or a place to call: an action or reusable workflow
#: (``uses``), a container or service image, a Serverless ``call`` and its endpoints
ENDPOINT_KEYS = frozenset({"uses", "call", "endpoint", "uri", "image", "container", "services"})
#: keys whose values grant rights or decide who runs: a GitHub token's permissions, the secrets
#: handed to a called workflow (or a Serverless Workflow's declared secrets), the events a
#: workflow starts on
PERMISSION_KEYS = frozenset({"permissions", "secrets", "on"})
#: keys whose values decide whether or how long code runs (a step's ``if`` can switch a check
#: off) and the environment it runs in (``BASH_ENV``, ``LD_PRELOAD`` and the like run code too)
CONDITION_KEYS = frozenset({"if", "when", "while", "until", "continue-on-error", "env"})
_CATEGORY = {
    **{k: "command" for k in COMMAND_KEYS},
    **{k: "endpoint" for k in ENDPOINT_KEYS},
    **{k: "permission" for k in PERMISSION_KEYS},
    **{k: "condition" for k in CONDITION_KEYS},
}
_WHAT = {
    "command": "the command",
    "endpoint": "the endpoint",
    "permission": "the setting",
    "condition": "the condition or environment",
}
#: nodes visited per document at least (aliases expanded; else twice its length): a document
#: beyond it is too large to check and is not accepted
MAX_EFFECTS = 100_000


@dataclass(frozen=True, slots=True)
class Effect:
    """One value under a command, endpoint or permission key: what it is, the keys from that
    key down to it (``shell.command``; "" for the key's own scalar), where it is written (the
    key's pair, from the key to the end of its value) and the text."""

    category: str  # "command", "endpoint" or "permission"
    key: str
    path: str
    value: str
    start: int
    end: int

    @property
    def ident(self) -> tuple[str, str, str, str]:
        return self.category, self.key, self.path, self.value


@dataclass
class Inventory:
    """What a suggestion is checked against: the document's tasks, jobs and steps (qualified
    by the names of the nodes that own their scope), its effects and its explicit YAML tags."""

    parsed: bool
    nodes: Counter[tuple[str, ...]] = field(default_factory=Counter)
    kinds: dict[tuple[str, ...], str] = field(default_factory=dict)
    effects: list[Effect] = field(default_factory=list)
    tags: list[tuple[str, int]] = field(default_factory=list)  # (tag, offset)
    complete: bool = True  # False when the document had more than MAX_EFFECTS values to visit

    def effect_counts(self) -> Counter[tuple[str, str, str, str]]:
        return Counter(e.ident for e in self.effects)

    def tag_counts(self) -> Counter[str]:
        return Counter(t for t, _ in self.tags)


def inventory(analysis: Analysis) -> Inventory:
    """The :class:`Inventory` of an analyzed document."""
    root = analysis.doc.root
    inv = Inventory(parsed=root is not None and not analysis.doc.has_syntax_error)
    wf = analysis.workflow
    if wf is not None:
        for node in wf.nodes.values():
            q = _qualified(wf, node.id)
            inv.nodes[q] += 1
            inv.kinds[q] = node.kind
    if root is not None:
        inv.complete = _collect_effects(root, inv.effects, max(MAX_EFFECTS, 2 * len(analysis.text)))
    inv.tags = explicit_tags(analysis.text)
    return inv


def _qualified(wf: Workflow, node_id: str) -> tuple[str, ...]:
    names: list[str] = []
    cur: str | None = node_id
    for _ in range(64):  # scopes nest far less deep; a bound keeps a bad IR from looping
        if cur is None or cur not in wf.nodes:
            break
        node = wf.nodes[cur]
        names.append(node.name)
        scope = wf.scopes.get(node.scope)
        cur = scope.owner if scope is not None else None
    return tuple(reversed(names))


def _collect_effects(root: Node, out: list[Effect], budget: int) -> bool:
    """Append the effects under ``root`` to ``out`` (aliases expanded, so a value reached
    through two aliases counts twice); False when there were more than ``budget`` nodes."""
    # (node, once inside an effect key: the key, the span of its pair and the keys below it)
    stack: list[tuple[Node, tuple[str, int, int, str] | None]] = [(root, None)]
    while stack:
        node, inside = stack.pop()
        budget -= 1
        if budget < 0:
            return False
        if isinstance(node, ScalarNode):
            if inside is not None:
                key, start, end, path = inside
                out.append(Effect(_CATEGORY[key], key, path, node.value, start, end))
        elif isinstance(node, MapNode):
            for k, v in reversed(node.pairs):
                if inside is None and isinstance(k, ScalarNode) and k.value in _CATEGORY:
                    stack.append((v, (k.value, k.start_offset, max(v.end_offset, k.end_offset), "")))
                elif inside is not None:
                    name = k.value if isinstance(k, ScalarNode) else "?"
                    key, start, end, path = inside
                    stack.append((v, (key, start, end, f"{path}.{name}" if path else name)))
                else:
                    stack.append((v, None))
        elif isinstance(node, SeqNode):
            stack.extend((item, inside) for item in reversed(node.items))
    return True


def explicit_tags(text: str) -> list[tuple[str, int]]:
    """Every tag written in ``text`` (``!x``, ``!!python/object``, ``!<...>``, the
    non-specific ``!``), with its node's offset, from the YAML event stream; in a text that
    does not parse, the tags up to the error."""
    if "!" not in text:
        return []
    try:
        from ruamel.yaml.cyaml import CParser as Parser
    except ImportError:  # pragma: no cover - depends on the installation
        from ruamel.yaml import YAML

        events: Iterator[object] = iter(YAML(typ="safe", pure=True).parse(text.lstrip("\ufeff")))
    else:
        parser = Parser(text.lstrip("\ufeff"))
        events = iter(parser.get_event, None)
    from ruamel.yaml.events import MappingStartEvent, ScalarEvent, SequenceStartEvent, StreamEndEvent

    out: list[tuple[str, int]] = []
    shift = len(text) - len(text.lstrip("\ufeff"))
    try:
        for ev in events:
            if isinstance(ev, StreamEndEvent):
                break
            if isinstance(ev, (ScalarEvent, MappingStartEvent, SequenceStartEvent)):
                tag = getattr(ev, "tag", None)
                if tag:
                    out.append((_short_tag(str(tag)), ev.start_mark.index + shift))
    except Exception:  # noqa: BLE001 - a syntax error ends the stream; its tags so far count
        pass
    return out


def _short_tag(tag: str) -> str:
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


def _written(path: str, value: str) -> str:
    """An effect as the user wrote it: ``command: curl ...`` below its key, else the value."""
    if not path:
        return value
    return f"{path.rsplit('.', 1)[-1]}: {value}" if value else path.rsplit(".", 1)[-1]


def _shown(value: str, limit: int = 60) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _node_label(inv: Inventory, q: tuple[str, ...]) -> str:
    kind = inv.kinds.get(q, "task")
    what = kind if kind in ("job", "step") else "task"
    return f'{what} "{q[-1]}"' + (f' of "{q[-2]}"' if len(q) > 1 else "")


Change = tuple[str, ...]


def changes(before: Inventory, after: Inventory) -> Counter[Change]:
    """What turned ``before`` into ``after``: ``("node", *name)`` for each task, job or step
    that is gone (renamed or removed), ``("-", category, key, value)`` and ``("+", ...)`` for
    effects removed and added, ``("tag", tag)`` for each tag added."""
    out: Counter[Change] = Counter()
    for q, n in (before.nodes - after.nodes).items():
        out[("node", *q)] += n
    old, new = before.effect_counts(), after.effect_counts()
    for ident, n in (old - new).items():
        out[("-", *ident)] += n
    for ident, n in (new - old).items():
        out[("+", *ident)] += n
    for tag, n in (after.tag_counts() - before.tag_counts()).items():
        out[("tag", tag)] += n
    return out


def _overlaps(start: int, end: int, target: Finding) -> bool:
    s, e = target.span.start.offset, target.span.end.offset
    if s == e:
        return start <= s <= end
    return start < e and s < end


@dataclass
class RepairScope:
    """What a repair the model wrote for ``target`` may change: what the analyzer's own
    candidate fixes change (``allowed``), and the commands and endpoints at the finding."""

    target: Finding
    before: Inventory
    allowed: frozenset[Change] = frozenset()

    def violation(self, after: Analysis, edits: Sequence[TextEdit], original: str) -> str:
        """Why the repaired document ``after`` goes beyond this scope ("" when it does not)."""
        inv = inventory(after)
        if not inv.complete:
            return "the repaired document is too large to check"
        if not self.before.parsed:
            return _unparsed_violation(inv, after.text, edits, original)
        ch = {c: n for c, n in changes(self.before, inv).items() if c not in self.allowed}
        for c in ch:
            if c[0] == "node":
                return (
                    f"the edit removes or renames {_node_label(self.before, tuple(c[1:]))}; a repair keeps "
                    "every task, job and step"
                )
        for c in ch:
            if c[0] == "tag":
                return f'the edit adds the YAML tag "{_shown(c[1])}"; a repair adds no tags'
        budget: Counter[str] = Counter()  # effects at the finding that were rewritten, by category
        for c, n in ch.items():
            if c[0] != "-":
                continue
            ident = (c[1], c[2], c[3], c[4])
            here = sum(
                1 for e in self.before.effects if e.ident == ident and _overlaps(e.start, e.end, self.target)
            )
            if n > here:
                return (
                    f'the edit changes {_WHAT[c[1]]} "{_shown(_written(c[3], c[4]))}" under "{c[2]}", away '
                    "from the finding; a repair changes commands, endpoints and conditions only where the finding is"
                )
            budget[c[1]] += n
        for c, n in ch.items():
            if c[0] != "+":
                continue
            budget[c[1]] -= n
            if budget[c[1]] < 0:
                return (
                    f'the edit adds {_WHAT[c[1]]} "{_shown(_written(c[3], c[4]))}" under "{c[2]}"; a repair adds no '
                    "commands, endpoints, permissions, conditions or environment"
                )
        return ""


def repair_scope(original: Analysis, target: Finding, fixed: Iterable[Analysis] = ()) -> RepairScope:
    """The scope of a model-written repair of ``target``: the changes of the analyzer's
    validated candidate fixes (``fixed``: their repaired documents) are allowed."""
    before = inventory(original)
    allowed: set[Change] = set()
    if before.parsed:
        for a in fixed:
            allowed.update(changes(before, inventory(a)))
    return RepairScope(target, before, frozenset(allowed))


def _regions(edits: Sequence[TextEdit]) -> list[tuple[int, int, int, int]]:
    """(old start, old end, new start, new end) of each edit, in the edited text's offsets."""
    out: list[tuple[int, int, int, int]] = []
    delta = 0
    for e in sorted(edits, key=lambda x: (x.start, x.end)):
        out.append((e.start, e.end, e.start + delta, e.start + delta + len(e.new_text)))
        delta += len(e.new_text) - (e.end - e.start)
    return out


def _unparsed_violation(inv: Inventory, new_text: str, edits: Sequence[TextEdit], original: str) -> str:
    """For a repair of a document that did not parse: every command, endpoint and tag written
    in the rewritten text must already be written in the text it replaced."""
    regions = _regions(edits)

    def replaced(start: int, end: int) -> str | None:
        for os_, oe, ns, ne in regions:
            if start < ne and ns < end:
                return original[os_:oe]
        return None

    for tag, at in inv.tags:
        old = replaced(at, at + 1)
        if old is not None and tag not in old:
            return f'the edit adds the YAML tag "{_shown(tag)}"; a repair adds no tags'
    for e in inv.effects:
        old = replaced(e.start, e.end)
        if old is None or not e.value.strip():
            continue
        if any(line.strip() and line.strip() not in old for line in e.value.splitlines()):
            return (
                f'the edit adds {_WHAT[e.category]} "{_shown(e.value)}" under "{e.key}"; a repair adds no '
                "commands, endpoints, permissions, conditions or environment"
            )
    return ""


def insertion_violation(original: str, new_text: str, at: tuple[int, int]) -> str:
    """Why ``new_text`` is more than ``original`` with text inserted at ``at`` (a range that
    holds nothing but blank and comment lines, usually empty): "" when it only inserts."""
    start, end = at
    if not 0 <= start <= end <= len(original):
        return "the insertion range lies outside the document"
    tail = original[end:]
    if not (
        new_text.startswith(original[:start])
        and new_text.endswith(tail)
        and len(new_text) >= start + len(tail)
    ):
        return "the suggestion changes the existing text; a suggestion only inserts"
    if any(ln.strip() and not ln.lstrip().startswith("#") for ln in original[start:end].splitlines()):
        return "the suggestion replaces existing text; a suggestion only inserts"
    return ""


def inventory_violation(before: Inventory, after: Inventory) -> str:
    """Why ``after`` (a document with an insertion) does not keep everything ``before`` had:
    a task, job or step gone, an existing command or endpoint changed, or a YAML tag added."""
    if not after.complete:
        return "the document with the suggestion is too large to check"
    for q in before.nodes - after.nodes:
        return f"the suggestion changes {_node_label(before, q)} of the existing workflow; a suggestion only inserts"
    for ident in before.effect_counts() - after.effect_counts():
        return (
            f'the suggestion changes the existing {ident[0]} "{_shown(_written(ident[2], ident[3]))}" under '
            f'"{ident[1]}"; a '
            "suggestion only inserts"
        )
    for tag in after.tag_counts() - before.tag_counts():
        return f'the suggestion adds the YAML tag "{_shown(tag)}"; suggestions carry no tags'
    return ""
