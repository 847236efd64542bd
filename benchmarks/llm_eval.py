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

Generation set (``benchmarks/llm_data/generate_set.json``, ``--set generate``): requests written
the way people write comments in an editor (short, imperative, varied), Serverless Workflow and
GitHub Actions, each with the intent items it states (:class:`wfspec.llm.plan.Item`) and an
inline reference workflow that analyzes clean. The references are strings in the set, never
files, so retrieval cannot find them. Each request is generated as a whole document in its
dialect. Per dialect and overall:

- valid: a suggestion was offered and it re-analyzes with no error or warning;
- intent items covered: the set's items that ``wfspec.llm.coverage.cover`` finds in the plan
  ``wfspec.llm.lift.lift`` reads back from the suggestion (over all requests);
- fully matched: valid, and every item covered;
- tree sim: FlowSim-style, one minus the normalized ordered tree edit distance between the task
  trees (jobs and steps for GitHub Actions) of the suggestion and the reference;
- f1_chain and f1_graph: WorFBench's node-chain and graph F1 (see :func:`f1_chain` and
  :func:`f1_graph`; node similarity is a deterministic label similarity instead of sentence
  embeddings);
- rounds, tokens, latency p50/p95.

Similarities, F1s and coverage count a request without a suggestion as 0.

Legacy set (``benchmarks/llm_data/generation.json``, ``--set legacy``): long descriptions of
the project's specs and, when ../shared/corpora is present (``corpus:`` references), of
examples of the Serverless Workflow corpus and GitHub starter CI workflows. They state no
intent items, so only validity, tree similarity and the WorFBench F1s are measured: how close
generation comes to real, larger workflows. The reference spec is left out of retrieval.

    python benchmarks/llm_eval.py [--set repair|generate|legacy|both] [--limit N] \
        [--dialect serverless|github|both] [--case PATTERN] [--base-url URL --model NAME --api-key-env VAR] \
        [--max-rounds N] [--json FILE] [--list]

``both`` runs the repair and the generation set.

