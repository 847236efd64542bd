"""Comment to workflow: retrieve, outline, fill in, validate, feed back, offer.

1. Retrieve: the workspace vocabulary (functions, agents, secrets, task names; GitHub Actions:
   job ids and their outputs, actions in use) and the specs most similar to the request
   (:mod:`wfspec.llm.retrieval`).
2. Outline: the model lists the steps as schema-constrained JSON (name, action, the vocabulary
   name it uses); :func:`render_outline` turns that into a skeleton of tasks. For GitHub Actions
   the outline is a :class:`Plan` of jobs (id, needs, steps that use an action or run a command)
   and :func:`render_jobs` / :func:`render_github_workflow` make the skeleton.
3. Fill in: the model writes the YAML of the tasks (jobs) from the skeleton, the examples and
   the vocabulary; :mod:`wfspec.llm.extract` pulls the YAML out of the answer.
4. Validate: the candidate is re-indented, spliced into a copy of the document at the
   server-chosen :class:`Insertion` and analyzed (:mod:`wfspec.llm.validate`); findings it adds
   (or job ids it takes from existing jobs) go back to the model for another round, up to
   ``max_rounds``. When every round fails, the skeleton itself is validated as a last candidate.
   A suggestion only inserts: the text around the insertion stays byte for byte, and every
   task, job, step, command and endpoint of the original stays as it was, with no YAML tag
   added (:func:`wfspec.llm.validate.check_insertion`). An answer above the size limit is
   rejected unread, and that too goes back to the model as feedback.

Insertions go into a Serverless Workflow ``do:`` list or a GitHub Actions ``jobs:`` map
(:func:`in_jobs_map`), or make a whole document. Only a candidate that validates is offered;
otherwise the result says why nothing was.
"""

from __future__ import annotations

import asyncio
import json
import re
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wfspec.analysis.config import Config
from wfspec.analysis.engine import Analysis, analyze
from wfspec.dialects.github import catalog
from wfspec.fixes import TextEdit
from wfspec.llm import coverage, planned, prompts
from wfspec.llm import plan as planir
from wfspec.llm.coverage import Covered
from wfspec.llm.extract import extract_json, extract_yaml
from wfspec.llm.provider import AnswerTooLarge, Completion, Message, Provider, ProviderError
from wfspec.llm.retrieval import SpecIndex, Vocabulary, cached_index, default_dirs, excerpt, vocabulary_of
from wfspec.llm.validate import Inventory, Verdict, can_validate, check_insertion, inventory, splice
from wfspec.syntax.parse import parse
from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode, scalar_str

Progress = Callable[[str], None]

DSL_VERSION = "1.0.3"


# -- where the suggestion goes ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Insertion:
    """The range the suggestion replaces (usually empty: an insertion point) and how to shape
    it: ``whole_document`` for an empty file, else task items at ``indent`` spaces."""

    start: int
    end: int
    indent: int = 0
    whole_document: bool = False
    request: str = ""  # the comment text, when the insertion comes from a comment


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _line_end(text: str, offset: int) -> int:
    i = text.find("\n", offset)
    return len(text) if i < 0 else i + 1


