"""Deterministic plan -> YAML: one renderer per dialect for a :class:`wfspec.llm.plan.Plan`.

Serverless Workflow (:func:`render_tasks`, :func:`render_serverless_document`): every action
kind becomes one task (``call: a2a``, ``call: mcp``, ``call: http``, a declared function,
``run:``, ``set``, ``wait``, ``listen``, ``emit``, ``raise``); control flow becomes the DSL's
own shapes, laid out so that nothing falls through by accident:

- ``branch``: a ``switch`` with one case per :class:`~wfspec.llm.plan.Case` (and a default
  that goes on when the plan has none); each case jumps to its own task (a single action) or
  ``do:`` block, which jumps (``then:``) to the continuation, so cases never run into each other.
- ``foreach``: ``for: {each, in}`` with a ``do:`` body.
- ``loop``: the body as a ``do:`` block, then a switch that goes back to it while the exit
  condition does not hold, and on otherwise.
- ``parallel``: ``fork: branches`` (one task or ``do:`` block per branch).
- ``try``: ``try:`` with ``catch:``, its ``retry`` (attempt limit, backoff) and the fallback
  ``do:``.

Conditions written as phrases become jq (:func:`condition`): "the amount is over 500" ->
``.amount > 500``, "billing issues" -> ``.category == "billing"``, otherwise a boolean field
named after the phrase. GitHub Actions (:func:`render_github_jobs`,
:func:`render_github_workflow`): triggers, jobs with ``needs``, ``if``, ``matrix``,
``environment``, ``permissions``, ``outputs`` and steps that use an action or run a command.

A list ends at its first step that always ends the flow (:func:`terminates`, :func:`reachable`):
what a plan puts after an unguarded ``raise`` could never run. A case whose steps end that way
still names the continuation in ``then:`` (dead, but :mod:`wfspec.llm.lift` reads the layout
from it). GitHub Actions values keep only ``${{ }}`` expressions known to be valid where they
stand (matrix axes of the job, ``secrets``, ``vars``, a few ``github`` fields; in commands only
matrix axes); the others are defanged.

Names are sanitized (camelCase tasks, kebab-case job ids) and never reuse a taken one. The
output is plain block YAML from :func:`dump_yaml`, which quotes every scalar that could read
as anything but the string it is.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

from wfspec.analysis.rules.event import ACTIVITY_TYPES
from wfspec.dialects.github import catalog
from wfspec.dialects.serverless import jq
from wfspec.llm.plan import ACTIONS, Case, Job, Plan, Step, Trigger, walk

#: flow directives of Serverless Workflow: never a task name
_DIRECTIVES = frozenset({"end", "exit", "continue"})
_JQ_KEYWORDS = frozenset(
    "and or not if then elif else end as def reduce foreach try catch label import include "
    "__loc__ true false null".split()
)
_POST = re.compile(
    r"^(send|notify|create|post|submit|update|open|file|add|book|reply|page|alert|publish|push|"
    r"charge|pay|refund|register|upload|write|save|store|assign|escalate|report|log|record|"
    r"enqueue|trigger|start|cancel|delete|remove|approve|reject)"
)

DSL_VERSION = "1.0.3"

# -- YAML ---------------------------------------------------------------------------------------

_PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./@:+-]*$")
_SPECIAL = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"})


def _printable(cp: int) -> bool:
    return (
        cp in (0x09, 0x85)
        or 0x20 <= cp <= 0x7E
        or 0xA0 <= cp <= 0xD7FF
        or 0xE000 <= cp <= 0xFFFD
        and cp != 0xFEFF
        or cp >= 0x10000
    )


def _quote(s: str) -> str:
    out = ['"']
    for ch in s:
        cp = ord(ch)
        if 0xD800 <= cp <= 0xDFFF:
            continue  # a lone surrogate is no character
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif _printable(cp) and cp != 0x85:
            out.append(ch)
        elif cp <= 0xFF:
            out.append(f"\\x{cp:02x}")
        elif cp <= 0xFFFF:
            out.append(f"\\u{cp:04x}")
        else:
            out.append(f"\\U{cp:08x}")
    return "".join(out) + '"'


def _scalar(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v) if v == v and v not in (float("inf"), float("-inf")) else _quote(str(v))
    s = str(v)
    if s.startswith("${") and "\n" not in s and all(_printable(ord(c)) and c != "\t" for c in s):
        return "'" + s.replace("'", "''") + "'"
    if _PLAIN.match(s) and s.lower() not in _SPECIAL and not s.endswith(":"):
        return s
    return _quote(s)


def dump_yaml(value: Any, indent: int = 0) -> str:
    """Deterministic block-style YAML for plain data (dicts, lists, scalars)."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return f"{pad}{{}}\n"
        out = []
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{_scalar(k)}:\n{dump_yaml(v, indent + 2)}")
            else:
                out.append(
                    f"{pad}{_scalar(k)}: {'{}' if isinstance(v, dict) else '[]' if isinstance(v, list) else _scalar(v)}\n"
                )
        return "".join(out)
    if isinstance(value, list):
        if not value:
            return f"{pad}[]\n"
        out = []
        for item in value:
            if isinstance(item, (dict, list)) and item:
                inner = dump_yaml(item, indent + 2)
                out.append(f"{pad}- {inner[indent + 2 :]}")
            else:
                out.append(f"{pad}- {dump_yaml(item).strip()}\n")
        return "".join(out)
    return f"{pad}{_scalar(value)}\n"


# -- names --------------------------------------------------------------------------------


def _words(raw: str) -> list[str]:
    text = unicodedata.normalize("NFKD", raw)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.findall(r"[A-Za-z0-9]+", text)


def camel(raw: str, fallback: str = "task") -> str:
    """A camelCase task name from any text (ASCII letters and digits; ``fallback`` when none)."""
    words = _words(raw)
    if not words:
        words = _words(fallback) or ["task"]
    out = words[0][0].lower() + words[0][1:] + "".join(w[0].upper() + w[1:] for w in words[1:])
    if not out[0].isalpha():
        out = "step" + out
    out = out[:40]
    if out.lower() in _DIRECTIVES:
        out += "Task"
    return out