Without an endpoint it uses ``$OPENAI_BASE_URL``/``$OPENAI_API_KEY`` when set, else the
embedded model. Tables are printed as Markdown.
"""

from __future__ import annotations

import argparse
import asyncio
import fnmatch
import inspect
import json
import math
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from wfspec import ir  # noqa: E402
from wfspec.analysis.engine import Analysis, analyze  # noqa: E402
from wfspec.llm.plan import Item, item_from_json  # noqa: E402
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


# -- generation sets ----------------------------------------------------------------------

GENERATE_SET = DATA / "generate_set.json"
LEGACY_SET = DATA / "generation.json"


@dataclass
class GenCase:
    """One generation request with its reference workflow.

    Cases of the generation set carry their intent ``items`` and an inline reference (never a
    file, so retrieval cannot find it). Legacy cases have no items (``None``) and a reference
    file (``path``), which is left out of retrieval for that request."""

    id: str
    request: str
    reference: str  # the reference workflow's text
    dialect: str
    items: list[Item] | None = None
    path: Path | None = None
    shared: bool = False  # legacy: the reference comes from ../shared/corpora


def _pick(id_: str, dialect: str, want: str, patterns: list[str] | None) -> bool:
    return (
        dialect in DIALECTS
        and want in ("both", dialect)
        and (not patterns or any(fnmatch.fnmatchcase(id_, p) for p in patterns))
    )


def generate_entries() -> list[dict[str, Any]]:
    """The entries of ``generate_set.json``: id, dialect, request, items, reference."""
    entries: list[dict[str, Any]] = json.loads(GENERATE_SET.read_text(encoding="utf-8"))
    return entries


def generate_cases(
    limit: int | None, *, dialect: str = "both", patterns: list[str] | None = None
) -> list[GenCase]:
    """The generation set, Serverless Workflow first; ``dialect`` and ``patterns`` (shell-style,
    on ids) select cases."""
    out = []
    for e in generate_entries():
        if not _pick(e["id"], e["dialect"], dialect, patterns):
            continue
        items = [i for i in (item_from_json(raw) for raw in e["items"]) if i is not None]
        out.append(GenCase(e["id"], e["request"], e["reference"], e["dialect"], items))
    return out[:limit] if limit else out


def _resolve(ref: str) -> Path | None:
    p = CORPORA / ref.removeprefix("corpus:") if ref.startswith("corpus:") else ROOT / ref
    return p if p.is_file() else None


def legacy_entries() -> list[dict[str, str]]:
    """The entries of ``generation.json`` (id, request, reference path), resolvable here or not."""
    entries: list[dict[str, str]] = json.loads(LEGACY_SET.read_text(encoding="utf-8"))
    return entries


def legacy_cases(
    limit: int | None, *, dialect: str = "both", patterns: list[str] | None = None
) -> list[GenCase]:
    """The legacy requests whose reference resolves (``corpus:`` references need
    ../shared/corpora), each with the dialect detected from its reference."""
    out: list[GenCase] = []
    for it in legacy_entries():
        p = _resolve(it["reference"])
        if p is None:
            continue
        text = p.read_text(encoding="utf-8")
        found = analyze(text, p.resolve().as_uri()).dialect
        if found is None or not _pick(it["id"], found, dialect, patterns):
            continue
        shared = it["reference"].startswith("corpus:")
        out.append(GenCase(it["id"], it["request"], text, found, None, p, shared))
    return out[:limit] if limit else out


def generation_summary(cases: list[GenCase]) -> str:
    """Requests and intent items per dialect (rows), as Markdown."""
    out = [
        "| dialect | requests | intent items | reference in the project's specs | reference in ../shared/corpora |",
        "|---|---:|---:|---:|---:|",
    ]
    for d in [*DIALECTS, "**all**"]:
        cs = [c for c in cases if d in (c.dialect, "**all**")]
        items = sum(len(c.items or ()) for c in cs)
        out.append(
            f"| {d} | {len(cs)} | {items} | {sum(c.path is not None and not c.shared for c in cs)} "
            f"| {sum(c.shared for c in cs)} |"
        )
    return "\n".join(out)


# FlowSim-style tree similarity: a normalized ordered tree edit distance over the task trees.


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


# WorFBench's f1_chain and f1_graph (Qiao et al. 2024, "Benchmarking Agentic Workflow
# Generation", the evaluator's t_eval_nodes and t_eval_graph). A workflow is a graph of nodes
# with a START node first and an END node last. Nodes of the prediction and the gold graph are
# paired by a maximum-weight matching over the pairs whose similarity exceeds 0.6. f1_chain:
# for each of the gold graph's topological orders (the first 20; the node list itself when the
# gold graph has 10 nodes or more), the longest chain of predicted nodes, in the order they were
# written, whose matched gold nodes come in increasing order; precision is that length over the
# predicted nodes, recall over the gold nodes; the best F1 over the orders. f1_graph: the
# predicted edges whose matched ends form a gold edge; the largest connected component of the
# matched nodes under those edges; precision and recall are its size over all predicted and all
# gold nodes (START and END included).
#
# Where this differs from the published evaluator, and why:
# - Node similarity: WorFBench compares free-text step descriptions by the cosine of
#   all-mpnet-base-v2 sentence embeddings. Our nodes are tasks, jobs and steps, so the
#   similarity is deterministic (label_similarity): half for the kind (the same kind, e.g.
#   call:a2a; a quarter for the same family, e.g. call:http and call:a2a), half for the Dice
#   coefficient of the name's words (camelCase, kebab and snake split, lower-cased, plural s
#   dropped). The threshold stays 0.6: a match needs the same kind and some shared words, or
#   the same family and nearly the same name.
# - Edges are compared through the node matching (a predicted edge counts when its matched
#   ends form a gold edge); the published code compares the raw node indices of the two graphs.
# - The chain counts matched nodes only; the published code starts every position at 1, so a
#   prediction with no matched node scores a chain of one.
# - START and END are left out of both chains, also for gold graphs of 10 nodes or more.
# - Our graphs can have loops (loop-until jumps back): edges that close a cycle in a depth-first
#   walk in document order are dropped, so that topological orders exist.
# - A request without a validated suggestion scores 0, as an unparsable prediction does there.

START, END = "START", "END"
MATCH_THRESHOLD = 0.6
_NAME_FILLER = frozenset({"the", "a", "an", "to", "of", "and", "for", "step", "task", "job", "run", "uses"})


@dataclass
class WGraph:
    """A workflow graph in WorFBench's form: node labels (``START`` first, ``END`` last) and
    edges between node indices. A label is ``"<kind> <name words>"``."""

    nodes: list[str]
    edges: list[tuple[int, int]]


def _name_words(text: str) -> set[str]:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    out = set()
    for w in re.findall(r"[a-z0-9]+", text.lower()):
        if w in _NAME_FILLER:
            continue
        out.add(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return out


def label_similarity(a: str, b: str) -> float:
    """The deterministic stand-in for WorFBench's sentence-embedding similarity (see above)."""
    ka, _, na = a.partition(" ")
    kb, _, nb = b.partition(" ")
    if START in (ka, kb) or END in (ka, kb):
        return 1.0 if ka == kb else 0.0
    kind = 1.0 if ka == kb else 0.5 if ka.split(":")[0] == kb.split(":")[0] else 0.0
    wa, wb = _name_words(na), _name_words(nb)
    words = 1.0 if not wa and not wb else 2 * len(wa & wb) / (len(wa) + len(wb))
    return 0.5 * kind + 0.5 * words


