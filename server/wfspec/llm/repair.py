"""Diagnostic to repair: a local prompt, a model choice among ranked candidates, a validated edit.

For one finding, the server chooses a range (the lines of the innermost task, job or step
around the finding, or a few lines around it) and takes the candidate fixes the fixes package
computes from the finding's data (:func:`wfspec.fixes.candidates.candidates`: the quick fixes,
the rule's own "did you mean", renames to every valid target or declared name, renaming a task
or job back, structural edits). Each candidate is validated up front and ranked on evidence
(:func:`wfspec.fixes.ranking.rank`: string distance, the analysis of its result, which names
are referenced elsewhere, the rule's suggestion); the model sees the best ones, best first, and
chooses among them or, with choice 0, rewrites the chosen range itself (once: after a failed
rewrite only the candidates remain). Model text only ever replaces the chosen range;
analyzer-computed edits are the only edits elsewhere. An edit is offered only when the target
finding is gone and nothing new appeared; the model's own rewrite besides stays inside the
finding's :class:`RepairScope` (no task, job or step removed or renamed, no YAML tag and no
command or endpoint added, commands and endpoints changed only at the finding; what the
validated candidates do is allowed). An answer above the size limit is rejected unread. Each
rejection's reason goes back to the model as feedback, and the last one to the user.
"""

from __future__ import annotations

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
from wfspec.fixes import Fix, TextEdit, apply_edits, content_end, ranking
from wfspec.fixes.candidates import (
    FLOW_DIRECTIVES,
    candidates,
    enclosing_task,
    reference_names,
    valid_targets,
)
from wfspec.llm import prompts
from wfspec.llm.extract import extract_json, extract_yaml, strip_think
from wfspec.llm.provider import UNAVAILABLE, AnswerTooLarge, Completion, Message, Provider, ProviderError
from wfspec.llm.validate import check_repair, finding_key, repair_scope

Progress = Callable[[str], None]

MAX_RANGE_LINES = 40
MAX_CANDIDATES = 3  # ranked candidates shown to the model
__all__ = ["FLOW_DIRECTIVES", "enclosing_task", "valid_targets", "reference_names"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible fix: a title, its edits and where it came from (``analyzer`` or ``model``)."""

    title: str
    edits: tuple[TextEdit, ...]
    source: str = "analyzer"
    preferred: bool = False  # the analyzer's own preferred fix (unambiguous)
    fix: Fix | None = None  # the fix it was made from
    score: float = 0.0  # its rank on evidence (wfspec.fixes.ranking)
    evidence: tuple[str, ...] = ()


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


def candidates_for(analysis: Analysis, finding: Finding) -> list[Candidate]:
    """Every candidate fix the analyzer computes for ``finding`` (:func:`wfspec.fixes.candidates.
    candidates`: deduplicated, not yet validated nor ranked), as repair candidates."""
    return [Candidate(f.title, f.edits, preferred=f.preferred, fix=f) for f in candidates(analysis, finding)]


def ranked_candidates(
    analysis: Analysis, finding: Finding, *, config: Config | None = None
) -> tuple[list[Candidate], list[Analysis]]:
    """The candidates that validate, best evidence first (:func:`wfspec.fixes.ranking.rank`),
    and the analyses of their results."""
    checked: list[tuple[Candidate, Analysis | None]] = []
    for option in candidates_for(analysis, finding):
        verdict = check_repair(analysis, option.edits, finding, config=config)
        if verdict.ok:
            checked.append((option, verdict.analysis))
    by_fix = {id(c.fix): (c, after) for c, after in checked}
    ranked = ranking.rank(analysis, finding, [(c.fix, after) for c, after in checked if c.fix is not None])
    out: list[Candidate] = []
    afters: list[Analysis] = []
    for r in ranked:
        c, after = by_fix[id(r.fix)]
        out.append(Candidate(c.title, c.edits, c.source, c.preferred, c.fix, r.score, r.evidence))
        if after is not None:
            afters.append(after)
    return out, afters


def _label(c: Candidate, i: int) -> str:
    """A candidate's title for the prompt; the best one says why it ranks first."""
    if i == 0 and c.evidence:
        return f"{c.title} (recommended by the analyzer) because {'; '.join(c.evidence[:2])}"
    return c.title + (" (recommended by the analyzer)" if i == 0 else "")


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

    ranked, fixed = ranked_candidates(analysis, finding, config=config)
    best = ranking.top(
        [ranking.Ranked(c.fix, c.score, c.evidence) for c in ranked if c.fix is not None], MAX_CANDIDATES
    )
    valid = ranked[: len(best)]
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
        candidates=[(_label(o, i), _preview(text, o)) for i, o in enumerate(valid)],
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