def kebab(raw: str, fallback: str = "job") -> str:
    """A kebab-case id from any text (starts with a letter; ``fallback`` when empty)."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", " ".join(_words(raw)))
    out = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not out:
        out = re.sub(r"[^a-z0-9]+", "-", fallback.lower()).strip("-") or "job"
    if not out[0].isalpha():
        out = "job-" + out
    return out[:40].rstrip("-")


class _Names:
    """Unique names (compared case-insensitively) against the taken ones."""

    def __init__(self, taken: Collection[str] = ()) -> None:
        self.used = {t.lower() for t in taken}

    def fresh(self, base: str, sep: str = "") -> str:
        name, n = base, 2
        while name.lower() in self.used or name.lower() in _DIRECTIVES:
            name, n = f"{base}{sep}{n}", n + 1
        self.used.add(name.lower())
        return name


# -- phrases -> expressions and values --------------------------------------------------------

_NUMBER = r"(-?\d+(?:\.\d+)?)"
_COMPARE = [
    (
        r"(?:is\s+|are\s+)?(?:over|above|more than|greater than|larger than|higher than|longer than|bigger than|"
        r"older than|heavier than|exceeds|>)",
        ">",
    ),
    (
        r"(?:is\s+|are\s+)?(?:under|below|less than|smaller than|lower than|shorter than|fewer than|"
        r"younger than|lighter than|<)",
        "<",
    ),
    (r"(?:is\s+)?(?:at least|>=)", ">="),
    (r"(?:is\s+)?(?:at most|<=)", "<="),
    (r"(?:is not|isn't|!=)", "!="),
    (r"(?:is|equals|==|=)", "=="),
]
_CURRENCY_WORDS = frozenset("dollars euros pounds usd eur gbp yen percent k m".split())
_FILLER = {"the", "a", "an", "its", "their", "his", "her", "of", "if", "when", "whether", "it"}
_CATEGORY_NOUNS = (
    "issues?|tickets?|requests?|questions?|problems?|cases?|orders?|messages?|emails?|items?|"
    "errors?|complaints?|inquiries|enquiries|inquiry|enquiry|ones?|leads?|customers?|users?|accounts?|deals?|"
    "invoices?|payments?|alerts?|incidents?|bugs?|claims?|applications?|applicants?|documents?|files?"
)


def _field(words: Sequence[str]) -> str:
    words = [w for w in words if w.lower() not in _FILLER]
    name = camel(" ".join(words), "value")
    if name.lower() in _JQ_KEYWORDS:
        name += "Value"
    return name


def _literal(raw: str) -> str:
    raw = raw.strip().strip("\"'").strip()
    if re.fullmatch(_NUMBER, raw):
        return raw
    if raw.lower() in ("true", "false", "null"):
        return raw.lower()
    word = " ".join(_words(raw)).lower()
    return '"' + (word or "value") + '"'


def condition(phrase: str) -> str:
    """A jq expression (inside ``${ }``) for a condition phrase; a phrase that is jq already
    (``${ .x > 1 }`` or ``.x > 1``) stays as it is."""
    text = phrase.strip()
    if text.startswith("${") and text.endswith("}"):
        inner = text[2:-1].strip()
        if inner and jq.check(inner) is None:
            return inner
    if text.startswith(".") and jq.check(text) is None:
        return text
    low = " ".join(text.lower().split()).rstrip(".?!")
    low = re.sub(r"^(?:if|when|whether|in case|unless)\s+", "", low)
    m = re.fullmatch(
        r"(?:nothing|no (\w+)|none)(?:\s+(?:is|are|was|were|gets?))?\s+(?:found|returned|matched|comes? back|came back)"
        r"|(?:it|the search|the lookup|the query)\s+(?:finds|found|returns|returned)\s+(?:nothing|no (\w+))",
        low,
    )
    if m:
        # "nothing is found", "no results come back": an empty result list
        what = m.group(1) or m.group(2) or "results"
        return f"((.{_field([what])} // []) | length) == 0"
    m = re.match(rf"^(.+?)\s+(?:is\s+|are\s+)?between\s+\$?{_NUMBER}\s+and\s+\$?{_NUMBER}\b", low)
    if m and _words(m.group(1)):
        # "the score is between 50 and 80": both bounds, inclusive
        f = _field(_words(m.group(1)))
        return f".{f} >= {m.group(2)} and .{f} <= {m.group(3)}"
    for pattern, op in _COMPARE:
        m = re.match(rf"^(.+?)\s+{pattern}\s+(.+)$", low)
        if m and _words(m.group(1)):
            left, right = m.group(1), m.group(2)
            num = re.match(rf"^\$?{_NUMBER}\b", right)
            if num:
                # "longer than 10 pages": the measure is part of the field (.documentPages)
                unit = re.match(rf"^\$?{_NUMBER}\s+([a-z]+)$", right)
                measure = [unit.group(2)] if unit and unit.group(2) not in _CURRENCY_WORDS else []
                return f".{_field([*_words(left), *measure])} {op} {num.group(1)}"
            if op in (">", "<", ">=", "<="):
                continue
            return f".{_field(_words(left))} {op} {_literal(right)}"
    m = re.match(rf"^(?:for\s+)?(?:the\s+)?(.+?)\s+(?:{_CATEGORY_NOUNS})$", low)
    if m and _words(m.group(1)) and len(_words(m.group(1))) <= 2:
        return f'.category == "{" ".join(_words(m.group(1))).lower()}"'
    return "." + _field(_words(low) or ["condition"])


def collection(phrase: str) -> str:
    """A jq path for what a for-each goes over: "line items" -> ``.lineItems`` (a phrase that is
    jq already stays as it is)."""
    text = phrase.strip()
    if text.startswith(("${", ".")):
        return condition(text)
    words = _words(text) or ["items"]
    return "." + _field([*words[:-1], _plural(words[-1])])


def _plural(word: str) -> str:
    """The plural of a noun ("address" -> "addresses", "entry" -> "entries"); a plural stays."""
    w = word.lower()
    if re.search(r"(?<![su])s$", w) or w.endswith(("data", "people", "children", "media")):
        return word
    if re.search(r"[^aeiou]y$", w):
        return word[:-1] + "ies"
    if re.search(r"(?:s|x|z|ch|sh)$", w):
        return word + "es"
    return word + "s"


def duration(phrase: str) -> str:
    """An ISO 8601 duration for a duration or a phrase ("an hour", "15 minutes"); PT1M when
    none can be read."""
    text = phrase.strip().upper()
    if re.fullmatch(r"P(?=\d|T\d)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?", text):
        return text
    low = phrase.lower()
    units = {"second": "S", "sec": "S", "minute": "M", "min": "M", "hour": "H", "day": "D", "week": "W"}
    m = re.search(
        r"(\d+|an?|one|two|three|five|ten|fifteen|thirty)\s*(second|sec|minute|min|hour|day|week)", low
    )
    if not m:
        return "PT1M"
    words = {
        "a": 1,
        "an": 1,
        "one": 1,
        "two": 2,
        "three": 3,
        "five": 5,
        "ten": 10,
        "fifteen": 15,
        "thirty": 30,
    }
    n = int(m.group(1)) if m.group(1).isdigit() else words[m.group(1)]
    unit = units[m.group(2)]
    return f"P{n}{unit}" if unit in "DW" else f"PT{n}{unit}"


_CRON_FIELD = re.compile(r"^[0-9*/,\-]+$")


def _cron(expr: str) -> str:
    parts = expr.split()
    return " ".join(parts) if len(parts) == 5 and all(_CRON_FIELD.match(p) for p in parts) else ""


def _event_type(target: str, name: str) -> str:
    t = target.strip()
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+", t):
        return t
    return "com.example." + kebab(t or name, "event").replace("-", ".")


def _is_url(s: str) -> bool:
    return bool(re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?(/[A-Za-z0-9._~%/:@+-]*)?", s.strip()))


def agent_card(target: str, name: str, agents: Mapping[str, str] | None = None) -> str:
    """The agent card URL of an agent step: the workspace's, the target itself, or one on
    agents.example.com named after the agent."""
    agents = agents or {}
    t = target.strip()
    if t in agents:
        return agents[t]
    low = {k.lower(): v for k, v in agents.items()}
    if t.lower() in low:
        return low[t.lower()]
    if _is_url(t):
        return t
    slug = kebab(re.sub(r"\bagent\b", "", t, flags=re.I) or name, "agent")
    return f"https://agents.example.com/{slug}/.well-known/agent-card.json"


#: keys the analyzer reads as conditions wherever they stand (even in ``set:`` data)
_CONDITION_KEYS = frozenset({"if", "while", "until"})


def _data_key(k: Any) -> str:
    key = camel(str(k), "value")
    return key + "Value" if key in _CONDITION_KEYS else key


def _set_value(v: Any, depth: int = 0) -> Any:
    """A value safe to write under ``set``: scalars, lists and maps of them; strings with an
    invalid ``${ }`` lose the braces."""
    if depth > 4:
        return None
    if isinstance(v, bool) or v is None or isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        s = v.strip()
        if s.startswith("${") and s.endswith("}") and jq.check(s[2:-1].strip() or "x y") is None:
            return s
        return v.replace("${", "$ {")
    if isinstance(v, list):
        return [_set_value(x, depth + 1) for x in v[:20]]
    if isinstance(v, dict):
        return {_data_key(k): _set_value(x, depth + 1) for k, x in list(v.items())[:20]}
    return str(v)


# -- Serverless Workflow ----------------------------------------------------------------------


def terminates(steps: Sequence[Step]) -> bool:
    """Whether running ``steps`` always ends the flow: an unguarded ``raise``, a branch with a
    default whose every case does, parallel branches that all do, a loop whose body does, a
    try whose body and catch steps both do."""
    return any(_terminal(s) for s in steps)


def _terminal(s: Step) -> bool:
    if s.when.strip():
        return False
    if s.kind == "raise":
        return True
    if s.kind == "branch":
        default = next((c for c in s.cases if not c.when.strip()), None)  # the first one counts
        cases = [c for c in s.cases if c.when.strip()]
        return default is not None and all(terminates(c.steps) for c in [*cases, default])
    if s.kind == "parallel":
        branches = [b for b in s.branches if b]
        return bool(branches) and all(terminates(b) for b in branches)
    if s.kind == "loop":
        return terminates(s.steps)
    if s.kind == "try":
        return terminates(s.steps) and terminates(s.catch)
    return False


def reachable(steps: Sequence[Step]) -> list[Step]:
    """``steps`` as the Serverless Workflow renderer lays them out: each list ends at its first
    step that ends the flow (:func:`terminates`; what follows could never run), and a loop whose
    body always ends the flow runs once (its body takes its place)."""
    out: list[Step] = []
    for s in steps:
        if s.kind == "loop" and not s.when.strip() and terminates(s.steps):
            out.extend(reachable(s.steps))
            return out
        t = replace(
            s,
            steps=reachable(s.steps),
            cases=[Case(c.when, reachable(c.steps)) for c in s.cases],
            branches=[reachable(b) for b in s.branches],
            catch=reachable(s.catch),
        )
        out.append(t)
        if _terminal(t):
            return out
    return out


class _Serverless:
    def __init__(
        self,
        names: _Names,
        agents: Mapping[str, str] | None,
        functions: Collection[str],
        secrets: Collection[str] = (),
    ) -> None:
        self.names = names
        self.agents = agents or {}
        self.functions = {f.lower(): f for f in functions}
        self.secrets = {x.lower(): x for x in secrets}

    def base_name(self, step: Step) -> str:
        if step.name:
            return camel(step.name, step.kind)
        fallback = {
            "agent": "ask " + (step.target or "agent"),
            "branch": "decide",
            "foreach": "for each " + (step.each or "item"),
            "loop": "repeat",
            "parallel": "in parallel",
            "try": "attempt",
        }.get(step.kind, step.kind + " " + step.target)
        return camel(fallback, step.kind)

    def tasks(self, steps: Sequence[Step], cont: str) -> list[dict[str, Any]]:
        """Task items for ``steps`` (:func:`reachable` ones); ``cont`` is where the flow goes
        after the last one (a task name after this list in the same scope, or ``exit``)."""
        steps = reachable(steps)
        heads = [self.names.fresh(self.base_name(s)) for s in steps]
        out: list[dict[str, Any]] = []
        for i, step in enumerate(steps):
            nxt = heads[i + 1] if i + 1 < len(steps) else cont
            out.extend(self.step(step, heads[i], nxt))
        return out

    def step(self, step: Step, name: str, cont: str) -> list[dict[str, Any]]:
        kind = step.kind
        if kind == "branch":
            return self.branch(step, name, cont)
        if kind == "loop":
            return self.loop(step, name, cont)
        body: dict[str, Any]
        if kind == "foreach":
            each = camel(step.each or "item", "item")
            source = collection(step.of) if step.of else ".items"
            body = {"for": {"each": each, "in": "${ " + source + " }"}, "do": self.block(step.steps)}
        elif kind == "parallel":
            branches = [b for b in step.branches if b] or [[Step("set", "branch")]]
            arms = [self.arm(b, f"{name} branch {i + 1}") for i, b in enumerate(branches)]
            body = {"fork": {"compete": False, "branches": arms}}
        elif kind == "try":
            body = self.try_(step)
        else:
            body = self.action(step, name)
        if step.when:
            body = {"if": "${ " + condition(step.when) + " }", **body}
        return [{name: body}]

    def block(self, steps: Sequence[Step]) -> list[dict[str, Any]]:
        return self.tasks(list(steps) or [Step("set", "done")], "exit")

    def arm(self, steps: Sequence[Step], owner: str) -> dict[str, Any]:
        """One task for a list of steps: the action itself when it is one, else a ``do:`` block."""
        if len(steps) == 1 and steps[0].kind in ACTIONS and not steps[0].when:
            name = self.names.fresh(self.base_name(steps[0]))
            return {name: self.action(steps[0], name)}
        name = self.names.fresh(camel(owner, "block")[:32])
        return {name: {"do": self.block(steps)}}

    def branch(self, step: Step, name: str, cont: str) -> list[dict[str, Any]]:
        cases: list[dict[str, Any]] = []
        after: list[dict[str, Any]] = []
        case_names = _Names()
        default: Case | None = None
        for c in step.cases:
            if not c.when.strip():
                default = default or c
                continue
            cases.append(self.case(c, name, cont, case_names, after))
        if default is not None:
            cases.append(self.case(default, name, cont, case_names, after))
        else:
            cases.append({case_names.fresh("otherwise"): {"then": cont}})
        switch: dict[str, Any] = {"switch": cases}
        if step.when:
            switch = {"if": "${ " + condition(step.when) + " }", **switch}
        return [{name: switch}, *after]

    def case(
        self, c: Case, owner: str, cont: str, case_names: _Names, after: list[dict[str, Any]]
    ) -> dict[str, Any]:
        label = case_names.fresh(camel(c.when, "case")[:24] if c.when.strip() else "otherwise")
        body: dict[str, Any] = {}
        if c.when.strip():
            body["when"] = "${ " + condition(c.when) + " }"
        if not c.steps:
            body["then"] = cont
            return {label: body}
        arm = self.arm(c.steps, "handle " + label)
        ((task, task_body),) = arm.items()
        task_body["then"] = cont
        after.append(arm)
        body["then"] = task
        return {label: body}

    def loop(self, step: Step, name: str, cont: str) -> list[dict[str, Any]]:
        check = self.names.fresh(name + "Check")
        until = condition(step.until) if step.until.strip() else ".done"
        body: dict[str, Any] = {"do": self.block(step.steps)}
        if step.when:
            body = {"if": "${ " + condition(step.when) + " }", **body}
        return [
            {name: body},
            {
                check: {
                    "switch": [
                        {"again": {"when": "${ (" + until + ") | not }", "then": name}},
                        {"done": {"then": cont}},
                    ]
                }
            },
        ]

    def try_(self, step: Step) -> dict[str, Any]:
        catch: dict[str, Any] = {
            "errors": {"with": {"type": "https://serverlessworkflow.io/spec/1.0.0/errors/communication"}}
        }
        if step.retry > 0:
            backoff = step.backoff.strip().lower()
            backoff = backoff if backoff in ("exponential", "linear", "constant") else "exponential"
            delay = step.args.get("delay") if isinstance(step.args, dict) else None
            catch["retry"] = {
                # the delay the request gives ("waiting 30 seconds between attempts"), else 2 s
                "delay": duration(str(delay)) if delay else {"seconds": 2},
                "backoff": {backoff: {}},
                "limit": {"attempt": {"count": min(step.retry, 100)}},
            }
        if step.catch:
            catch["do"] = self.block(step.catch)
        return {"try": self.block(step.steps), "catch": catch}

    def action(self, step: Step, name: str) -> dict[str, Any]:
        kind, target = step.kind, step.target.strip()
        args = step.args if isinstance(step.args, dict) else {}
        if kind == "agent":
            text = args.get("message") or args.get("text")
            return {
                "call": "a2a",
                "with": {
                    "method": "message/send",
                    "agentCard": {"endpoint": agent_card(target, name, self.agents)},
                    "parameters": {
                        "message": {
                            "role": "user",
                            "parts": [
                                {
                                    "kind": "text",
                                    "text": str(_set_value(text))
                                    if isinstance(text, str)
                                    else "${ . | tojson }",
                                }
                            ],
                        }
                    },
                },
            }
        if kind == "mcp":
            server, _, tool = (
                target.rpartition("/") if "/" in target and not _is_url(target) else ("", "", target)
            )
            tool = re.sub(r"[^A-Za-z0-9_.-]+", "_", tool).strip("_") or name
            server_url = args.get("server") if isinstance(args.get("server"), str) else ""
            if not (server_url and _is_url(server_url)):
                server_url = f"https://mcp.example.com/{kebab(server or tool, 'tools')}/mcp"
            return {
                "call": "mcp",
                "with": {
                    "method": "tools/call",
                    "parameters": {"name": tool, "arguments": {"input": "${ . }"}},
                    "transport": {"http": {"endpoint": server_url}},
                },
            }
        declared = self.functions.get(target.lower()) or self.functions.get(camel(target, "f").lower())
        if kind == "function" and target and declared:
            return {"call": declared}
        if kind in ("http", "function"):
            api = args.get("api") if isinstance(args.get("api"), str) else ""
            host = f"{kebab(api, 'api')}.example.com" if api else "api.example.com"
            url = target if _is_url(target) else f"https://{host}/{kebab(target or name, 'api')}"
            verb = str(args.get("method", "")).lower()
            if verb not in ("get", "post", "put", "patch", "delete"):
                verb = "post" if _POST.match(name) or _POST.match(camel(target, "x")) else "get"
            call: dict[str, Any] = {"method": verb, "endpoint": url}
            secret = next(
                (self.secrets[x.lower()] for x in _step_secrets(step) if x.lower() in self.secrets), ""
            )
            if secret:  # only a secret the document declares: an insertion cannot declare one
                call["headers"] = {"Authorization": f'${{ "Bearer " + $secrets.{secret} }}'}
            if verb in ("post", "put", "patch"):
                call["body"] = "${ . }"
            return {"call": "http", "with": call}
        if kind in ("shell", "action"):
            return {"run": {"shell": {"command": step.target if target else f"echo {kebab(name, 'step')}"}}}
        if kind == "script":
            lang = str(args.get("language", "python")).lower()
            lang = lang if lang in ("python", "js", "javascript") else "python"
            code = step.target if target else f"print({kebab(name, 'step')!r})"
            return {"run": {"script": {"language": lang, "code": code}}}
        if kind == "container":
            image = target if re.fullmatch(r"[a-z0-9][a-z0-9._/:@-]*", target) else "alpine:3"
            return {"run": {"container": {"image": image}}}
        if kind == "workflow":
            wf = kebab(target or name, "subflow")
            return {"run": {"workflow": {"namespace": "default", "name": wf, "version": "0.1.0"}}}
        if kind == "wait":
            return {"wait": duration(target or str(args.get("duration", "")))}
        if kind == "listen":
            return {"listen": {"to": {"one": {"with": {"type": _event_type(target, name)}}}}}
        if kind == "emit":
            return {
                "emit": {
                    "event": {
                        "with": {
                            "source": "https://wfspec.example/workflows",
                            "type": _event_type(target, name),
                        }
                    }
                }
            }
        if kind == "raise":
            title = " ".join((target or kebab(name, "error").replace("-", " ")).split())[:120]
            return {
                "raise": {
                    "error": {
                        "type": "https://serverlessworkflow.io/spec/1.0.0/errors/runtime",
                        "status": 500,
                        "title": title.replace("${", "$ {"),
                    }
                }
            }
        values = _set_value(args) if args else {}
        return {"set": values or {name: True}}


_SECRET = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _step_secrets(step: Step) -> list[str]:
    """The secrets a step's arguments name (``args["secrets"]``: a name or a list)."""
    got = step.args.get("secrets") if isinstance(step.args, dict) else None
    if isinstance(got, str):
        got = [got]
    return [x.strip() for x in got if isinstance(x, str) and x.strip()] if isinstance(got, list) else []