def match_nodes(pred: list[str], gold: list[str], threshold: float = MATCH_THRESHOLD) -> dict[int, int]:
    """Predicted node index -> gold node index (-1: unmatched), by a maximum-weight matching
    over the pairs more similar than ``threshold``; among equally similar pairs, the one at the
    closer relative position wins (WorFBench leaves such ties to the matching)."""
    g = nx.Graph()
    for i, p in enumerate(pred):
        for j, q in enumerate(gold):
            s = label_similarity(p, q)
            if s > threshold:
                # ties (equal labels) go to the pair at the closer relative position
                near = 1 - abs(i / max(len(pred) - 1, 1) - j / max(len(gold) - 1, 1))
                g.add_edge(("p", i), ("g", j), weight=s + 1e-3 * near)
    out = dict.fromkeys(range(len(pred)), -1)
    for u, v in nx.max_weight_matching(g):
        (_, i), (_, j) = (u, v) if u[0] == "p" else (v, u)
        out[i] = j
    return out


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def gold_chains(gold: WGraph, limit: int = 20) -> list[list[str]]:
    """The gold graph's topological orders without START and END (the first ``limit``; the
    node list itself when the graph has 10 nodes or more)."""
    inner = [i for i, n in enumerate(gold.nodes) if n not in (START, END)]
    if len(gold.nodes) >= 10:
        return [[gold.nodes[i] for i in inner]]
    g = nx.DiGraph()
    g.add_nodes_from(range(len(gold.nodes)))
    g.add_edges_from(gold.edges)
    keep = set(inner)
    return [
        [gold.nodes[i] for i in order if i in keep] for order in islice(nx.all_topological_sorts(g), limit)
    ]


def chain_f1(pred: list[str], gold: list[str]) -> float:
    """F1 of the longest chain of ``pred`` (in order) whose matched ``gold`` nodes increase."""
    if not pred or not gold:
        return 0.0
    m = match_nodes(pred, gold)
    best = [0] * len(pred)
    for i in range(len(pred)):
        if m[i] < 0:
            continue
        best[i] = 1 + max((best[j] for j in range(i) if m[j] >= 0 and m[j] < m[i]), default=0)
    n = max(best)
    return _f1(n / len(pred), n / len(gold))


def f1_chain(pred: WGraph, gold: WGraph) -> float:
    """WorFBench's node-chain F1 (t_eval_nodes): the best :func:`chain_f1` of the predicted
    nodes, in the order they were written, over the gold graph's topological orders."""
    nodes = [n for n in pred.nodes if n not in (START, END)]
    return max((chain_f1(nodes, order) for order in gold_chains(gold)), default=0.0)


