"""Evaluation of the LLM features: repair and generation, with any OpenAI-compatible model.

Repair set: faulty specs made by mutating the clean specs of both dialects, each with the
finding it should clear. From ``specs/serverless``: a typo in a ``then`` target, a renamed target
task, a deleted secret or function declaration, a typo in a secret reference, an injected cycle,
a ``then`` into another block, a duplicated task name, a misspelt A2A method. From
``specs/github`` (not ``faulty/``): a typo in a ``needs`` entry, a renamed job that others need,
an injected ``needs`` cycle, a dropped ``needs`` entry whose outputs are still read, a typo in a
``needs.<job>.outputs.<name>`` read, a deleted job output, a typo in a ``steps.<id>`` read, a
deleted step ``id``, a duplicated step id, a misspelt expression function or context, a misspelt
job key or action input, a misspelt matrix key or workflow input. Per dialect and rule: cases,
offered repairs, offered repairs that independently re-analyze clean (must be 100%), restored
originals, rounds, tokens, latency.

Generation set (``benchmarks/llm_data/generation.json``): natural-language requests with a
reference spec: the project's specs of both dialects (agentic support triage, low-code IT and HR
flows, CI pipelines) and, when ../shared/corpora is present (``corpus:`` references), examples
of the Serverless Workflow corpus and GitHub starter CI workflows. Each request is generated as
a whole document in the dialect of its reference. Reports per dialect and overall the share of
requests with a validated suggestion, rounds, tokens, latency, and similarity to the reference:
a normalized tree edit distance over the task trees (FlowSim-like; jobs and steps for GitHub
Actions) and node and edge F1 (WorFBench-like).

    python benchmarks/llm_eval.py [--set repair|generate|both] [--limit N] \
        [--dialect serverless|github|both] [--case PATTERN] [--base-url URL --model NAME --api-key-env VAR] \
        [--max-rounds N] [--json FILE] [--list]

Without an endpoint it uses ``$OPENAI_BASE_URL``/``$OPENAI_API_KEY`` when set, else the
embedded model. Tables are printed as Markdown.
"""

from __future__ import annotations

import argparse
import asyncio
import fnmatch
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from wfspec import ir  # noqa: E402
from wfspec.analysis.engine import Analysis, analyze  # noqa: E402
from wfspec.llm.generate import empty_document, generate  # noqa: E402
from wfspec.llm.provider import Provider, Settings  # noqa: E402
from wfspec.llm.repair import repair  # noqa: E402
from wfspec.llm.retrieval import SpecIndex  # noqa: E402
from wfspec.llm.validate import finding_key  # noqa: E402
from wfspec.syntax.tree import MapNode, ScalarNode, SeqNode  # noqa: E402

SPECS = ROOT / "specs" / "serverless"
GITHUB_SPECS = ROOT / "specs" / "github"
CORPORA = ROOT.parent / "shared" / "corpora"
DATA = Path(__file__).resolve().parent / "llm_data"


# -- repair set ----------------------------------------------------------------------------


DIALECTS = ("serverless", "github")


@dataclass
class RepairCase:
    id: str
    rule: str
    text: str
    original: str = ""
    dialect: str = "serverless"
    uri: str = ""


def _typo(name: str, rng: random.Random) -> str:
    if len(name) < 4:
        return name + "x"
    i = rng.randrange(1, len(name) - 2)
    return (
        name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        if name[i] != name[i + 1]
        else name[:i] + name[i + 1 :]
    )