def render_tasks(
    plan: Plan,
    *,
    taken: Collection[str] = (),
    after: str | None = None,
    agents: Mapping[str, str] | None = None,
    functions: Collection[str] = (),
    secrets: Collection[str] = (),
) -> str:
    """Serverless Workflow task items (at indent 0, for a ``do:`` list) for ``plan.steps``.

    ``taken``: task names in use (never reused, compared case-insensitively); ``after``: the
    existing task that follows the insertion point (branches rejoin the flow there; None: the
    end of the list); ``agents``: agent name -> agent card URL; ``functions``: declared
    functions (``function`` steps call them; any other becomes an HTTP call); ``secrets``:
    declared secrets (an HTTP step that names one sends it as a bearer token)."""
    names = _Names([*taken, *([after] if after else [])])
    r = _Serverless(names, agents, functions, secrets)
    steps = plan.steps or [Step("set", "start")]
    return dump_yaml(r.tasks(steps, after or "exit"))


def _slug(request: str) -> str:
    words = [w.lower() for w in _words(request)]
    stop = {"a", "an", "the", "and", "of", "to", "for", "then", "with", "when", "it", "that", "on", "in"}
    return "-".join([w for w in words if w not in stop][:5]) or "generated"


def render_serverless_document(plan: Plan, request: str, *, agents: Mapping[str, str] | None = None) -> str:
    """A whole Serverless Workflow document for the plan (name from ``request``); each
    function a ``function`` step names is declared under ``use.functions`` (an HTTP call)."""
    head: dict[str, Any] = {
        "document": {"dsl": DSL_VERSION, "namespace": "default", "name": _slug(request), "version": "0.1.0"}
    }
    cron = _cron(plan.schedule)
    if cron:
        head["schedule"] = {"cron": cron}
    elif plan.start_on.strip():
        head["schedule"] = {"on": {"one": {"with": {"type": _event_type(plan.start_on, "start")}}}}
    if plan.timeout.strip():
        head["timeout"] = {"after": duration(plan.timeout)}
    functions = {
        camel(s.target, "function"): {
            "call": "http",
            "with": {"method": "post", "endpoint": f"https://api.example.com/{kebab(s.target, 'function')}"},
        }
        for s in plan.walk()
        if s.kind == "function" and s.target.strip()
    }
    secrets = sorted(
        {x for s in plan.walk() if s.kind == "http" for x in _step_secrets(s) if _SECRET.fullmatch(x)}
    )
    if functions or secrets:
        head["use"] = {}
    if functions:
        head["use"]["functions"] = functions
    if secrets:
        head["use"]["secrets"] = secrets
    tasks = render_tasks(plan, agents=agents, functions=list(functions), secrets=secrets)
    return dump_yaml(head) + "do:\n" + textwrap.indent(tasks, "  ")


