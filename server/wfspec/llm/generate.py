"""Comment to workflow: retrieve, outline, fill in, validate, feed back, offer.

1. Retrieve: the workspace vocabulary (functions, agents, secrets, task names) and the specs
   most similar to the request (:mod:`wfspec.llm.retrieval`).
2. Outline: the model lists the steps as schema-constrained JSON (name, action, the vocabulary
   name it uses); :func:`render_outline` turns that into a skeleton of tasks.
3. Fill in: the model writes the YAML of the tasks from the skeleton, the examples and the
   vocabulary; :mod:`wfspec.llm.extract` pulls the YAML out of the answer.
4. Validate: the candidate is re-indented, spliced into a copy of the document at the
   server-chosen :class:`Insertion` and analyzed (:mod:`wfspec.llm.validate`); findings it adds
   go back to the model for another round, up to ``max_rounds``. When every round fails, the
   skeleton itself is validated as a last candidate.

Only a candidate that validates is offered; otherwise the result says why nothing was.
"""

from __future__ import annotations

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
from wfspec.fixes import TextEdit
from wfspec.llm import prompts
from wfspec.llm.extract import extract_json, extract_yaml
from wfspec.llm.provider import Message, Provider, ProviderError
from wfspec.llm.retrieval import SpecIndex, Vocabulary, cached_index, default_dirs, excerpt, vocabulary_of
from wfspec.llm.validate import Verdict, can_validate, check_insertion, splice
from wfspec.syntax.parse import parse
from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode

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
        return Insertion(start, len(text), 0, True, request)
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
    """The text to put in the insertion range, from the model's YAML: task items re-indented
    to the insertion's indentation, or a whole document. None when it holds no tasks."""
    doc = parse(yaml_text)
    if doc.has_syntax_error or doc.root is None:
        return None
    text = doc.text
    root = doc.root
    if dialect == "github":
        if not insertion.whole_document or not isinstance(root, MapNode) or "jobs" not in root:
            return None
        body = textwrap.dedent(text).strip("\n") + "\n"
        return body if "on" in root else "on:\n  workflow_dispatch: {}\n" + body
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

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def detail(self) -> str:
        """One line for a completion item's detail or a CLI summary."""
        if self.ok:
            how = "from the outline" if self.source == "outline" else f"in {self.rounds} round(s)"
            return f"validated {how}; {self.tokens} tokens, {self.latency:.1f} s"
        return f"no valid suggestion: {self.reason}"