def f1_graph(pred: WGraph, gold: WGraph) -> float:
    """WorFBench's graph F1 (t_eval_graph): the largest connected component of matched nodes
    joined by matched edges, over all predicted (precision) and all gold (recall) nodes."""
    if not pred.nodes or not gold.nodes:
        return 0.0
    m = match_nodes(pred.nodes, gold.nodes)
    gold_edges = set(gold.edges)
    g = nx.Graph()
    g.add_nodes_from(i for i, j in m.items() if j >= 0)
    g.add_edges_from(
        (u, v)
        for u, v in pred.edges
        if m.get(u, -1) >= 0 and m.get(v, -1) >= 0 and (m[u], m[v]) in gold_edges
    )
    lcc = max((len(c) for c in nx.connected_components(g)), default=0)
    return _f1(lcc / len(pred.nodes), lcc / len(gold.nodes))


def _node_text(node: ir.TaskNode) -> str:
    if node.kind == "step":  # GitHub steps: their name, else what they use or run
        return str(node.payload.get("label") or "").split("@")[0]
    return node.name


def workflow_graph(a: Analysis) -> WGraph:
    """The workflow of ``a`` as a WorFBench graph: its tasks (jobs and steps) in document order
    between START and END; an edge where one runs right after another (through block entries
    and exits), from a job to the jobs that need it; START to every node nothing precedes,
    every node nothing follows to END. Loop-back edges are dropped (see above)."""
    wf, fg = a.workflow, a.graph
    if wf is None or fg is None:
        return WGraph([START, END], [(0, 1)])
    g = fg.graph
    real = sorted((n for n in wf.nodes.values() if n.id in g), key=lambda n: (n.body_span.start.offset, n.id))
    index = {n.id: i + 1 for i, n in enumerate(real)}
    succ: dict[int, list[int]] = {i: [] for i in index.values()}
    for n in real:
        seen: set[str] = set()
        todo = [(v, d.get("kind")) for _, v, d in g.out_edges(n.id, data=True)]
        while todo:
            v, kind = todo.pop(0)
            if kind == "needs":  # n needs v: v runs first
                if v in index and index[n.id] not in succ[index[v]]:
                    succ[index[v]].append(index[n.id])
                continue
            if kind == "loop" or v in seen:
                continue
            seen.add(v)
            if v in index:
                if index[v] not in succ[index[n.id]]:
                    succ[index[n.id]].append(index[v])
            else:  # a block's entry or exit: look through it
                todo.extend((w, d.get("kind")) for _, w, d in g.out_edges(v, data=True))
    # drop the edges that close a cycle (depth first, in document order)
    state: dict[int, int] = {}
    edges: list[tuple[int, int]] = []
    for root in sorted(succ):
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(sorted(succ[root])))]
        while stack:
            u, it = stack[-1]
            v = next(it, None)
            if v is None:
                state[u] = 2
                stack.pop()
            elif state.get(v) == 1:
                continue  # a back edge
            else:
                edges.append((u, v))
                if v not in state:
                    state[v] = 1
                    stack.append((v, iter(sorted(succ[v]))))
    end = len(real) + 1
    has_in = {v for _, v in edges}
    has_out = {u for u, _ in edges}
    edges += [(0, i) for i in sorted(succ) if i not in has_in]
    edges += [(i, end) for i in sorted(succ) if i not in has_out]
    if not real:
        edges = [(0, end)]
    labels = [START, *(f"{_label(n)} {_node_text(n)}".strip() for n in real), END]
    return WGraph(labels, sorted(edges))


# Running and scoring.