# -- GitHub Actions ---------------------------------------------------------------------------


#: the tag an unversioned action gets (the catalog's newest major)
def _pinned(uses: str) -> str:
    u = uses.strip()
    ref = catalog.parse_uses(u)
    if ref.kind in ("local", "docker"):
        return u
    if ref.kind == "remote":
        return u
    name = u.partition("@")[0].strip()
    if re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+", name):
        spec = catalog.lookup(catalog.parse_uses(name + "@v1"))
        return f"{name}@v{spec.max_major if spec else 1}"
    return ""


_GH_EXPR = re.compile(r"\$\{\{\s*([^{}]*?)\s*\}\}")
_GH_SAFE = re.compile(
    r"secrets\.[A-Za-z_][A-Za-z0-9_]*|vars\.[A-Za-z_][A-Za-z0-9_]*|"
    r"github\.(?:ref|sha|event_name|repository|run_id|run_number|workflow)|runner\.(?:os|arch|temp)"
)


def _gh_text(value: str, matrix: Collection[str] = (), *, commands: bool = False) -> str:
    """``value`` with every ``${{ }}`` that is not known to be valid here defanged (in
    ``commands`` only matrix values stay, any other is left as its bare text)."""

    if "${{" not in value:
        return value
    out: list[str] = []
    last = 0
    for m in _GH_EXPR.finditer(value):
        out.append(value[last : m.start()].replace("${{", "$ {{"))
        inner = m.group(1)
        mm = re.fullmatch(r"matrix\.([A-Za-z_][A-Za-z0-9_-]*)", inner)
        ok = (mm is not None and mm.group(1) in matrix) or (
            not commands and _GH_SAFE.fullmatch(inner) is not None
        )
        # in a command, an expression that may not stay is left as its text: ${{ }} there would
        # splice whatever it holds into the script
        out.append("${{ " + inner + " }}" if ok else inner if commands else "$ {{ " + inner + " }}")
        last = m.end()
    out.append(value[last:].replace("${{", "$ {{"))
    return "".join(out)