def _sub_at(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def _line_span(text: str, offset: int) -> tuple[int, int]:
    s = text.rfind("\n", 0, offset) + 1
    e = text.find("\n", offset)
    return s, (len(text) if e < 0 else e + 1)


def serverless_mutations(
    name: str, text: str, uri: str, rng: random.Random
) -> Iterator[tuple[str, str, str]]:
    """(mutation id, expected rule, mutated text) for one clean Serverless Workflow spec."""
    a = analyze(text, uri)
    wf = a.workflow
    if wf is None:
        return
    then_edges = [e for e in wf.edges if e.kind in (ir.THEN, ir.CASE) and e.target in wf.nodes and e.span]
    # 1. typo in a then target
    for e in then_edges[:2]:
        assert e.span is not None and e.target_name
        yield (
            f"then-typo-{e.target_name}",
            "unknown-target",
            _sub_at(text, e.span.start.offset, e.span.end.offset, _typo(e.target_name, rng)),
        )
    # 2. rename the task a then targets (the reference now dangles)
    if then_edges:
        e = then_edges[-1]
        node = wf.nodes[e.target or ""]
        if node.key is not None:
            yield (
                f"rename-target-{node.name}",
                "unknown-target",
                _sub_at(text, node.key.span.start.offset, node.key.span.end.offset, node.name + "Step"),
            )
    # 3. delete a used secret declaration / 4. typo in a secret reference
    used = {r.name for r in wf.references if r.kind == "secret"}
    for d in wf.definitions:
        if d.kind == "secret" and d.name in used and isinstance(d.node, ScalarNode):
            s, e2 = _line_span(text, d.span.start.offset)
            yield f"delete-secret-{d.name}", "undefined-reference", text[:s] + text[e2:]
            break
    for r in wf.references:
        if r.kind == "secret":
            rel = text[r.span.start.offset : r.span.end.offset].find(r.name)
            if rel >= 0:
                at = r.span.start.offset + rel
                yield (
                    f"secret-typo-{r.name}",
                    "undefined-reference",
                    _sub_at(text, at, at + len(r.name), _typo(r.name, rng)),
                )
            break
    # 5. delete a used function declaration (the whole entry under use.functions)
    called = {r.name for r in wf.references if r.kind == "function"}
    for d in wf.definitions:
        if d.kind == "function" and d.name in called and d.node is not None:
            s, _ = _line_span(text, d.span.start.offset)
            _, e2 = _line_span(text, max(d.node.span.end.offset - 1, d.span.end.offset))
            yield f"delete-function-{d.name}", "undefined-reference", text[:s] + text[e2:]
            break
    # 6. duplicate task name
    top = [wf.nodes[t] for t in wf.scopes[wf.root_scope].tasks]
    if len(top) >= 3 and top[2].key is not None:
        k = top[2].key
        yield (
            f"duplicate-{top[0].name}",
            "duplicate-id",
            _sub_at(text, k.span.start.offset, k.span.end.offset, top[0].name),
        )
    # 7. injected cycle: the last top-level task jumps back to the first
    last = top[-1] if top else None
    if last is not None and last.mapping is not None and "then" not in last.mapping and len(top) >= 2:
        body = last.mapping
        s, e2 = _line_span(text, max(body.span.end.offset - 1, body.span.start.offset))
        col = body.pairs[0][0].span.start.character
        yield (
            f"cycle-{last.name}",
            "loop-without-exit",
            text[:e2] + f"{' ' * col}then: {top[0].name}\n" + text[e2:],
        )
    # 8. then into another block
    for n in wf.nodes.values():
        if n.scope != wf.root_scope and n.mapping is not None and "then" in n.mapping and top:
            v = n.mapping.get("then")
            if isinstance(v, ScalarNode) and v.value in FLOW:
                yield (
                    f"out-of-scope-{n.name}",
                    "out-of-scope-target",
                    _sub_at(text, v.span.start.offset, v.span.end.offset, top[0].name),
                )
                break
    # 9. misspelt a2a method
    m = re.search(r"method: message/send", text)
    if m:
        at = m.start() + len("method: ")
        yield "a2a-method", "schema", _sub_at(text, at, at + len("message/send"), "message/sent")


FLOW = {"exit", "end", "continue"}

GH_FUNCTIONS = (
    "hashFiles",
    "contains",
    "fromJSON",
    "toJSON",
    "startsWith",
    "endsWith",
    "format",
    "always",
    "cancelled",
    "success",
    "failure",
)
GH_CONTEXTS = ("github", "runner", "env", "vars", "secrets", "matrix", "inputs", "steps", "needs")
_GH_CALL = re.compile(r"\b(" + "|".join(GH_FUNCTIONS) + r")\(")
_GH_CONTEXT = re.compile(r"\s*!?\s*(" + "|".join(GH_CONTEXTS) + r")\.")
#: job keys whose typo is a schema finding and nothing else (required keys left out)
GH_JOB_KEYS = (
    "timeout-minutes",
    "permissions",
    "concurrency",
    "continue-on-error",
    "defaults",
    "strategy",
    "services",
)


def _jobs(wf: ir.Workflow) -> list[ir.TaskNode]:
    return [wf.nodes[t] for t in wf.scopes[wf.root_scope].tasks]


def _steps(wf: ir.Workflow, job: ir.TaskNode) -> list[ir.TaskNode]:
    return [n for s in job.inner for n in wf.tasks_in(s)]


def _remove_need(text: str, job: ir.TaskNode, target: str) -> str | None:
    """``text`` without ``target`` in the needs of ``job`` (the whole ``needs:`` line when it
    was the only entry)."""
    m = job.mapping
    needs = m.get("needs") if m is not None else None
    key = m.key_node("needs") if m is not None else None
    if needs is None or key is None:
        return None
    items = (
        [needs] if isinstance(needs, ScalarNode) else list(needs.items) if isinstance(needs, SeqNode) else []
    )
    hit = [i for i in items if isinstance(i, ScalarNode) and i.value == target]
    if not hit:
        return None
    if len(items) == 1:
        s, _ = _line_span(text, key.span.start.offset)
        _, e = _line_span(text, max(needs.span.end.offset - 1, key.span.end.offset))
        return text[:s] + text[e:]
    item = hit[0]
    assert isinstance(needs, SeqNode)
    if needs.flow:
        k = items.index(item)
        if k + 1 < len(items):
            return text[: item.span.start.offset] + text[items[k + 1].span.start.offset :]
        return text[: items[k - 1].span.end.offset] + text[item.span.end.offset :]
    s, e = _line_span(text, item.span.start.offset)
    return text[:s] + text[e:]


def _add_need(text: str, job: ir.TaskNode, target: str) -> str | None:
    """``text`` with ``target`` added to the needs of ``job``."""
    m = job.mapping
    if m is None or m.flow or not m.pairs:
        return None
    needs = m.get("needs")
    if isinstance(needs, ScalarNode):
        return _sub_at(text, needs.span.start.offset, needs.span.end.offset, f"[{needs.value}, {target}]")
    if isinstance(needs, SeqNode) and needs.flow:
        close = needs.span.end.offset - 1
        return _sub_at(text, close, close, f", {target}")
    if needs is not None:
        return None
    first = m.pairs[0][0]
    s, _ = _line_span(text, first.span.start.offset)
    return text[:s] + " " * first.span.start.character + f"needs: {target}\n" + text[s:]


def github_mutations(name: str, text: str, uri: str, rng: random.Random) -> Iterator[tuple[str, str, str]]:
    """(mutation id, expected rule, mutated text) for one clean GitHub Actions workflow."""
    a = analyze(text, uri)
    wf = a.workflow
    if wf is None or a.dialect != "github":
        return
    jobs = _jobs(wf)
    by_name = {j.name: j for j in jobs}
    needs = [e for e in wf.edges if e.kind == ir.NEEDS and e.target in wf.nodes and e.span is not None]
    reads = [r for r in wf.references if not r.data.get("problem")]
    # 1. typo in a needs entry
    for e in needs[:2]:
        assert e.span is not None and e.target_name
        src = wf.nodes[e.source].name
        yield (
            f"needs-typo-{src}-{e.target_name}",
            "unknown-target",
            _sub_at(text, e.span.start.offset, e.span.end.offset, _typo(e.target_name, rng)),
        )
    # 2. rename a job that others need
    if needs:
        job = wf.nodes[needs[-1].target or ""]
        if job.key is not None:
            yield (
                f"rename-job-{job.name}",
                "unknown-target",
                _sub_at(text, job.key.span.start.offset, job.key.span.end.offset, job.name + "-job"),
            )
    # 3. injected needs cycle: a job that others need also needs one of them
    for e in needs:
        mutated = _add_need(text, wf.nodes[e.target or ""], wf.nodes[e.source].name)
        if mutated is not None:
            yield f"needs-cycle-{wf.nodes[e.target or ''].name}", "cycle", mutated
            break
    # 4. a job reads needs.<job>.outputs of a job it no longer needs
    for r in reads:
        if r.kind == "job" and r.path[:1] == ("needs",) and r.node is not None:
            reader = wf.nodes[r.node]
            job = reader if reader.kind == "job" else by_name[str(reader.payload.get("job"))]
            mutated = _remove_need(text, job, r.name)
            if mutated is not None:
                yield f"drop-need-{job.name}-{r.name}", "undefined-reference", mutated
                break
    # 5. typo in a needs.<job>.outputs.<name> read / 6. a deleted job output entry
    out_reads = [r for r in reads if r.kind == "job-output" and len(r.path) >= 4]
    for r in out_reads[:1]:
        out = r.path[3]
        yield (
            f"output-typo-{r.name}",
            "undefined-reference",
            _sub_at(text, r.span.start.offset, r.span.end.offset, _typo(out, rng)),
        )
    read_outputs = {r.name for r in out_reads}
    for d in wf.definitions:
        if d.kind == "job-output" and d.name in read_outputs and d.node is not None and d.owner:
            job = wf.nodes[d.owner]
            outputs = job.mapping.get("outputs") if job.mapping is not None else None
            if not isinstance(outputs, MapNode) or outputs.flow:
                continue
            if len(outputs.pairs) == 1:
                key = job.mapping.key_node("outputs") if job.mapping is not None else None
                assert key is not None
                s, _ = _line_span(text, key.span.start.offset)
            else:
                s, _ = _line_span(text, d.span.start.offset)
            value = {k.value: v for k, v in outputs.items()}[d.data["output"]]
            _, e2 = _line_span(text, max(value.span.end.offset - 1, d.span.end.offset))
            yield f"delete-output-{d.name}", "undefined-reference", text[:s] + text[e2:]
            break
    # 7. typo in a steps.<id> read / 8. a deleted step id that steps.<id> reads
    step_reads = [r for r in reads if r.kind == "step"]
    for r in step_reads[:1]:
        sid = r.name.split(".", 1)[1]
        yield (
            f"step-typo-{sid}",
            "undefined-reference",
            _sub_at(text, r.span.start.offset, r.span.end.offset, _typo(sid, rng)),
        )
    read_steps = {r.name for r in step_reads}
    for d in wf.definitions:
        if d.kind == "step" and d.name in read_steps and d.owner:
            step = wf.nodes[d.owner]
            m = step.mapping
            key = m.key_node("id") if m is not None else None
            if m is None or key is None or m.flow or len(m.pairs) < 2:
                continue
            s, e2 = _line_span(text, key.span.start.offset)
            if text[s : key.span.start.offset].strip() == "-":  # "- id: x": the next key moves up
                nxt = m.pairs[1][0] if m.pairs[0][0] is key else m.pairs[0][0]
                mutated = text[: key.span.start.offset] + text[nxt.span.start.offset :]
            else:
                mutated = text[:s] + text[e2:]
            yield f"delete-step-id-{d.data['step']}", "undefined-reference", mutated
            break
    # 9. a duplicated step id: a later step of the same job takes the id of an earlier one
    for d in wf.definitions:
        if d.kind != "step" or not d.owner:
            continue
        step = wf.nodes[d.owner]
        job = by_name[str(step.payload.get("job"))]
        later = [s for s in _steps(wf, job) if s.index > step.index and s.payload.get("anonymous")]
        target = later[-1].mapping if later else None
        if target is None or target.flow or not target.pairs:
            continue
        first = target.pairs[0][0]
        if len(target.pairs) > 1:
            at, _ = _line_span(text, target.pairs[1][0].span.start.offset)
        else:
            _, at = _line_span(text, max(target.pairs[0][1].span.end.offset - 1, first.span.end.offset))
        line = " " * first.span.start.character + f"id: {d.data['step']}\n"
        yield f"duplicate-step-id-{d.data['step']}", "duplicate-id", text[:at] + line + text[at:]
        break
    # 10. a misspelt expression function / 11. a misspelt context name
    for ex in wf.expressions:
        m2 = _GH_CALL.search(ex.text)
        at = ex.inner_offset + m2.start(1) if m2 else -1
        if m2 and text[at : at + len(m2.group(1))] == m2.group(1):
            fn = m2.group(1)
            yield f"function-typo-{fn}", "expression", _sub_at(text, at, at + len(fn), _typo(fn, rng))
            break
    for ex in wf.expressions:
        m2 = _GH_CONTEXT.match(ex.text)
        at = ex.inner_offset + m2.start(1) if m2 else -1
        if m2 and text[at : at + len(m2.group(1))] == m2.group(1):
            ctx = m2.group(1)
            yield f"context-typo-{ctx}", "expression", _sub_at(text, at, at + len(ctx), _typo(ctx, rng))
            break
    # 12. a misspelt job key / 13. a misspelt input of a catalog action
    for job in jobs:
        m = job.mapping
        keys = [k for k, _ in m.items() if k.value in GH_JOB_KEYS] if m is not None else []
        if keys:
            k = keys[0]
            yield (
                f"job-key-typo-{job.name}-{k.value}",
                "schema",
                _sub_at(text, k.span.start.offset, k.span.end.offset, _typo(k.value, rng)),
            )
            break
    for step in (n for n in wf.nodes.values() if n.kind == "step"):
        m = step.mapping
        with_ = m.get("with") if m is not None else None
        uses = str(step.payload.get("uses", ""))
        if isinstance(with_, MapNode) and with_.pairs and not with_.flow and not uses.startswith("./"):
            k = with_.pairs[0][0]
            yield (
                f"input-typo-{uses.split('@')[0].replace('/', '.')}-{k.value}",
                "schema",
                _sub_at(text, k.span.start.offset, k.span.end.offset, _typo(k.value, rng)),
            )
            break
    # 14. a misspelt matrix key or workflow input read
    for r in reads:
        if r.kind in ("matrix", "input"):
            yield (
                f"{r.kind}-typo-{r.name}",
                "undefined-reference",
                _sub_at(text, r.span.start.offset, r.span.end.offset, _typo(r.name, rng)),
            )
            break


def _added(clean: Analysis, mutated: Analysis) -> Counter[tuple[str, str]]:
    """The findings a mutation added, as (rule, message) keys."""
    return Counter(finding_key(f) for f in mutated.findings) - Counter(finding_key(f) for f in clean.findings)


def repair_cases(
    limit: int | None, seed: int = 7, dialect: str = "both", patterns: list[str] | None = None
) -> list[RepairCase]:
    """The faulty specs, Serverless Workflow first. A mutation is kept when it parses and adds a
    finding of the rule it was made for (the target; side findings such as an unused declaration
    left behind by a typo are allowed). ``patterns`` (shell-style, on case ids) select cases."""
    cases: list[RepairCase] = []
    sources = (
        ("serverless", SPECS, "*.yaml", serverless_mutations),
        ("github", GITHUB_SPECS, "*.yml", github_mutations),
    )
    for name, folder, pattern, mutate in sources:
        if dialect not in ("both", name):
            continue
        rng = random.Random(seed)
        for path in sorted(folder.glob(pattern)):
            text = path.read_text(encoding="utf-8")
            # GitHub specs keep their real location so local actions and reusable workflows
            # (specs/github/.github) resolve as they do in an editor
            uri = path.resolve().as_uri() if name == "github" else f"file:///{path.stem}.yaml"
            clean = analyze(text, uri)
            for mid, rule, mutated in mutate(path.stem, text, uri, rng):
                after = analyze(mutated, uri)
                if not after.doc.has_syntax_error and any(r == rule for r, _ in _added(clean, after)):
                    cases.append(RepairCase(f"{path.stem}:{mid}", rule, mutated, text, name, uri))
    if patterns:
        cases = [c for c in cases if any(fnmatch.fnmatchcase(c.id, p) for p in patterns)]
    return cases[:limit] if limit else cases


@dataclass
class RepairRow:
    id: str
    dialect: str
    rule: str
    offered: bool
    clean: bool
    restored: bool  # the repair gave back the clean spec the fault was made from
    candidates: int
    rounds: int
    tokens: int
    latency: float
    source: str
    reason: str


async def run_repairs(provider: Provider, cases: list[RepairCase], verbose: bool) -> list[RepairRow]:
    rows: list[RepairRow] = []
    for i, c in enumerate(cases, 1):
        a = analyze(c.text, c.uri)
        target = next(f for f in a.findings if f.rule == c.rule)
        started = time.monotonic()
        r = await repair(provider, a, target)
        clean = False
        if r.ok:  # independent re-check: target gone, nothing new
            after = analyze(r.document, a.uri)
            before_keys = Counter(finding_key(f) for f in a.findings)
            after_keys = Counter(finding_key(f) for f in after.findings)
            clean = after_keys[finding_key(target)] < before_keys[finding_key(target)] and not (
                after_keys - before_keys
            )
        rows.append(
            RepairRow(
                c.id,
                c.dialect,
                c.rule,
                r.ok,
                clean,
                r.ok and r.document == c.original,
                r.candidates,
                r.rounds,
                r.tokens,
                time.monotonic() - started,
                r.source,
                r.reason[:120],
            )
        )
        if verbose:
            print(
                f"[{i}/{len(cases)}] {c.id}: {'ok ' + r.title if r.ok else r.reason[:100]}", file=sys.stderr
            )
    return rows


def repair_table(rows: list[RepairRow]) -> str:
    """Per dialect and rule, a subtotal per dialect (when there are several) and a total."""
    out = [
        "| dialect | rule | cases | offered | offered & clean | restored original | any candidate valid "
        "| rounds (mean) | tokens (mean) | latency s (mean) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def line(dialect: str, rule: str, rs: list[RepairRow]) -> str:
        offered = [r for r in rs if r.offered]
        clean = sum(r.clean for r in offered)
        restored = sum(r.restored for r in rs)
        return (
            f"| {dialect} | {rule} | {len(rs)} | {len(offered)} ({_pct(len(offered), len(rs))}) "
            f"| {clean} ({_pct(clean, len(offered))}) | {restored} ({_pct(restored, len(rs))}) "
            f"| {sum(r.candidates > 0 for r in rs)} "
            f"| {_mean(r.rounds for r in rs):.2f} | {_mean(r.tokens for r in rs):.0f} "
            f"| {_mean(r.latency for r in rs):.1f} |"
        )

    dialects = [d for d in DIALECTS if any(r.dialect == d for r in rows)]
    for dialect in dialects:
        drows = [r for r in rows if r.dialect == dialect]
        for rule in sorted({r.rule for r in drows}):
            out.append(line(dialect, rule, [r for r in drows if r.rule == rule]))
        if len(dialects) > 1:
            out.append(line(dialect, "*all*", drows))
    if rows:
        out.append(line("**all**", "", rows))
    return "\n".join(out)


def case_summary(cases: list[RepairCase]) -> str:
    """Case counts per rule (rows) and dialect (columns), as a Markdown table."""
    dialects = [d for d in DIALECTS if any(c.dialect == d for c in cases)]
    counts = Counter((c.rule, c.dialect) for c in cases)
    out = [
        "| rule | " + " | ".join(dialects) + " | all |",
        "|---|" + "---:|" * (len(dialects) + 1),
    ]
    for rule in sorted({c.rule for c in cases}):
        per = [counts[(rule, d)] for d in dialects]
        out.append(f"| {rule} | " + " | ".join(map(str, per)) + f" | {sum(per)} |")
    totals = [sum(c.dialect == d for c in cases) for d in dialects]
    out.append("| **all** | " + " | ".join(map(str, totals)) + f" | {len(cases)} |")
    return "\n".join(out)


# -- generation set -----------------------------------------------------------------------


@dataclass
class GenRow:
    id: str
    ok: bool
    source: str
    rounds: int
    tokens: int
    latency: float
    tree: float
    node_f1: float
    edge_f1: float
    reason: str = ""
    dialect: str = "serverless"
    clean: bool = False  # the validated document re-analyzes with no error or warning


@dataclass
class GenCase:
    """One generation request with its reference spec."""

    id: str
    request: str
    reference: str  # the reference spec's text
    path: Path
    dialect: str  # detected from the reference
    shared: bool  # the reference comes from ../shared/corpora


def _resolve(ref: str) -> Path | None:
    if ref.startswith("corpus:"):
        p = CORPORA / ref.removeprefix("corpus:")
    else:
        p = ROOT / ref
    return p if p.is_file() else None


def generation_items() -> list[dict[str, str]]:
    """The entries of ``generation.json`` (id, request, reference), resolvable here or not."""
    items: list[dict[str, str]] = json.loads((DATA / "generation.json").read_text())
    return items


def generation_cases(
    limit: int | None, *, dialect: str = "both", patterns: list[str] | None = None
) -> list[GenCase]:
    """The requests whose reference resolves (``corpus:`` references need ../shared/corpora),
    each with the dialect detected from its reference. ``patterns`` (shell-style, on ids) and
    ``dialect`` select cases."""
    out: list[GenCase] = []
    for it in generation_items():
        if patterns and not any(fnmatch.fnmatchcase(it["id"], pat) for pat in patterns):
            continue
        p = _resolve(it["reference"])
        if p is None:
            continue
        text = p.read_text(encoding="utf-8")
        found = analyze(text, p.resolve().as_uri()).dialect
        if found is None or dialect not in ("both", found):
            continue
        out.append(GenCase(it["id"], it["request"], text, p, found, it["reference"].startswith("corpus:")))
    return out[:limit] if limit else out


def generation_summary(cases: list[GenCase]) -> str:
    """Requests per dialect (rows), split by where the reference comes from, as Markdown."""
    out = [
        "| dialect | requests | reference in the project's specs | reference in ../shared/corpora |",
        "|---|---:|---:|---:|",
    ]
    for d in [*DIALECTS, "**all**"]:
        cs = [c for c in cases if d in (c.dialect, "**all**")]
        out.append(f"| {d} | {len(cs)} | {sum(not c.shared for c in cs)} | {sum(c.shared for c in cs)} |")
    return "\n".join(out)


@dataclass
class TNode:
    label: str
    children: list[TNode] = field(default_factory=list)


def _label(node: ir.TaskNode) -> str:
    body = node.mapping
    if node.kind == "step":  # GitHub Actions: the action a step uses (without its ref), or run
        uses = node.payload.get("uses")
        return f"uses:{str(uses).split('@')[0].lower()}" if uses else "run"
    if node.kind == "job":
        return "job:call" if node.payload.get("call") else "job"
    if node.kind == "call" and body is not None:
        call = body.get("call")
        if isinstance(call, ScalarNode):
            return f"call:{call.value if call.value in ('http', 'a2a', 'grpc', 'openapi', 'asyncapi', 'mcp') else 'fn'}"
    return node.kind


def task_tree(a: Analysis) -> TNode:
    """The task tree: the workflow root, tasks under the task that owns their scope."""
    wf = a.workflow
    root = TNode("workflow")
    if wf is None:
        return root

    def build(scope_id: str) -> list[TNode]:
        out = []
        for tid in wf.scopes[scope_id].tasks:
            n = wf.nodes[tid]
            t = TNode(_label(n))
            for inner in n.inner:
                t.children.extend(build(inner))
            out.append(t)
        return out

    root.children = build(wf.root_scope)
    return root


def _postorder(t: TNode) -> tuple[list[str], list[int], list[int]]:
    labels: list[str] = []
    lmd: list[int] = []

    def walk(n: TNode) -> int:
        first = -1
        for c in n.children:
            lm = walk(c)
            if first < 0:
                first = lm
        labels.append(n.label)
        idx = len(labels) - 1
        lmd.append(first if first >= 0 else idx)
        return lmd[idx]

    walk(t)
    keyroots = sorted({max(i for i in range(len(labels)) if lmd[i] == v) for v in set(lmd)})
    return labels, lmd, keyroots


def tree_edit_distance(a: TNode, b: TNode) -> int:
    """Zhang-Shasha ordered tree edit distance with unit costs."""
    la, lma, kra = _postorder(a)
    lb, lmb, krb = _postorder(b)
    td = [[0] * len(lb) for _ in la]
    for i in kra:
        for j in krb:
            m, n = i - lma[i] + 2, j - lmb[j] + 2
            fd = [[0] * n for _ in range(m)]
            ioff, joff = lma[i] - 1, lmb[j] - 1
            for x in range(1, m):
                fd[x][0] = fd[x - 1][0] + 1
            for y in range(1, n):
                fd[0][y] = fd[0][y - 1] + 1
            for x in range(1, m):
                for y in range(1, n):
                    if lma[i] == lma[x + ioff] and lmb[j] == lmb[y + joff]:
                        cost = 0 if la[x + ioff] == lb[y + joff] else 1
                        fd[x][y] = min(fd[x - 1][y] + 1, fd[x][y - 1] + 1, fd[x - 1][y - 1] + cost)
                        td[x + ioff][y + joff] = fd[x][y]
                    else:
                        p, q = lma[x + ioff] - 1 - ioff, lmb[y + joff] - 1 - joff
                        fd[x][y] = min(fd[x - 1][y] + 1, fd[x][y - 1] + 1, fd[p][q] + td[x + ioff][y + joff])
    return td[-1][-1]


def _size(t: TNode) -> int:
    return 1 + sum(_size(c) for c in t.children)


def tree_similarity(a: Analysis, b: Analysis) -> float:
    ta, tb = task_tree(a), task_tree(b)
    return 1.0 - tree_edit_distance(ta, tb) / max(_size(ta), _size(tb))


def _f1(pred: Counter[Any], gold: Counter[Any]) -> float:
    tp = sum((pred & gold).values())
    if not pred or not gold or not tp:
        return 1.0 if not pred and not gold else 0.0
    p, r = tp / sum(pred.values()), tp / sum(gold.values())
    return 2 * p * r / (p + r)


def nodes_edges(a: Analysis) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    wf, g = a.workflow, a.graph
    if wf is None or g is None:
        return Counter(), Counter()
    nodes = Counter(_label(n) for n in wf.nodes.values())
    edges: Counter[tuple[str, str]] = Counter()
    for s, t in g.graph.edges():
        if s in wf.nodes and t in wf.nodes:
            edges[(_label(wf.nodes[s]), _label(wf.nodes[t]))] += 1
    return nodes, edges


async def run_generation(provider: Provider, cases: list[GenCase], verbose: bool) -> list[GenRow]:
    indexes = {
        "serverless": SpecIndex.build([SPECS]),
        "github": SpecIndex.build([GITHUB_SPECS], dialect="github"),
    }
    rows: list[GenRow] = []
    for i, c in enumerate(cases, 1):
        # leave the reference itself out of retrieval
        ref_path = c.path.resolve()
        idx = SpecIndex([s for s in indexes[c.dialect].specs if s.path.resolve() != ref_path])
        started = time.monotonic()
        r = await generate(provider, c.request, insertion=empty_document(), index=idx, dialect=c.dialect)
        ref = analyze(c.reference, ref_path.as_uri())
        tree = nf1 = ef1 = 0.0
        clean = False
        if r.ok:
            got = analyze(r.document, "untitled:generated.yaml", dialect=c.dialect)
            clean = not any(f.severity <= 2 for f in got.findings)
            tree = tree_similarity(got, ref)
            gn, ge = nodes_edges(got)
            rn, re_ = nodes_edges(ref)
            nf1, ef1 = _f1(gn, rn), _f1(ge, re_)
        rows.append(
            GenRow(
                c.id,
                r.ok,
                r.source,
                r.rounds,
                r.tokens,
                time.monotonic() - started,
                tree,
                nf1,
                ef1,
                r.reason[:120],
                c.dialect,
                clean,
            )
        )
        if verbose:
            print(
                f"[{i}/{len(cases)}] {c.dialect} {c.id}: {'ok ' + r.source if r.ok else r.reason[:100]}",
                file=sys.stderr,
            )
    return rows


def generation_table(rows: list[GenRow]) -> str:
    """One row per dialect (when there are several) and a total."""
    out = [
        "| dialect | requests | validated | validated & clean | from model / from outline | rounds (mean) "
        "| tokens (mean) | latency s (mean) | tree sim (validated) | node F1 | edge F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def line(label: str, rs: list[GenRow]) -> str:
        ok = [r for r in rs if r.ok]
        return (
            f"| {label} | {len(rs)} | {len(ok)} ({_pct(len(ok), len(rs))}) "
            f"| {sum(r.clean for r in ok)} ({_pct(sum(r.clean for r in ok), len(ok))}) "
            f"| {sum(r.source == 'model' for r in ok)} / {sum(r.source == 'outline' for r in ok)} "
            f"| {_mean(r.rounds for r in rs):.2f} | {_mean(r.tokens for r in rs):.0f} "
            f"| {_mean(r.latency for r in rs):.1f} | {_mean(r.tree for r in ok):.2f} "
            f"| {_mean(r.node_f1 for r in ok):.2f} | {_mean(r.edge_f1 for r in ok):.2f} |"
        )

    dialects = [d for d in DIALECTS if any(r.dialect == d for r in rows)]
    if len(dialects) > 1:
        out.extend(line(d, [r for r in rows if r.dialect == d]) for d in dialects)
    out.append(line("**all**" if len(dialects) > 1 else (dialects[0] if dialects else "**all**"), rows))
    return "\n".join(out)


# -- main ---------------------------------------------------------------------------------


def _mean(xs: Any) -> float:
    xs = list(xs)
    return statistics.fmean(xs) if xs else 0.0


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.0f}%" if d else "-"


async def amain(args: argparse.Namespace) -> int:
    overrides: dict[str, Any] = {}
    if args.max_rounds:
        overrides["max_rounds"] = args.max_rounds
    settings = Settings.resolve(args.base_url, args.model, args.api_key_env, **overrides)
    provider = Provider(settings)
    report: dict[str, Any] = {"model": settings.describe()}
    print(f"model: {settings.describe()}\n")
    try:
        if args.set in ("repair", "both"):
            cases = repair_cases(args.limit, dialect=args.dialect, patterns=args.case)
            rows = await run_repairs(provider, cases, args.verbose)
            print(f"### Repair ({len(rows)} faulty specs)\n")
            print(repair_table(rows) + "\n")
            report["repair"] = [asdict(r) for r in rows]
        if args.set in ("generate", "both"):
            gcases = generation_cases(
                args.gen_limit if args.gen_limit is not None else args.limit,
                dialect=args.dialect,
                patterns=args.case,
            )
            grows = await run_generation(provider, gcases, args.verbose)
            print(f"### Generation ({len(grows)} requests)\n")
            print(generation_table(grows) + "\n")
            report["generation"] = [asdict(r) for r in grows]
    finally:
        await provider.aclose()
        from wfspec.llm.embedded import default_model, stop_default

        if settings.embedded:
            report["embedded_load_seconds"] = default_model().load_seconds
        stop_default()
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--set", choices=["repair", "generate", "both"], default="both")
    p.add_argument("--limit", type=int, help="at most N cases per set")
    p.add_argument(
        "--dialect",
        choices=["serverless", "github", "both"],
        default="both",
        help="which repair and generation cases to run (a generation case's dialect is its reference's)",
    )
    p.add_argument(
        "--case",
        action="append",
        metavar="PATTERN",
        help="only cases whose id matches this shell pattern (repeatable), e.g. 'release:*' (repair) "
        "or 'starter-*' (generation)",
    )
    p.add_argument("--gen-limit", type=int, help="at most N generation requests (overrides --limit)")
    p.add_argument("--base-url")
    p.add_argument("--model")
    p.add_argument("--api-key-env")
    p.add_argument("--max-rounds", type=int)
    p.add_argument("--json", help="also write every row to this JSON file")
    p.add_argument("--list", action="store_true", help="list the repair and generation cases and exit")
    p.add_argument("--verbose", "-v", action="store_true")
    args = p.parse_args()
    if args.list:
        cases = repair_cases(args.limit, dialect=args.dialect, patterns=args.case)
        for c in cases:
            print(c.dialect, c.rule, c.id)
        print("\n" + case_summary(cases) + "\n")
        gcases = generation_cases(None, dialect=args.dialect, patterns=args.case)
        for g in gcases:
            print(g.dialect, "generate", g.id)
        print("\n" + generation_summary(gcases) + "\n")
        unresolved = sum(_resolve(it["reference"]) is None for it in generation_items())
        print(
            f"{len(cases)} repair cases; {len(gcases)} generation requests"
            + (f" ({unresolved} references do not resolve: ../shared/corpora missing)" if unresolved else ""),
            file=sys.stderr,
        )
        return 0
    return asyncio.run(amain(args))


if __name__ == "__main__":
    sys.exit(main())