@dataclass
class GenRow:
    id: str
    dialect: str
    ok: bool  # a suggestion was offered
    valid: bool  # offered, and it re-analyzes with no error or warning
    source: str
    rounds: int
    tokens: int
    latency: float
    items: int  # intent items the request states (0: a legacy case)
    covered: int | None  # of them, covered by the suggestion (None: not measured)
    tree: float
    f1_chain: float
    f1_graph: float
    reason: str = ""
    uncovered: list[str] = field(default_factory=list)

    @property
    def fully(self) -> bool:
        """Valid and every intent item covered."""
        return self.valid and self.covered is not None and self.covered == self.items


def _coverage() -> tuple[Any, Any] | None:
    """``(cover, lift)``, imported on first use; None while either module is missing."""
    try:
        from wfspec.llm.coverage import cover
        from wfspec.llm.lift import lift
    except ImportError:
        return None
    return cover, lift


def coverage_of(items: list[Item], document: str, dialect: str) -> tuple[int, list[str]] | None:
    """How many of ``items`` the document covers, and the uncovered ones (kind: name, why);
    None while :mod:`wfspec.llm.coverage` or :mod:`wfspec.llm.lift` is missing."""
    funcs = _coverage()
    if funcs is None:
        return None
    cover, lift = funcs
    plan = lift(document, dialect)
    if "text" in inspect.signature(cover).parameters:
        got = cover(items, plan, text=document)
    else:
        got = cover(items, plan)
    return sum(c.ok for c in got), [
        f"{c.item.kind}: {c.item.name or ', '.join(c.item.values)} ({c.how})" for c in got if not c.ok
    ]


def score(case: GenCase, result: Any, latency: float) -> GenRow:
    """One row: ``result`` is what :func:`generate` returned (ok, document, rounds, tokens,
    source, reason). Coverage is measured on the plan lifted from the suggestion, against the
    set's own items (not the items generation extracted)."""
    items = case.items or []
    covered: int | None = 0 if case.items is not None else None
    uncovered: list[str] = []
    valid = False
    tree = chain = graph = 0.0
    if result.ok:
        got = analyze(result.document, "untitled:generated.yaml", dialect=case.dialect)
        ref = analyze(case.reference, case.path.resolve().as_uri() if case.path else "untitled:reference")
        valid = got.dialect == case.dialect and not any(f.severity <= 2 for f in got.findings)
        tree = tree_similarity(got, ref)
        pg, rg = workflow_graph(got), workflow_graph(ref)
        chain, graph = f1_chain(pg, rg), f1_graph(pg, rg)
        if case.items is not None:
            measured = coverage_of(items, result.document, case.dialect)
            covered, uncovered = (None, []) if measured is None else measured
    elif case.items is not None:
        uncovered = [f"{i.kind}: {i.name or ', '.join(i.values)} (no suggestion)" for i in items]
        if _coverage() is None:
            covered = None
    return GenRow(
        case.id,
        case.dialect,
        bool(result.ok),
        valid,
        result.source,
        result.rounds,
        result.tokens,
        latency,
        len(items),
        covered,
        tree,
        chain,
        graph,
        result.reason[:120],
        uncovered,
    )


async def run_generation(provider: Provider, cases: list[GenCase], verbose: bool) -> list[GenRow]:
    from wfspec.llm.generate import empty_document, generate  # the generation stack, only to run it

    indexes = {
        "serverless": SpecIndex.build([SPECS]),
        "github": SpecIndex.build([GITHUB_SPECS], dialect="github"),
    }
    rows: list[GenRow] = []
    for i, c in enumerate(cases, 1):
        idx = indexes[c.dialect]
        if c.path is not None:  # a legacy reference is a shipped spec: leave it out of retrieval
            ref_path = c.path.resolve()
            idx = SpecIndex([s for s in idx.specs if s.path.resolve() != ref_path])
        started = time.monotonic()
        r = await generate(provider, c.request, insertion=empty_document(), index=idx, dialect=c.dialect)
        rows.append(score(c, r, time.monotonic() - started))
        if verbose:
            row = rows[-1]
            cov = "" if row.covered is None else f" covers {row.covered}/{row.items}"
            print(
                f"[{i}/{len(cases)}] {c.dialect} {c.id}: {'ok ' + r.source if r.ok else r.reason[:100]}{cov}",
                file=sys.stderr,
            )
    return rows