def _gh_step(step: Step, names: _Names, matrix: Collection[str] = ()) -> list[dict[str, Any]]:
    kind = step.kind
    if kind in ("branch", "foreach", "loop", "parallel", "try"):
        inner: list[dict[str, Any]] = []
        if kind == "branch":
            for c in step.cases:
                for s in c.steps:
                    inner.extend(_gh_step(Step(**{**vars(s), "when": s.when or c.when}), names, matrix))
        else:
            for s in step.steps + [s for b in step.branches for s in b] + step.catch:
                inner.extend(_gh_step(s, names, matrix))
        return inner
    out: dict[str, Any] = {}
    if step.name:
        out["name"] = _gh_text(" ".join(step.name.split())[:80])
        out["id"] = names.fresh(kebab(step.name, "step").replace("-", "_"), "_")
    if step.when:
        out["if"] = _gh_condition(step.when)
    uses = _pinned(step.target) if kind == "action" else ""
    if uses:
        out["uses"] = uses
        ref = catalog.parse_uses(uses)
        spec = catalog.lookup(ref)
        with_: dict[str, Any] = {
            k: (
                _gh_text(v, matrix)
                if isinstance(v, str)
                else v
                if isinstance(v, (int, float, bool))
                else str(v)
            )
            for k, v in step.args.items()
            if isinstance(k, str)
            and k != "env"
            and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", k)
            and (spec is None or spec.inputs is None or k in spec.inputs)
            and (spec is None or spec.deprecation(k) is None)
        }
        if spec is not None:
            for req in spec.required_inputs(ref.major):
                with_.setdefault(req, "example")
        if ref.kind == "remote" and ref.name == "actions/checkout":
            with_.setdefault("persist-credentials", False)
        if with_:
            out["with"] = with_
    else:
        out["run"] = _gh_text(_command(step), matrix, commands=True)
    env = step.args.get("env") if isinstance(step.args, dict) else None
    if isinstance(env, dict):
        env = {
            k: _gh_text(v, matrix)
            for k, v in env.items()
            if isinstance(k, str)
            and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k)
            and isinstance(v, str)
            and v.strip()
        }
        if env:
            out["env"] = env
    if "run" in out and re.match(r"gh\s", str(out["run"])):
        # the GitHub CLI needs a token in its environment
        out.setdefault("env", {}).setdefault("GH_TOKEN", "${{ github.token }}")
    return [out]