def _is_blank_or_comment(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith("#")


def insertion_for_comment(text: str, line: int) -> Insertion | None:
    """The insertion for a natural-language comment on ``line`` (0-based): after the block of
    comment lines it belongs to, at the comment's indentation; a whole document when the file
    holds nothing but comments. None when ``line`` is no own-line comment."""
    lines = text.splitlines(keepends=True)
    if not 0 <= line < len(lines) or not lines[line].lstrip().startswith("#"):
        return None
    indent = len(lines[line]) - len(lines[line].lstrip(" "))
    first = last = line
    while first > 0 and lines[first - 1].lstrip().startswith("#") and _indent(lines[first - 1]) == indent:
        first -= 1
    while (
        last + 1 < len(lines)
        and lines[last + 1].lstrip().startswith("#")
        and _indent(lines[last + 1]) == indent
    ):
        last += 1
    request = " ".join(ln.strip().lstrip("#").strip() for ln in lines[first : last + 1]).strip()
    if not request:
        return None
    start = sum(len(ln) for ln in lines[: last + 1])
    if all(_is_blank_or_comment(ln) for ln in lines):
        return Insertion(start, start, 0, True, request)  # the lines below are kept as they are
    return Insertion(start, start, indent, False, request)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def insertion_at_end_of_do(text: str) -> Insertion | None:
    """The insertion after the last item of the top-level ``do`` list (None without one)."""
    doc = parse(text)
    root = doc.root
    if not isinstance(root, MapNode):
        return None
    seq = root.get("do")
    if not isinstance(seq, SeqNode) or seq.flow or not seq.items:
        return None
    first = seq.items[0]
    ls = _line_start(text, first.span.start.offset)
    dash = text.find("-", ls, first.span.start.offset + 1)
    indent = (dash - ls) if dash >= 0 else first.span.start.character
    last = seq.items[-1]
    end = _line_end(text, max(last.span.end.offset - 1, last.span.start.offset))
    # keep trailing blank and comment lines of the last item with it
    return Insertion(end, end, indent, False)


def empty_document() -> Insertion:
    return Insertion(0, 0, 0, True)


# -- GitHub Actions: where new jobs go -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class JobsMap:
    """The top-level ``jobs:`` map of a GitHub Actions workflow, as far as insertion cares."""

    key_line: int  # 0-based line of the ``jobs:`` key
    key_column: int
    last_line: int  # the last line with content inside the map (``key_line`` when empty)
    column: int | None  # indentation of the job ids (None: no job yet)
    ids: tuple[str, ...]
    id_lines: frozenset[int]
    end: int  # offset after the last job's lines (after the key line when empty)


def jobs_map(text: str) -> JobsMap | None:
    """The ``jobs:`` map of ``text`` (None without a block-style one)."""
    root = parse(text).root
    if not isinstance(root, MapNode):
        return None
    key = root.key_node("jobs")
    jobs = root.get("jobs")
    if key is None:
        return None
    key_line = key.span.start.line
    if isinstance(jobs, MapNode) and not jobs.flow and jobs.pairs:
        keys = [k for k, _ in jobs.items()]
        last = jobs.pairs[-1][1]
        end = _line_end(text, max(last.span.end.offset - 1, last.span.start.offset))
        lines = text[:end].splitlines()
        last_line = next((i for i in range(len(lines) - 1, key_line, -1) if _significant(lines[i])), key_line)
        return JobsMap(
            key_line,
            key.span.start.character,
            last_line,
            keys[0].span.start.character if keys else None,
            tuple(k.value for k in keys),
            frozenset(k.span.start.line for k in keys),
            end,
        )
    if isinstance(jobs, ScalarNode) and jobs.tag == "null":
        return JobsMap(
            key_line,
            key.span.start.character,
            key_line,
            None,
            (),
            frozenset(),
            _line_end(text, key.span.end.offset),
        )
    return None


def _significant(line: str) -> bool:
    return not _is_blank_or_comment(line)


def in_jobs_map(text: str, line: int, indent: int) -> bool:
    """Whether new jobs inserted at the start of ``line`` (0-based), at ``indent`` spaces, land
    in the top-level ``jobs:`` map of a GitHub Actions workflow: at the job ids' indentation,
    before a job or after the last one (comment and blank lines do not count)."""
    jm = jobs_map(text)
    if jm is None or line <= jm.key_line:
        return False
    if indent != (jm.column if jm.column is not None else max(indent, jm.key_column + 1)):
        return False
    lines = text.splitlines()
    prev = next((i for i in range(min(line, len(lines)) - 1, -1, -1) if _significant(lines[i])), None)
    if prev is None or not jm.key_line <= prev <= jm.last_line:
        return False
    nxt = next((i for i in range(line, len(lines)) if _significant(lines[i])), None)
    if nxt is None or _indent(lines[nxt]) <= jm.key_column:
        return True
    return _indent(lines[nxt]) == indent and nxt in jm.id_lines


def insertion_in_jobs(text: str, insertion: Insertion) -> bool:
    """Whether ``insertion`` (an insertion point at the start of a line) puts new jobs into the
    ``jobs:`` map of a GitHub Actions workflow (:func:`in_jobs_map`)."""
    if insertion.whole_document or insertion.start != insertion.end:
        return False
    if insertion.start not in (_line_start(text, insertion.start), len(text)):
        return False
    line = text.count("\n", 0, insertion.start)
    if insertion.start == len(text) and text and not text.endswith("\n"):
        line += 1  # after a last line without a line break
    return in_jobs_map(text, line, insertion.indent)


def insertion_at_end_of_jobs(text: str) -> Insertion | None:
    """The insertion after the last job of the top-level ``jobs:`` map (None without one)."""
    jm = jobs_map(text)
    if jm is None:
        return None
    indent = jm.column if jm.column is not None else jm.key_column + 2
    return Insertion(jm.end, jm.end, indent, False)


# -- outline -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """One outline step."""

    name: str
    action: str
    uses: str = ""


def parse_outline(data: Any) -> list[Step]:
    """Steps from an outline answer (tolerant: unknown actions become ``set``)."""
    if isinstance(data, dict):
        data = data.get("steps")
    if not isinstance(data, list):
        return []
    steps: list[Step] = []
    for item in data[:8]:
        if not isinstance(item, dict):
            continue
        name = _camel(str(item.get("name", "")))
        if not name:
            continue
        action = str(item.get("action", "set"))
        if action not in prompts.ACTIONS:
            action = "set"
        step = Step(name, action, str(item.get("uses", "") or ""))
        if step not in steps:  # small models repeat themselves
            steps.append(step)
    return steps


def _camel(raw: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", raw)
    if not words:
        return ""
    out = words[0][0].lower() + words[0][1:] + "".join(w[0].upper() + w[1:] for w in words[1:])
    if not out[0].isalpha():
        out = "step" + out[0].upper() + out[1:]
    return out[:40]


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower().strip("-") or "step"


def render_outline(steps: Sequence[Step], vocab: Vocabulary, taken: Sequence[str] = ()) -> str:
    """Task items (at indent 0) for the steps: a skeleton that analyzes clean on its own."""
    used = {t.lower() for t in taken}
    items: list[str] = []
    for step in steps:
        name = step.name
        n = 2
        while name.lower() in used:
            name, n = f"{step.name}{n}", n + 1
        used.add(name.lower())
        items.append(dump_yaml([{name: _step_body(step, name, vocab)}]))
    return "".join(items)


def _step_body(step: Step, name: str, vocab: Vocabulary) -> dict[str, Any]:
    uses = step.uses
    action = step.action
    if action == "call-function" and uses in vocab.functions:
        return {"call": uses}
    if action in ("call-agent", "call-function") and (uses in vocab.agents or action == "call-agent"):
        url = vocab.agents.get(uses) or (
            uses
            if uses.startswith("http")
            else f"https://agents.example.com/{_kebab(name)}/.well-known/agent-card.json"
        )
        return {
            "call": "a2a",
            "with": {
                "method": "message/send",
                "agentCard": {"endpoint": url},
                "parameters": {
                    "message": {"role": "user", "parts": [{"kind": "text", "text": "${ . | tojson }"}]}
                },
            },
        }
    if action in ("call-http", "call-function"):
        url = uses if uses.startswith("http") else f"https://api.example.com/{_kebab(name)}"
        verb = (
            "post"
            if re.match(r"(create|send|post|notify|submit|update|open|file|add|book|reply)", name)
            else "get"
        )
        return {"call": "http", "with": {"method": verb, "endpoint": url}}
    if action == "wait":
        return {"wait": {"seconds": 30}}
    if action == "emit":
        return {
            "emit": {
                "event": {
                    "with": {
                        "source": "https://wfspec.example/workflows",
                        "type": f"com.example.{_kebab(name)}",
                    }
                }
            }
        }
    if action == "listen":
        return {"listen": {"to": {"one": {"with": {"type": f"com.example.{_kebab(name)}"}}}}}
    if action == "raise":
        return {
            "raise": {
                "error": {
                    "type": "https://serverlessworkflow.io/spec/1.0.0/errors/runtime",
                    "status": 500,
                    "title": _kebab(name).replace("-", " "),
                }
            }
        }
    if action == "run-workflow":
        return {
            "run": {"workflow": {"namespace": "default", "name": _kebab(uses or name), "version": "0.1.0"}}
        }
    return {"set": {name: True}}


_PLAIN = re.compile(r"^[A-Za-z_./@][A-Za-z0-9_./@:+-]*$")
_SPECIAL = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def _scalar(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    s = str(v)
    if s.startswith("${"):
        return "'" + s.replace("'", "''") + "'"
    if _PLAIN.match(s) and s.lower() not in _SPECIAL and ": " not in s:
        return s
    return json.dumps(s)


def dump_yaml(value: Any, indent: int = 0) -> str:
    """A small, deterministic block-style YAML emitter for plain data (dicts, lists, scalars)."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return f"{pad}{{}}\n"
        out = []
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{_scalar(k)}:\n{dump_yaml(v, indent + 2)}")
            else:
                out.append(f"{pad}{_scalar(k)}: {_scalar(v) if not isinstance(v, (dict, list)) else '{}'}\n")
        return "".join(out)
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, (dict, list)) and item:
                inner = dump_yaml(item, indent + 2)
                out.append(f"{pad}- {inner[indent + 2 :]}")
            else:
                out.append(f"{pad}- {_scalar(item)}\n")
        return "".join(out)
    return f"{pad}{_scalar(value)}\n"


# -- shaping a candidate ------------------------------------------------------------------


def _node_lines(text: str, node: Node) -> str:
    s = _line_start(text, node.span.start.offset)
    e = _line_end(text, max(node.span.end.offset - 1, node.span.start.offset))
    return text[s:e]


def _slug(request: str) -> str:
    words = re.findall(r"[a-z0-9]+", request.lower())
    stop = {"a", "an", "the", "and", "of", "to", "for", "then", "with", "when", "it", "that", "on", "in"}
    return "-".join([w for w in words if w not in stop][:5]) or "generated"


def document_header(request: str) -> str:
    return (
        f"document:\n  dsl: '{DSL_VERSION}'\n  namespace: default\n  name: {_slug(request)}\n"
        f"  version: '0.1.0'\n"
    )


def shape_candidate(
    yaml_text: str, insertion: Insertion, request: str = "", dialect: str = "serverless"
) -> str | None:
    """The text to put in the insertion range, from the model's YAML: task items (GitHub
    Actions: job entries) re-indented to the insertion's indentation, or a whole document.
    None when it holds no tasks (no jobs)."""
    doc = parse(yaml_text)
    if doc.has_syntax_error or doc.root is None:
        return None
    text = doc.text
    root = doc.root
    if dialect == "github":
        if insertion.whole_document and isinstance(root, MapNode) and "jobs" in root:
            body = textwrap.dedent(text).strip("\n") + "\n"
            return body if "on" in root else "on:\n  workflow_dispatch: {}\n" + body
        jobs = _github_jobs_text(text, root, request)
        if jobs is None:
            return None
        if insertion.whole_document:
            return f"name: {_slug(request)}\non:\n  workflow_dispatch: {{}}\njobs:\n" + textwrap.indent(
                jobs, "  "
            )
        return textwrap.indent(jobs, " " * insertion.indent)
    tasks_text: str | None = None
    if isinstance(root, SeqNode) and not root.flow and root.items:
        tasks_text = _node_lines(text, root)
    elif isinstance(root, MapNode):
        do = root.get("do")
        if isinstance(do, SeqNode) and not do.flow and do.items:
            if insertion.whole_document:
                body = textwrap.dedent(text).strip("\n") + "\n"
                if "document" not in root:
                    body = document_header(request) + body
                return body
            tasks_text = _node_lines(text, do)
        elif (
            len(root.pairs) == 1
            and isinstance(root.pairs[0][1], MapNode)
            and isinstance(root.pairs[0][0], ScalarNode)
        ):
            # a single task written as a mapping ("name:\n  call: ..."): make it a list item
            body = textwrap.dedent(_node_lines(text, root))
            tasks_text = "- " + textwrap.indent(body, "  ")[2:]
    if tasks_text is None:
        return None
    items = textwrap.dedent(tasks_text).strip("\n") + "\n"
    if insertion.whole_document:
        return document_header(request) + "do:\n" + textwrap.indent(items, "  ")
    return textwrap.indent(items, " " * insertion.indent)


# -- GitHub Actions: plans and job entries --------------------------------------------------

#: job keys that tell a job body from any other mapping
_JOB_KEYS = frozenset({"runs-on", "steps", "uses"})

#: actions a plan may use besides those of the document and similar specs (only those the
#: catalog knows to need no input: a planned step carries no ``with:``)
DEFAULT_ACTIONS = (
    "actions/checkout@v4",
    "actions/setup-node@v4",
    "actions/setup-python@v5",
    "actions/setup-go@v5",
    "actions/setup-dotnet@v4",
    "actions/download-artifact@v4",
    "docker/setup-buildx-action@v3",
    "docker/login-action@v3",
    "docker/build-push-action@v6",
    "codecov/codecov-action@v5",
)


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """One step of a planned job: an action (``uses``) or a shell command (``run``)."""

    name: str
    uses: str = ""
    run: str = ""


@dataclass(frozen=True, slots=True)
class PlannedJob:
    """One job of a GitHub Actions plan."""

    id: str
    needs: tuple[str, ...] = ()
    steps: tuple[PlannedStep, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    """A GitHub Actions plan: new jobs and, for a whole workflow, the events it starts on."""

    jobs: tuple[PlannedJob, ...] = ()
    on: tuple[str, ...] = ()


def _job_id(raw: str) -> str:
    out = re.sub(r"[^a-z0-9_-]+", "-", raw.strip().lower()).strip("-_")
    if out and not out[0].isalpha():
        out = "job-" + out
    return out[:40].rstrip("-_")


_NOT_AN_ID = frozenset(
    "a an the and or of to for then with when it that on in at by from into after before once "
    "job jobs workflow step steps new add also please every each".split()
)


def suggested_job_id(request: str, taken: Sequence[str] = ()) -> str:
    """A job id from the first content words of ``request`` (not a taken id): a hint that keeps
    small models from copying ids out of the prompt."""
    skip = _NOT_AN_ID | {t.lower() for t in taken}
    words = [w for w in re.findall(r"[a-z0-9]+", request.lower()) if w not in skip]
    jid = _job_id("-".join(words[:3])) or "new-job"
    n, out = 2, jid
    while out in {t.lower() for t in taken}:
        out, n = f"{jid}-{n}", n + 1
    return out


def plan_actions(vocab: Vocabulary) -> list[str]:
    """The actions a plan may use: those in use (document and similar specs) that need no
    input, then :data:`DEFAULT_ACTIONS`."""
    out: list[str] = []
    for uses in list(vocab.actions) + list(DEFAULT_ACTIONS):
        ref = catalog.parse_uses(uses)
        if ref.kind != "remote" or uses in out:
            continue
        known = catalog.lookup(ref)
        if known is not None and known.required_inputs(ref.major):
            continue
        out.append(uses)
    return out[:24]


def parse_plan(data: Any, actions: Sequence[str] = ()) -> Plan:
    """A plan from a GitHub Actions outline answer (tolerant: ids are normalized, repeated jobs
    and steps dropped, an action outside ``actions`` (when given) or an unknown event left out)."""
    if not isinstance(data, dict):
        return Plan()
    events = data.get("on")
    if isinstance(events, str):
        events = [events]
    on = (
        tuple(dict.fromkeys(e for e in events if e in prompts.GITHUB_EVENTS))
        if isinstance(events, list)
        else ()
    )
    jobs: list[PlannedJob] = []
    raw_jobs = data.get("jobs")
    for item in raw_jobs[:3] if isinstance(raw_jobs, list) else []:
        if not isinstance(item, dict):
            continue
        jid = _job_id(str(item.get("id", "")))
        if not jid or any(j.id == jid for j in jobs):
            continue
        needs = item.get("needs")
        if isinstance(needs, str):
            needs = [needs]
        need_ids = tuple(
            dict.fromkeys(n for n in (_job_id(str(x)) for x in needs or [] if isinstance(x, str)) if n)
        )
        steps: list[PlannedStep] = []
        raw_steps = item.get("steps")
        for st in raw_steps[:6] if isinstance(raw_steps, list) else []:
            if not isinstance(st, dict):
                continue
            name = " ".join(str(st.get("name") or "").split())[:60]
            uses = str(st.get("uses") or "").strip()
            if uses and (catalog.parse_uses(uses).kind != "remote" or (actions and uses not in actions)):
                uses = ""
            run = str(st.get("run") or "").strip()[:200]
            # a step runs an action or a command: both given make two steps; and each action or
            # command comes once per job (small models repeat a step under new names)
            parts = (
                [PlannedStep(name, uses), PlannedStep(name, "", run)]
                if uses and run
                else [PlannedStep(name, uses, run)]
            )
            for step in parts:
                key = step.uses or step.run or step.name
                if key and all(key != (o.uses or o.run or o.name) for o in steps):
                    steps.append(step)
        jobs.append(PlannedJob(jid, need_ids, tuple(steps)))
    return Plan(tuple(jobs), on)


def salvage_json(text: str) -> Any | None:
    """The longest prefix of the JSON object in ``text`` that parses once its open brackets
    are closed, cut after a complete ``}`` (for an answer cut off mid-way). None without one."""
    start = text.find("{")
    if start < 0:
        return None
    stack: list[str] = []
    cuts: list[tuple[int, str]] = []  # (offset after a "}", the closers still needed there)
    in_str = esc = False
    for i in range(start, min(len(text), start + 20_000)):
        ch = text[i]
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
            continue
        if ch == '"':
            in_str = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]":
            if not stack or stack.pop() != ch:
                break
            if not stack:
                cuts.append((i + 1, ""))
                break
            if ch == "}":
                cuts.append((i + 1, "".join(reversed(stack))))
    for end, closers in reversed(cuts):
        try:
            return json.loads(text[start:end] + closers)
        except ValueError:
            continue
    return None


def _planned_step(step: PlannedStep) -> dict[str, Any]:
    out: dict[str, Any] = {"name": step.name} if step.name else {}
    if step.uses:
        out["uses"] = step.uses
    else:
        out["run"] = step.run or "echo " + (re.sub(r"[^\w .,-]+", "", step.name).strip() or "step")
    return out


def render_jobs(plan: Plan, taken: Sequence[str] = ()) -> str:
    """Job entries (at indent 0) for the plan: ids made unique against ``taken`` (the jobs
    already there), ``needs`` kept only for existing jobs and jobs earlier in the plan."""
    existing = {t.lower(): t for t in taken}
    used = set(existing)
    renamed: dict[str, str] = {}
    out: list[str] = []
    for job in plan.jobs:
        jid, n = job.id, 2
        while jid.lower() in used:
            jid, n = f"{job.id}-{n}", n + 1
        used.add(jid.lower())
        needs: list[str] = []
        for need in job.needs:
            target = existing.get(need.lower()) or renamed.get(need)
            if target and target not in needs:
                needs.append(target)
        renamed.setdefault(job.id, jid)
        body: dict[str, Any] = {}
        if needs:
            body["needs"] = needs[0] if len(needs) == 1 else needs
        body["runs-on"] = "ubuntu-latest"
        body["steps"] = [_planned_step(st) for st in job.steps] or [{"run": f"echo {jid}"}]
        out.append(dump_yaml({jid: body}))
    return "".join(out)


_EVENT_BODIES: dict[str, Any] = {
    "push": {"branches": ["main"]},
    "pull_request": {"branches": ["main"]},
    "workflow_dispatch": {},
    "schedule": [{"cron": "0 3 * * *"}],
    "release": {"types": ["published"]},
}


def render_github_workflow(plan: Plan, request: str) -> str:
    """A whole GitHub Actions workflow for the plan."""
    events = {e: _EVENT_BODIES[e] for e in plan.on or ("push",)}
    return (
        f"name: {_slug(request)}\non:\n"
        + dump_yaml(events, 2)
        + "jobs:\n"
        + textwrap.indent(render_jobs(plan), "  ")
    )


def plan_of(text: str) -> dict[str, Any]:
    """A GitHub Actions workflow as a plan answer (for the worked example of the prompt): its
    events, its first two jobs and their first three steps."""
    root = parse(text).root
    if not isinstance(root, MapNode):
        return {}
    on = root.get("on")
    events = (
        [k.value for k, _ in on.items()]
        if isinstance(on, MapNode)
        else [on.value]
        if isinstance(on, ScalarNode)
        else [x.value for x in on.items if isinstance(x, ScalarNode)]
        if isinstance(on, SeqNode)
        else []
    )
    jobs = root.get("jobs")
    planned: list[dict[str, Any]] = []
    for key, body in jobs.items() if isinstance(jobs, MapNode) else []:
        if not isinstance(body, MapNode):
            continue
        needs = body.get("needs")
        need_ids = (
            [needs.value]
            if isinstance(needs, ScalarNode)
            else [x.value for x in needs.items if isinstance(x, ScalarNode)]
            if isinstance(needs, SeqNode)
            else []
        )
        steps: list[dict[str, str]] = []
        seq = body.get("steps")
        for st in seq.items if isinstance(seq, SeqNode) else []:
            uses = scalar_str(st.get("uses")) or "" if isinstance(st, MapNode) else ""
            if not isinstance(st, MapNode) or (uses and catalog.parse_uses(uses).kind != "remote"):
                continue  # a local action is nothing a plan may use
            if len(steps) == 3:
                break
            run = (scalar_str(st.get("run")) or "").strip().split("\n")[0]
            if "${{" in run or len(run) > 60:
                continue  # the example stays short and free of expressions cut in half
            steps.append({"name": scalar_str(st.get("name")) or "", "uses": uses, "run": run})
        if steps:
            planned.append({"id": key.value, "needs": need_ids, "steps": steps})
        if len(planned) == 2:
            break
    if not planned:
        return {}
    return {"on": [e for e in events if e in prompts.GITHUB_EVENTS], "jobs": planned}


def _looks_like_job(node: Node | None) -> bool:
    return isinstance(node, MapNode) and not node.flow and any(k in node for k in _JOB_KEYS)


def _github_jobs_text(text: str, root: Node, request: str) -> str | None:
    """The job entries (``id:`` at indent 0) in a model's YAML: the ``jobs:`` map of a whole
    workflow, a mapping of job ids, a list of ``- id:`` items, or one job body without its id
    (named after the request). None when it holds no job."""
    if isinstance(root, MapNode) and not root.flow:
        jobs = root.get("jobs")
        if isinstance(jobs, MapNode) and not jobs.flow and jobs.pairs:
            return textwrap.dedent(_node_lines(text, jobs)).strip("\n") + "\n"
        if "jobs" in root:
            return None
        if _looks_like_job(root):
            body = textwrap.dedent(_node_lines(text, root)).strip("\n") + "\n"
            return f"{_job_id(_slug(request)) or 'job'}:\n" + textwrap.indent(body, "  ")
        if root.pairs and all(_looks_like_job(v) for _, v in root.pairs):
            return textwrap.dedent(_node_lines(text, root)).strip("\n") + "\n"
        return None
    if isinstance(root, SeqNode) and not root.flow and root.items:
        parts: list[str] = []
        for item in root.items:
            if not (isinstance(item, MapNode) and len(item.pairs) == 1 and _looks_like_job(item.pairs[0][1])):
                return None
            lines = _node_lines(text, item).splitlines(keepends=True)
            dash = lines[0].find("-")
            if dash < 0:
                return None
            lines[0] = lines[0][:dash] + " " + lines[0][dash + 1 :]
            parts.append(textwrap.dedent("".join(lines)).strip("\n") + "\n")
        return "".join(parts)
    return None


def _job_ids(candidate: str) -> list[str]:
    """The top-level keys of shaped job entries."""
    root = parse(textwrap.dedent(candidate)).root
    return [k.value for k, _ in root.items()] if isinstance(root, MapNode) else []


# -- the loop -----------------------------------------------------------------------------


@dataclass
class GenerateResult:
    """What generation produced. ``ok`` only when ``edit`` validated."""

    ok: bool
    reason: str = ""
    edit: TextEdit | None = None
    text: str = ""  # the suggested text (what the edit inserts)
    document: str = ""  # the whole document with the edit applied
    rounds: int = 0
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency: float = 0.0
    source: str = ""  # "model" or "outline"
    history: list[str] = field(default_factory=list)  # why each rejected round was rejected
    error_kind: str = ""  # a ProviderError kind when the endpoint failed
    #: what the request states (extracted in code) and, for the last candidate that
    #: validated, which of it that candidate covers and how
    intent: list[planir.Item] = field(default_factory=list)
    coverage: list[Covered] = field(default_factory=list)

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def detail(self) -> str:
        """One line for a completion item's detail or a CLI summary."""
        if self.ok:
            how = {
                "outline": "from the model's plan",
                "intent": "from the plan of the request",
            }.get(self.source, f"in {self.rounds} round(s)")
            covers = f"; {coverage.summary(self.coverage)}" if self.intent else ""
            return f"validated {how}{covers}; {self.tokens} tokens, {self.latency:.1f} s"
        return f"no valid suggestion: {self.reason}"


def _context(text: str, insertion: Insertion, max_lines: int = 40, what: str = "tasks") -> str:
    if not text.strip() or insertion.whole_document:
        return ""
    lines = text[: insertion.start].splitlines()
    after = text[insertion.end :].splitlines()
    marker = " " * insertion.indent + f"# <<< the new {what} go here >>>"
    head = lines[-max_lines:]
    tail = after[: max_lines // 2]
    return "\n".join(head + [marker] + tail)


async def generate(
    provider: Provider,
    request: str,
    *,
    text: str = "",
    uri: str = "untitled:generated.sw.yaml",
    insertion: Insertion | None = None,
    dialect: str = "serverless",
    config: Config | None = None,
    index: SpecIndex | None = None,
    workspace: Path | None = None,
    version: object | None = None,
    max_rounds: int | None = None,
    examples: int | None = None,
    use_outline: bool = True,
    structured_fill: bool | None = None,
    prefer_outline: bool | None = None,
    progress: Progress | None = None,
    deadline: float | None = None,
) -> GenerateResult:
    """Generate validated tasks (GitHub Actions: jobs) or a whole document for ``request`` at
    ``insertion`` (default: the end of the ``do:`` list or ``jobs:`` map, or a whole document
    for a text without content).

    ``prefer_outline`` validates the skeleton rendered from the outline before asking for the
    fill-in, and offers it when it validates; by default it does for the embedded model, whose
    free-form YAML rarely validates and costs most of a minute per round on two cores.

    ``structured_fill`` asks for the YAML inside a schema-constrained JSON object; by default
    it does for remote endpoints and not for the embedded model, whose 135M parameters write
    YAML in a fenced block far better than YAML escaped inside a JSON string.

    ``deadline`` (a ``time.monotonic()`` instant) is the time budget: no model request runs past
    it; generation then ends with the outline when that validates, else with the reason.
    Validation runs in a worker thread, so an enormous answer never stalls the caller's loop.

    Never raises on model trouble: a :class:`ProviderError` becomes a result with
    ``error_kind`` set. ``asyncio.CancelledError`` propagates."""
    started = time.monotonic()
    rounds_limit = max_rounds or provider.settings.max_rounds
    if structured_fill is None:
        structured_fill = not provider.settings.embedded
    if insertion is None and any(_significant(ln) for ln in text.splitlines()):
        at_end = insertion_at_end_of_jobs if dialect == "github" else insertion_at_end_of_do
        insertion = at_end(text)
        if insertion is None:
            where = "jobs: map" if dialect == "github" else "do: list"
            return GenerateResult(False, f"the document has no top-level {where} to add to")
    insertion = insertion or empty_document()
    if not 0 <= insertion.start <= insertion.end <= len(text):
        return GenerateResult(False, "the insertion range lies outside the document")
    result = GenerateResult(False)
    if not can_validate(dialect):
        result.reason = (
            f"the {dialect} dialect cannot be validated by this version of wfspec, so nothing is offered"
        )
        return result
    github = dialect == "github"
    taken: tuple[str, ...] = ()
    if github and not insertion.whole_document:
        jm = jobs_map(text)
        if jm is None or not insertion_in_jobs(text, insertion):
            result.reason = (
                "GitHub Actions suggestions go into the top-level jobs: map, at the indentation of "
                "the job ids (between jobs or after the last one); steps are not generated"
            )
            return result
        taken = jm.ids
    original = await asyncio.to_thread(analyze, text, uri, config)

    def note(msg: str) -> None:
        if progress is not None:
            progress(msg)

    def account(c: Any) -> None:
        result.requests += 1
        result.prompt_tokens += c.prompt_tokens
        result.completion_tokens += c.completion_tokens

    note("retrieving vocabulary and similar specs")
    vocab = vocabulary_of(original)
    own = vocabulary_of(original)  # what the document declares: an insertion may use only that
    if index is None:
        index = cached_index(default_dirs(workspace), dialect=dialect)
    query = request + " " + " ".join(vocab.tasks[:20])
    # an example's names reach a suggestion only when the request names them
    vocab.merge(planned.named_only(index.relevant_vocabulary(query, k=3), request))
    intent = planned.facts(request, dialect, vocab)
    result.intent = list(intent.items)
    small = provider.settings.embedded  # a 4k context and a slow CPU: keep prompts short
    k = examples if examples is not None else (1 if small else 2)
    # the document itself (saved in the workspace) is no example: it is in the prompt already
    similar = [
        spec
        for _, spec in index.search(query, k=max(k, 1) + 1)
        if spec.text != text and spec.path.resolve().as_uri() != uri
    ][: max(k, 1)]
    shots = [excerpt(spec, 1000 if small else 1600) for spec in similar[:k]]
    # the embedded model reads the existing jobs from the vocabulary: a little context will do
    context = _context(text, insertion, 12 if github and small else 40, "jobs" if github else "tasks")
    vocab_text = vocab.render(dialect=dialect)

    before = await asyncio.to_thread(inventory, original)

    example_texts = [spec.text for spec in similar]
    # the request, the document and the names the plan of the request chose are this suggestion's own
    own_names = "\n".join(
        [request, text, *(s.name for s in intent.plan.walk()), *(j.id for j in intent.plan.jobs)]
    )
    after = (
        None
        if github or insertion.whole_document
        else planned.next_task(original, insertion.start, insertion.end, insertion.indent)
    )

    def rendered(plan: planir.Plan) -> str:
        return planned.render_at(
            plan,
            dialect,
            request,
            whole_document=insertion.whole_document,
            taken=taken if github else vocab.tasks,
            after=after,
            agents=vocab.agents,
            functions=list(own.functions),
            secrets=list(own.secrets),
        )

    def judge(answer: str) -> tuple[Verdict, str | None]:
        verdict, candidate = _try(answer, text, insertion, request, original, dialect, config, taken, before)
        if not verdict.ok or candidate is None:
            return verdict, candidate
        covered = planned.check_intent(intent, candidate, dialect)
        result.coverage = covered
        missing = coverage.feedback(covered)
        if missing:
            return Verdict(False, prompts.intent_feedback(missing)), candidate
        foreign = planned.foreign_names(candidate, dialect, example_texts, own_names)
        if foreign:
            return Verdict(
                False,
                "it uses names from an unrelated example ("
                + ", ".join(f'"{n}"' for n in foreign)
                + "); name the steps after what the request asks",
            ), candidate
        return verdict, candidate

    async def attempt(answer: str) -> tuple[Verdict, str | None]:
        return await asyncio.to_thread(judge, answer)

    async def ask_or_empty(what: str, messages: Sequence[Message], **kw: Any) -> Any:
        # an answer above the size limit counts as an empty one: the outline is a hint only
        try:
            return await ask(messages, **kw)
        except AnswerTooLarge as exc:
            result.history.append(f"{what}: {exc.message}")
            return Completion("")

    async def ask(messages: Sequence[Message], **kw: Any) -> Any:
        if deadline is None:
            return await provider.complete(messages, **kw)
        left = deadline - time.monotonic()
        if left <= 0:
            raise _OutOfTime
        try:
            async with asyncio.timeout(left):
                return await provider.complete(messages, **kw)
        except TimeoutError:
            raise _OutOfTime from None

    out_of_time = False

    skeleton = ""
    skeleton_tried = False
    proposed = planir.Plan()
    try:
        named = planned.action_steps(intent.plan)
        if use_outline and small and named:
            # a 135M model cannot write a tree of steps, but it can name the steps of one
            note("naming the steps")
            c = await ask_or_empty(
                "names",
                prompts.naming_messages(request, [_step_line(s) for s in named]),
                schema=planned.naming_schema(len(named)),
                schema_name="names",
                version=version,
                max_tokens=min(provider.settings.max_tokens, 16 * len(named) + 24),
            )
            account(c)
            names = planned.parse_names(extract_json(c.text), len(named))
            if any(names):
                proposed = planned.with_names(intent.plan, names)
                skeleton = await asyncio.to_thread(rendered, proposed)
        elif use_outline:
            note("planning the " + ("jobs" if github else "steps"))
            c = await ask_or_empty(
                "plan",
                prompts.plan_messages(
                    request,
                    [coverage.describe(i) for i in intent.items],
                    intent.plan.to_json(),
                    vocab_text,
                    context,
                ),
                schema=planir.plan_schema(dialect, depth=2 if small else 3),
                schema_name="plan",
                version=version,
                max_tokens=min(provider.settings.max_tokens, 600),
            )
            account(c)
            data = extract_json(c.text)
            if not isinstance(data, dict) or not (data.get("steps") or data.get("jobs")):
                data = salvage_json(c.text) or data  # an answer cut off at max_tokens
            proposed = planned.parse_answer(data)
            if not planned.is_empty(proposed):
                skeleton = await asyncio.to_thread(rendered, proposed)
        preferring = prefer_outline if prefer_outline is not None else provider.settings.embedded
        if skeleton and preferring:
            verdict, candidate = await attempt(skeleton)
            if verdict.ok and candidate is not None:
                return _accept(result, candidate, text, insertion, "outline", started)
            result.history.append("outline: " + verdict.reason)
            skeleton_tried = True
        if preferring and not planned.is_empty(intent.plan):
            # a model whose own YAML rarely validates: the plan of the request is the next best
            rounds_limit = 0
        base = prompts.fill_messages(
            request,
            vocab_text,
            context,
            shots,
            skeleton,
            whole_document=insertion.whole_document,
            structured=structured_fill,
            dialect=dialect,
        )
        messages: list[Message] = list(base)
        for rnd in range(1, rounds_limit + 1):
            result.rounds = rnd
            note(f"writing the {'jobs' if github else 'tasks'} (round {rnd} of {rounds_limit})")
            try:
                c = await ask(
                    messages,
                    schema=prompts.YAML_SCHEMA if structured_fill else None,
                    schema_name="tasks",
                    version=version,
                    max_tokens=min(provider.settings.max_tokens, 512) if small else None,
                )
            except AnswerTooLarge as exc:
                result.requests += 1
                why = exc.message + "; write only the new tasks (jobs) asked for"
                result.history.append(why)
                messages = list(base) + [prompts.feedback_message("", why)]
                continue
            account(c)
            verdict, candidate = await attempt(c.text)
            if verdict.ok and candidate is not None:
                return _accept(result, candidate, text, insertion, "model", started)
            result.history.append(verdict.reason)
            messages = list(base) + [
                {"role": "assistant", "content": c.text[:4000]},
                prompts.feedback_message(verdict.describe_added(), verdict.reason),
            ]
    except ProviderError as exc:
        result.error_kind = exc.kind
        result.reason = exc.message
        result.latency = time.monotonic() - started
        return result
    except _OutOfTime:
        out_of_time = True
    if skeleton and not skeleton_tried:
        verdict, candidate = await attempt(skeleton)
        if verdict.ok and candidate is not None:
            return _accept(result, candidate, text, insertion, "outline", started)
        result.history.append("outline: " + verdict.reason)
    # the plan built from the intent: with the model's names where they line up, then as it is
    if not planned.is_empty(intent.plan):
        fallbacks = [intent.plan]
        if not planned.is_empty(proposed):
            fallbacks.insert(0, planned.adopt_names(intent.plan, proposed))
        for plan in fallbacks:
            verdict, candidate = await attempt(await asyncio.to_thread(rendered, plan))
            if verdict.ok and candidate is not None:
                return _accept(result, candidate, text, insertion, "intent", started)
            result.history.append("intent: " + verdict.reason)
    result.latency = time.monotonic() - started
    last = result.history[-1] if result.history else "no answer"
    result.reason = f"no answer validated in {result.rounds} round(s) (last: {last})"
    if out_of_time:
        result.reason = (
            f"the model found no valid answer within the time budget ({result.latency:.0f} s, "
            f"{result.rounds} round(s) started; last: {last})"
        )
    return result


def _step_line(s: planir.Step) -> str:
    what = f"{s.kind} {s.target}".strip()
    return f"{s.name} ({what})" if s.name else what


class _OutOfTime(Exception):
    """The time budget of :func:`generate` ran out."""


def _try(
    answer: str,
    text: str,
    insertion: Insertion,
    request: str,
    original: Analysis,
    dialect: str,
    config: Config | None,
    taken: Sequence[str] = (),
    before: Inventory | None = None,
) -> tuple[Verdict, str | None]:
    if not answer.strip():
        return Verdict(False, "the answer was empty"), None
    yaml_text = extract_yaml(answer)
    if yaml_text is None:
        return Verdict(False, "the answer held no YAML"), None
    candidate = shape_candidate(yaml_text, insertion, request, dialect)
    if candidate is None:
        what = "jobs" if dialect == "github" else "tasks"
        return Verdict(False, f"the answer held no workflow {what}"), None
    if taken:
        existing = {t.lower() for t in taken}
        clash = [j for j in _job_ids(candidate) if j.lower() in existing]
        if clash:
            return Verdict(
                False,
                "the job id(s) "
                + ", ".join(f'"{j}"' for j in clash)
                + " already exist in this workflow (jobs: "
                + ", ".join(taken)
                + "); give the new jobs new ids",
            ), None
    if insertion.start == len(text) and text and not text.endswith("\n"):
        candidate = "\n" + candidate
    new_text = splice(text, insertion.start, insertion.end, candidate)
    verdict = check_insertion(
        original, new_text, dialect=dialect, config=config, at=(insertion.start, insertion.end), before=before
    )
    return verdict, candidate


def _accept(
    result: GenerateResult, candidate: str, text: str, insertion: Insertion, source: str, started: float
) -> GenerateResult:
    result.ok = True
    result.reason = ""
    result.source = source
    result.text = candidate
    result.edit = TextEdit(insertion.start, insertion.end, candidate)
    result.document = splice(text, insertion.start, insertion.end, candidate)
    result.latency = time.monotonic() - started
    return result