def _context(text: str, insertion: Insertion, max_lines: int = 40) -> str:
    if not text.strip() or insertion.whole_document:
        return ""
    lines = text[: insertion.start].splitlines()
    after = text[insertion.end :].splitlines()
    marker = " " * insertion.indent + "# <<< the new tasks go here >>>"
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
) -> GenerateResult:
    """Generate validated tasks (or a whole document) for ``request`` at ``insertion``.

    ``prefer_outline`` validates the skeleton rendered from the outline before asking for the
    fill-in, and offers it when it validates; by default it does for the embedded model, whose
    free-form YAML rarely validates and costs most of a minute per round on two cores.

    ``structured_fill`` asks for the YAML inside a schema-constrained JSON object; by default
    it does for remote endpoints and not for the embedded model, whose 135M parameters write
    YAML in a fenced block far better than YAML escaped inside a JSON string.

    Never raises on model trouble: a :class:`ProviderError` becomes a result with
    ``error_kind`` set. ``asyncio.CancelledError`` propagates."""
    started = time.monotonic()
    rounds_limit = max_rounds or provider.settings.max_rounds
    if structured_fill is None:
        structured_fill = not provider.settings.embedded
    insertion = insertion or (insertion_at_end_of_do(text) if text.strip() else None) or empty_document()
    if not 0 <= insertion.start <= insertion.end <= len(text):
        return GenerateResult(False, "the insertion range lies outside the document")
    result = GenerateResult(False)
    if not can_validate(dialect):
        result.reason = (
            f"the {dialect} dialect cannot be validated by this version of wfspec, so nothing is offered"
        )
        return result
    if dialect == "github":
        use_outline = False  # the outline's actions are Serverless Workflow task kinds
        if not insertion.whole_document:
            result.reason = "generation into an existing GitHub Actions workflow is not supported yet"
            return result
    original = analyze(text, uri, config)

    def note(msg: str) -> None:
        if progress is not None:
            progress(msg)

    def account(c: Any) -> None:
        result.requests += 1
        result.prompt_tokens += c.prompt_tokens
        result.completion_tokens += c.completion_tokens

    note("retrieving vocabulary and similar specs")
    vocab = vocabulary_of(original)
    if index is None:
        index = cached_index(default_dirs(workspace), dialect=dialect)
    query = request + " " + " ".join(vocab.tasks[:20])
    vocab.merge(index.relevant_vocabulary(query, k=3))
    small = provider.settings.embedded  # a 4k context and a slow CPU: keep prompts short
    k = examples if examples is not None else (1 if small else 2)
    similar = [spec for _, spec in index.search(query, k=max(k, 1))]
    shots = [excerpt(spec, 1000 if small else 1600) for spec in similar[:k]]
    with_outline = [spec for spec in similar if spec.outline]
    example = (
        prompts.outline_example(with_outline[0].summary, with_outline[0].outline) if with_outline else ""
    )
    context = _context(text, insertion)
    vocab_text = vocab.render()

    skeleton = ""
    skeleton_tried = False
    try:
        if use_outline:
            note("outlining the steps")
            c = await provider.complete(
                prompts.outline_messages(request, vocab_text, context, example),
                schema=prompts.outline_schema(vocab.names()),
                schema_name="outline",
                version=version,
                max_tokens=min(provider.settings.max_tokens, 300),
            )
            account(c)
            steps = parse_outline(extract_json(c.text))
            if steps:
                skeleton = render_outline(steps, vocab, vocab.tasks)
        if skeleton and (prefer_outline if prefer_outline is not None else provider.settings.embedded):
            verdict, candidate = _try(skeleton, text, insertion, request, original, dialect, config)
            if verdict.ok and candidate is not None:
                return _accept(result, candidate, text, insertion, "outline", started)
            result.history.append("outline: " + verdict.reason)
            skeleton_tried = True
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
            note(f"writing the tasks (round {rnd} of {rounds_limit})")
            c = await provider.complete(
                messages,
                schema=prompts.YAML_SCHEMA if structured_fill else None,
                schema_name="tasks",
                version=version,
                max_tokens=min(provider.settings.max_tokens, 512) if small else None,
            )
            account(c)
            verdict, candidate = _try(c.text, text, insertion, request, original, dialect, config)
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
    if skeleton and not skeleton_tried:
        verdict, candidate = _try(skeleton, text, insertion, request, original, dialect, config)
        if verdict.ok and candidate is not None:
            return _accept(result, candidate, text, insertion, "outline", started)
        result.history.append("outline: " + verdict.reason)
    result.latency = time.monotonic() - started
    last = result.history[-1] if result.history else "no answer"
    result.reason = f"no answer validated in {result.rounds} round(s) (last: {last})"
    return result


def _try(
    answer: str,
    text: str,
    insertion: Insertion,
    request: str,
    original: Analysis,
    dialect: str,
    config: Config | None,
) -> tuple[Verdict, str | None]:
    if not answer.strip():
        return Verdict(False, "the answer was empty"), None
    yaml_text = extract_yaml(answer)
    if yaml_text is None:
        return Verdict(False, "the answer held no YAML"), None
    candidate = shape_candidate(yaml_text, insertion, request, dialect)
    if candidate is None:
        return Verdict(False, "the answer held no workflow tasks"), None
    if insertion.start == len(text) and text and not text.endswith("\n"):
        candidate = "\n" + candidate
    new_text = splice(text, insertion.start, insertion.end, candidate)
    return check_insertion(original, new_text, dialect=dialect, config=config), candidate


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