def _needed_permissions(steps: Sequence[Step]) -> dict[str, str]:
    """The token permissions the job's steps write with (a release, a label, a comment), beside
    ``contents: read`` for the checkout; {} when they only read."""
    need: dict[str, str] = {}
    for s in steps:
        t = s.target if isinstance(s.target, str) else ""
        script = str(s.args.get("script", "")) if isinstance(s.args, dict) else ""
        if re.match(r"gh\s+release\b|git\s+push\b", t) or "createCommitComment" in script:
            need["contents"] = "write"
        if re.match(r"gh\s+(?:issue|label)\b", t) or re.search(r"\.issues\.", script):
            need["issues"] = "write"
        if re.match(r"gh\s+pr\b", t) or re.search(r"\.pulls\.", script):
            need["pull-requests"] = "write"
    if need:
        need.setdefault("contents", "read")
    return need


def _command(step: Step) -> str:
    t = step.target.strip()
    if step.kind == "shell" and t:
        return t
    if step.kind == "http" and _is_url(t):
        return f"curl -fsS {t}"
    word = re.sub(r"[^\w .,-]+", "", step.name or t).strip() or "step"
    return f"echo '{word}'"


def _gh_literal(v: str) -> str:
    return "'" + re.sub(r"[^\w .:/@+-]", "", v).strip().replace("'", "''")[:60] + "'"