def percentile(xs: Any, p: float) -> float:
    """The nearest-rank ``p``-th percentile (0 for no values)."""
    s = sorted(xs)
    if not s:
        return 0.0
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def generation_table(rows: list[GenRow]) -> str:
    """One row per dialect (when there are several) and a total. Similarities and F1s are
    means over all requests (no suggestion: 0); coverage counts items over all requests."""
    out = [
        "| dialect | requests | valid | intent items covered | fully matched | tree sim | f1_chain "
        "| f1_graph | rounds (mean) | tokens (mean) | latency p50 s | latency p95 s | sources |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]

    def line(label: str, rs: list[GenRow]) -> str:
        valid = sum(r.valid for r in rs)
        measured = [r for r in rs if r.covered is not None]
        if measured:
            items = sum(r.items for r in measured)
            got = sum(r.covered or 0 for r in measured)
            fully = sum(r.fully for r in measured)
            cov = f"{got}/{items} ({_pct(got, items)})"
            full = f"{fully} ({_pct(fully, len(measured))})"
        else:
            cov = full = "-"
        sources = Counter(r.source or "?" for r in rs if r.ok)
        lat = [r.latency for r in rs]
        return (
            f"| {label} | {len(rs)} | {valid} ({_pct(valid, len(rs))}) | {cov} | {full} "
            f"| {_mean(r.tree for r in rs):.2f} | {_mean(r.f1_chain for r in rs):.2f} "
            f"| {_mean(r.f1_graph for r in rs):.2f} | {_mean(r.rounds for r in rs):.2f} "
            f"| {_mean(r.tokens for r in rs):.0f} | {percentile(lat, 50):.1f} | {percentile(lat, 95):.1f} "
            f"| {' · '.join(f'{k} {v}' for k, v in sorted(sources.items())) or '-'} |"
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
        gen_limit = args.gen_limit if args.gen_limit is not None else args.limit
        sets = [
            ("generate", "Generation", generate_cases),
            ("legacy", "Generation, legacy set", legacy_cases),
        ]
        for name, title, make in sets:
            if args.set not in (name, "both" if name == "generate" else name):
                continue
            gcases = make(gen_limit, dialect=args.dialect, patterns=args.case)
            grows = await run_generation(provider, gcases, args.verbose)
            print(f"### {title} ({len(grows)} requests)\n")
            print(generation_table(grows) + "\n")
            report[name] = [{**asdict(r), "fully": r.fully} for r in grows]
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
    p.add_argument(
        "--set",
        choices=["repair", "generate", "legacy", "both"],
        default="both",
        help="both: the repair and the generation set (not the legacy set)",
    )
    p.add_argument("--limit", type=int, help="at most N cases per set")
    p.add_argument(
        "--dialect",
        choices=["serverless", "github", "both"],
        default="both",
        help="which repair and generation cases to run",
    )
    p.add_argument(
        "--case",
        action="append",
        metavar="PATTERN",
        help="only cases whose id matches this shell pattern (repeatable), e.g. 'release:*' (repair) "
        "or 'sw-branch-*' (generation)",
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
        gcases = generate_cases(None, dialect=args.dialect, patterns=args.case)
        lcases = legacy_cases(None, dialect=args.dialect, patterns=args.case)
        for g in gcases:
            print(g.dialect, "generate", g.id)
        for g in lcases:
            print(g.dialect, "legacy", g.id)
        print("\n" + generation_summary(gcases) + "\n\n" + generation_summary(lcases) + "\n")
        unresolved = sum(_resolve(it["reference"]) is None for it in legacy_entries())
        print(
            f"{len(cases)} repair cases; {len(gcases)} generation requests; {len(lcases)} legacy requests"
            + (
                f" ({unresolved} legacy references do not resolve: ../shared/corpora missing)"
                if unresolved
                else ""
            ),
            file=sys.stderr,
        )
        return 0
    return asyncio.run(amain(args))


if __name__ == "__main__":
    sys.exit(main())
