"""Diagnostic to repair: a local prompt, a model choice, a validated edit.

For one finding, the server chooses a range (the lines of the innermost task around the
finding, or a few lines around it) and computes candidate fixes: the deterministic fixes of
:func:`wfspec.fixes.fixes_for` and renames of the offending name to every valid target or
declared name. Each candidate is validated up front, so the model only ever chooses among
candidates that analyze clean, or, with choice 0, rewrites the chosen range itself. Model text
only ever replaces the chosen range; analyzer-computed edits are the only edits elsewhere.
An edit is offered only when the target finding is gone and nothing new appeared.
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
from wfspec.fixes import TextEdit, apply_edits, fixes_for
from wfspec.llm import prompts
from wfspec.llm.extract import extract_json, extract_yaml, strip_think
from wfspec.llm.provider import Completion, Message, Provider, ProviderError
from wfspec.llm.validate import check_repair, finding_key

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
        start = _line_start(text, node.key.span.start.offset)
        end = _line_end(text, max(node.body_span.end.offset - 1, node.key.span.end.offset))
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
    """The enclosing task's predecessors and successors in the flow graph, by name."""
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

    preds = sorted({label(p) for p in g.predecessors(node.id)})
    succs = sorted({label(s) for s in g.successors(node.id)})
    return f'task "{node.name}" comes after {", ".join(preds) or "nothing"} and goes to {", ".join(succs) or "nothing"}'


def valid_targets(analysis: Analysis, finding: Finding) -> list[str]:
    """Names a flow directive at the finding may target: the tasks of the source's own do
    list (itself excluded) and ``end``/``exit``/``continue``."""
    wf = analysis.workflow
    if wf is None:
        return []
    source = finding.data.get("source")
    node = wf.nodes.get(source) if isinstance(source, str) else enclosing_task(analysis, finding)
    if node is None:
        return list(FLOW_DIRECTIVES)
    names = [wf.nodes[t].name for t in wf.scopes[node.scope].tasks if t != node.id]
    return names + list(FLOW_DIRECTIVES)


def declared_names(analysis: Analysis, kind: str) -> list[str]:
    wf = analysis.workflow
    return sorted({d.name for d in wf.definitions if d.kind == kind}) if wf is not None else []


def candidates_for(analysis: Analysis, finding: Finding) -> list[Candidate]:
    """Every candidate fix the analyzer can compute (deduplicated, not yet validated)."""
    out: list[Candidate] = []
    seen: set[tuple[TextEdit, ...]] = set()

    def add(c: Candidate) -> None:
        if c.edits and c.edits not in seen:
            seen.add(c.edits)
            out.append(c)

    text = analysis.text
    name = finding.data.get("name")
    s, e = finding.span.start.offset, finding.span.end.offset
    if isinstance(name, str) and name and text[s:e] != name and name in text[s:e]:
        # the span is a whole expression path ($secrets.name.field): rename only the name
        s += text[s:e].index(name)
        e = s + len(name)
    for fix in fixes_for(analysis, finding):
        edits = tuple(
            TextEdit(s, e, x.new_text)
            if (x.start, x.end) == (finding.span.start.offset, finding.span.end.offset)
            and (s, e) != (x.start, x.end)
            else x
            for x in fix.edits
        )
        add(Candidate(fix.title, edits, preferred=fix.preferred))
    bad = text[s:e]
    if finding.rule in ("unknown-target", "out-of-scope-target"):
        for target in _by_closeness(bad, valid_targets(analysis, finding)):
            add(Candidate(f'Change to "{target}"', (TextEdit(s, e, target),)))
    elif finding.rule == "undefined-reference":
        kind = finding.data.get("kind")
        if isinstance(kind, str):
            for target in _by_closeness(bad, declared_names(analysis, kind)):
                add(Candidate(f'Change to "{target}"', (TextEdit(s, e, target),)))
    elif finding.rule in ("loop-without-exit", "cycle"):
        for c in _loop_exits(analysis, finding):
            add(c)
    for c in _did_you_mean(analysis, finding):
        add(c)
    return out[: MAX_CANDIDATES * 2]


def _by_closeness(name: str, options: list[str]) -> list[str]:
    """``options`` most similar to ``name`` first (flow directives keep their place last)."""
    names = [o for o in options if o not in FLOW_DIRECTIVES]
    names.sort(key=lambda o: -difflib.SequenceMatcher(None, name.lower(), o.lower()).ratio())
    return names + [o for o in options if o in FLOW_DIRECTIVES]


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


_BAD_VALUE = re.compile(r'(?:value|name|task|secret|function|property) "([^"]+)"')
_SUGGESTED = re.compile(r'did you mean "([^"]+)"')


def _did_you_mean(analysis: Analysis, finding: Finding) -> list[Candidate]:
    """From a message saying ``... "bad" ...; did you mean "good"?``: replace the bad text on
    the finding's lines (used for findings whose rule has no fixer, such as schema values)."""
    bad, good = _BAD_VALUE.search(finding.message), _SUGGESTED.search(finding.message)
    if bad is None or good is None or bad.group(1) == good.group(1):
        return []
    text = analysis.text
    ls = _line_start(text, finding.span.start.offset)
    le = _line_end(text, max(finding.span.end.offset - 1, finding.span.start.offset))
    at = text.find(bad.group(1), ls, le)
    if at < 0:
        return []
    edit = TextEdit(at, at + len(bad.group(1)), good.group(1))
    return [Candidate(f'Change "{bad.group(1)}" to "{good.group(1)}"', (edit,), preferred=True)]


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
    for option in candidates_for(analysis, finding):
        if check_repair(analysis, option.edits, finding, config=config).ok:
            valid.append(option)
        if len(valid) >= MAX_CANDIDATES:
            break
    result.candidates = len(valid)
    rule = BY_ID.get(finding.rule)
    wf_names = ""
    if finding.rule in ("unknown-target", "out-of-scope-target"):
        wf_names = "Valid targets here: " + ", ".join(valid_targets(analysis, finding))
    elif finding.rule == "undefined-reference" and isinstance(finding.data.get("kind"), str):
        wf_names = f"Declared {finding.data['kind']} names: " + (
            ", ".join(declared_names(analysis, str(finding.data["kind"]))) or "none"
        )
    base = prompts.repair_messages(
        rule=finding.rule,
        rule_doc=rule.doc if rule is not None else "",
        message=finding.message,
        line=finding.span.start.line + 1,
        snippet=_numbered(text, *rng),
        neighbours=neighbours(analysis, finding),
        candidates=[
            (o.title + (" (recommended by the analyzer)" if o.preferred else ""), _preview(text, o))
            for o in valid
        ],
        names=wf_names,
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
    try:
        for rnd in range(1, rounds_limit + 1):
            result.rounds = rnd
            answer = ""
            choice: int | None = 0
            replacement = ""
            if offered:
                c = await provider.complete(
                    messages,
                    schema=prompts.choice_schema(len(offered)),
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
            cand: Candidate | None = None
            why = ""
            if choice is not None and 1 <= choice <= len(offered):
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
                verdict = check_repair(analysis, cand.edits, finding, config=config)
                if verdict.ok:
                    return _accept(result, cand, text, rnd, started)
                why = verdict.reason
                feedback = verdict.describe_added()
            result.history.append(why)
            messages = list(base) + [
                {"role": "assistant", "content": answer[:3000]},
                prompts.feedback_message(feedback, why),
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
        elif r.error_kind in ("auth", "unreachable", "model-unavailable"):
            break
    return text, results