def _gh_condition(when: str) -> str:
    """An ``if:`` expression for a condition in words: the shapes GitHub can test (a title or
    body that mentions a word, a label, the branch, the event, a step failing) become the
    expression; anything else becomes a repository variable the author sets
    (``vars.NAME == 'true'``)."""
    w = when.strip()
    if w.startswith("${{") and w.endswith("}}"):
        w = w[3:-2].strip()
    if re.fullmatch(
        r"(?:github|env|vars|inputs|matrix|steps|needs|secrets|runner|job|jobs|strategy)\.[A-Za-z0-9_.-]+(\s*(==|!=)\s*'[^']*')?|true|false",
        w,
    ):
        return w  # an expression already
    if re.fullmatch(r"(success|failure|always|cancelled)\(\)", w):
        return w
    neg = re.match(r"^not\s+(.+)$", w, re.I)
    if neg:
        inner = _gh_condition(neg.group(1))
        if inner.startswith("vars.") and inner.endswith(" == 'true'"):
            return inner[: -len(" == 'true'")] + " != 'true'"
        return f"!({inner})"
    low = w.lower()
    m = re.fullmatch(
        r"(?:the\s+|its\s+)?(title|body|description)\s+(?:mentions|contains|includes|has|says)\s+(?:the\s+word\s+)?[\"'`]?(.+?)[\"'`]?",
        low,
    )
    if m:
        part = "body" if m.group(1) in ("body", "description") else "title"
        return f"contains(github.event.issue.{part} || github.event.pull_request.{part}, {_gh_literal(m.group(2))})"
    m = re.fullmatch(
        r"(?:the\s+)?comment(\s+on\s+(?:a|the)\s+(?:pull request|pr))?\s+(starts with|begins with|contains|mentions|says|is)\s+[\"'`]?(.+?)[\"'`]?",
        low,
    )
    if m:
        test = "startsWith" if m.group(2) in ("starts with", "begins with", "is") else "contains"
        on_pr = "github.event.issue.pull_request && " if m.group(1) else ""
        return f"{on_pr}{test}(github.event.comment.body, {_gh_literal(m.group(3))})"
    m = re.fullmatch(r"the label (?:is|added is)\s+[\"'`]?([\w:./-]+)[\"'`]?", low)
    if m:
        return f"github.event.label.name == {_gh_literal(m.group(1))}"
    m = re.fullmatch(
        r"(?:it|the issue|the pr|the pull request)\s+(?:has|carries|is labell?ed(?:\s+with)?)\s+(?:the\s+|a\s+)?[\"'`]?([\w:./-]+)[\"'`]?(?:\s+label)?",
        low,
    )
    if m:
        lab = _gh_literal(m.group(1))
        return f"contains(github.event.issue.labels.*.name, {lab}) || contains(github.event.pull_request.labels.*.name, {lab})"
    m = re.fullmatch(
        r"(?:it\s+is\s+|it's\s+|we\s+are\s+|this\s+is\s+)?on\s+(?:the\s+)?([\w./-]+)(?:\s+branch)?|the\s+branch\s+is\s+([\w./-]+)",
        low,
    )
    if m:
        ref = re.sub(r"[^\w./-]", "", m.group(1) or m.group(2))
        return f"github.ref == 'refs/heads/{ref}'"
    if re.fullmatch(
        r"(?:it|they|this|that|the (?:build|tests?|job|run|step|deploy(?:ment)?))\s+(?:fails?|failed|breaks?|broke|errors?)",
        low,
    ):
        return "failure()"
    if re.fullmatch(
        r"(?:it|they|this|that|the (?:build|tests?|job|run|step|deploy(?:ment)?))\s+(?:pass|passes|passed|succeeds?|succeeded|is green|are green)",
        low,
    ):
        return "success()"
    m = re.fullmatch(
        r"(?:it\s+is\s+|it's\s+|this\s+is\s+)?an?\s+(pull request|pr|push|release|tag|schedule(?:d run)?)",
        low,
    )
    if m:
        ev = {"pr": "pull_request", "pull request": "pull_request", "scheduled run": "schedule"}.get(
            m.group(1), m.group(1)
        )
        if ev == "tag":
            return "startsWith(github.ref, 'refs/tags/')"
        return f"github.event_name == '{ev}'"
    return "vars." + kebab(w, "enabled").replace("-", "_").upper() + " == 'true'"


def _minutes(iso: str) -> int:
    """Whole minutes (at least 1) of an ISO 8601 duration or a phrase; 0 when there is none."""
    if not iso.strip():
        return 0
    m = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", duration(iso))
    if not m:
        return 0
    d, h, mi, se = (int(g or 0) for g in m.groups())
    total = ((d * 24 + h) * 60 + mi) + (1 if se else 0)
    return min(max(total, 1), 360 * 24) if total or se else 0


def render_github_jobs(plan: Plan, *, taken: Collection[str] = ()) -> str:
    """GitHub Actions job entries (at indent 0, for a ``jobs:`` map): ids made unique against
    ``taken``, ``needs`` kept for existing jobs and for jobs earlier in the plan."""
    existing = {t.lower(): t for t in taken}
    names = _Names(taken)
    renamed: dict[str, str] = {}
    out: list[str] = []
    for job in plan.jobs or [Job("build")]:
        jid = names.fresh(kebab(job.id or job.name, "job"), "-")
        needs: list[str] = []
        for need in job.needs:
            target = existing.get(need.lower()) or renamed.get(need) or renamed.get(kebab(need, "job"))
            if target and target not in needs:
                needs.append(target)
        renamed.setdefault(job.id, jid)
        body: dict[str, Any] = {}
        if job.name:
            body["name"] = " ".join(job.name.split())[:80].replace("${{", "$ {{")
        if needs:
            body["needs"] = needs[0] if len(needs) == 1 else needs
        if job.when:
            body["if"] = _gh_condition(job.when)
        matrix = {
            kebab(k, "axis"): list(dict.fromkeys(str(v) for v in vs))[:8]
            for k, vs in job.matrix.items()
            if vs and re.fullmatch(r"[A-Za-z0-9_. -]+", k)
        }
        runs_on = job.runs_on.strip() or "ubuntu-latest"
        if matrix:
            body["strategy"] = {"matrix": matrix}
            if "os" in matrix and all(_HOSTED.fullmatch(v) for v in matrix["os"]):
                runs_on = "${{ matrix.os }}"
        body["runs-on"] = (
            runs_on if _HOSTED.fullmatch(runs_on) or runs_on == "${{ matrix.os }}" else "ubuntu-latest"
        )
        if job.environment:
            env = job.environment.strip()
            # an expression ("${{ inputs.environment }}") is the environment a run picks
            body["environment"] = env if re.fullmatch(r"\$\{\{[^{}]+\}\}", env) else kebab(env, "production")
        minutes = _minutes(job.timeout or plan.timeout)
        if minutes:
            body["timeout-minutes"] = minutes
        perms = {
            k: v
            for k, v in (job.permissions or _needed_permissions(list(walk(job.steps)))).items()
            if k in _PERMISSIONS and v in _LEVELS.get(k, ("read", "write", "none"))
        }
        if perms:
            body["permissions"] = perms
        step_names = _Names()
        steps: list[dict[str, Any]] = []
        for s in job.steps:
            steps.extend(_gh_step(s, step_names, matrix))
        if not steps:
            steps = _gh_step(Step("action", target="actions/checkout"), step_names)
        if job.outputs:
            keys = list(dict.fromkeys(kebab(k, "out").replace("-", "_") for k in job.outputs))[:8]
            sid = step_names.fresh("outputs", "_")
            steps.append(
                {
                    "name": "Set outputs",
                    "id": sid,
                    "run": "\n".join(f'echo "{k}=value" >> "$GITHUB_OUTPUT"' for k in keys),
                }
            )
            body["outputs"] = {k: "${{ steps." + sid + ".outputs." + k + " }}" for k in keys}
        body["steps"] = steps
        out.append(dump_yaml({jid: body}))
    return "".join(out)


_PERMISSIONS = frozenset(
    "actions attestations checks contents deployments discussions id-token issues models packages "
    "pages pull-requests repository-projects security-events statuses".split()
)
#: GitHub-hosted runner labels
_HOSTED = re.compile(r"(ubuntu|windows|macos)-(latest|\d[\d.]*(-arm|-large|-xlarge)?)")
#: permissions that do not take every level (the rest take read, write and none)
_LEVELS = {"id-token": ("write", "none"), "models": ("read", "none")}
_INPUT_TYPES = ("string", "boolean", "choice", "number", "environment")


def _github_cron(expr: str) -> str:
    """``expr`` no more often than GitHub runs schedules (every 5 minutes)."""
    minute, _, rest = expr.partition(" ")
    m = re.fullmatch(r"\*(?:/(\d+))?", minute)
    if m and int(m.group(1) or 1) < 5:
        return f"*/5 {rest}"
    return expr


def _trigger(t: Trigger) -> Any:
    event = t.event
    body: dict[str, Any] = {}
    known = ACTIVITY_TYPES.get(event)
    t = replace(t, types=[x for x in dict.fromkeys(t.types) if known is None or x in known])
    if event in ("push", "pull_request", "pull_request_target"):
        if t.branches:
            body["branches"] = t.branches[:8]
        if t.tags and event == "push":
            body["tags"] = t.tags[:8]
        if t.paths:
            body["paths"] = t.paths[:8]
        if t.types and event != "push":
            body["types"] = t.types[:8]
        return body
    if event == "schedule":
        return [{"cron": _github_cron(_cron(t.cron) or "0 3 * * *")}]
    if event in ("workflow_dispatch", "workflow_call"):
        inputs: dict[str, Any] = {}
        for name, typ in list(t.inputs.items())[:10]:
            typ = typ if typ in _INPUT_TYPES else "string"
            if event == "workflow_call" and typ not in ("string", "boolean", "number"):
                typ = "string"
            opts = [o for o in t.options.get(name, []) if isinstance(o, str) and o][:10]
            if typ == "choice" and not opts:
                typ = "string"  # no options stated: none invented
            spec: dict[str, Any] = {"type": typ, "required": False}
            if typ == "choice":
                spec["options"] = opts
            inputs[kebab(name, "input").replace("-", "_")] = spec
        return {"inputs": inputs} if inputs else {}
    if t.types:
        return {"types": t.types[:8]}
    return {}


_EVENTS = frozenset(
    "push pull_request pull_request_target schedule workflow_dispatch workflow_call release issues "
    "issue_comment pull_request_review create delete fork watch discussion merge_group".split()
)


def render_github_workflow(plan: Plan, request: str) -> str:
    """A whole GitHub Actions workflow for the plan (``on:`` from ``plan.triggers``, push to
    main when it has none)."""
    on: dict[str, Any] = {}
    for t in plan.triggers:
        if t.event in _EVENTS and t.event not in on:
            on[t.event] = _trigger(t)
    if not on:
        on = {"push": {"branches": ["main"]}}
    head = dump_yaml({"name": _slug(request), "on": on, "permissions": {"contents": "read"}})
    return head + "jobs:\n" + textwrap.indent(render_github_jobs(plan), "  ")
