"""Does a plan do what the request states? Intent items checked against a plan, in code.

:func:`cover` matches every :class:`~wfspec.llm.plan.Item` against a
:class:`~wfspec.llm.plan.Plan` (the one a suggestion was rendered from, or one lifted back from
its YAML by :mod:`wfspec.llm.lift`) and says, per item, whether the plan covers it and how.
:func:`feedback` phrases the uncovered items for the model, the way findings are phrased.

Matching is by words, not by exact strings: names are split into words (camelCase, kebab,
snake, URLs), lower-cased, stripped of a few suffixes and of filler words, and an item matches a
step when most of its words appear in the step's name, target and arguments. Control flow is
matched by structure: a branch needs a switch with at least as many cases as outcomes, a
for-each a ``for``, a loop a back edge with an exit, parallel work a fork with as many branches,
retries a ``try`` with at least that many attempts, a fallback a ``catch`` with steps. Steps the
request orders must come in that order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wfspec.llm.plan import ACTIONS, Item, Job, Plan, Step, Trigger, walk

_FILLER = frozenset(
    """a an the to of for and or it its them they their this that these those all any every each
    with on in into from by via using use then also please new our my your some one up out off at as
    be is are was were been step task job workflow call run do""".split()
)
_AGENTISH = frozenset({"agent", "agents", "bot", "assistant"})


def _stem(w: str) -> str:
    for suf in ("ing", "ies", "es", "ed", "s"):
        if len(w) > len(suf) + 2 and w.endswith(suf):
            w = w[: -len(suf)] + ("y" if suf == "ies" else "")
            break
    return w


def words(text: str) -> set[str]:
    """The content words of a name or phrase (see the module docstring)."""
    # askBilling, uploadPR, PRDiff, reply202; a lone capital at the end stays (DeepL)
    text = re.sub(
        r"(?<=[a-z0-9])(?=[A-Z][a-z]|[A-Z]{2})|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])", " ", text
    )
    return {_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _FILLER}


def _step_words(s: Step) -> set[str]:
    extra = " ".join(str(v) for v in s.args.values() if isinstance(v, (str, int, float)))
    return words(f"{s.name} {s.target} {extra}")


def _overlap(item_words: set[str], have: set[str]) -> float:
    if not item_words:
        return 1.0
    return len(item_words & have) / len(item_words)


@dataclass(frozen=True)
class Covered:
    """Whether the plan covers ``item``; ``how`` says where (or what is missing)."""

    item: Item
    ok: bool
    how: str

    def to_json(self) -> dict[str, object]:
        """The JSON form: the item, ``covered`` and ``how``."""
        return {**self.item.to_json(), "covered": self.ok, "how": self.how}


def _label(s: Step) -> str:
    return f'"{s.name}" ({s.kind}{": " + s.target if s.target else ""})'


def _actions(plan: Plan) -> list[Step]:
    return [s for s in plan.walk() if s.kind in ACTIONS]


def _best(item_words: set[str], candidates: Iterable[Step], threshold: float = 0.5) -> Step | None:
    best: tuple[float, Step] | None = None
    for s in candidates:
        score = _overlap(item_words, _step_words(s))
        if score >= threshold and (best is None or score > best[0]):
            best = (score, s)
    return best[1] if best else None


def _norm_cron(c: str) -> str:
    fields = c.split()
    return " ".join(str(int(f)) if f.isdigit() else f for f in fields)


def _norm_duration(d: str) -> str:
    """An ISO 8601 duration as seconds (PT60M and PT1H are the same wait); other text as is."""
    t = d.strip().upper()
    m = re.fullmatch(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", t)
    if not m or t in ("P", "PT"):
        return t
    w, dd, h, mi, se = (int(g or 0) for g in m.groups())
    return str((((w * 7 + dd) * 24 + h) * 60 + mi) * 60 + se)


def _filter_words(v: str) -> str:
    return re.sub(r"[*/]+$", "", v.strip().lower()).strip("/")


def _trigger_has(t: Trigger, value: str) -> bool:
    want = _filter_words(value)
    pool = [*t.branches, *t.tags, *t.paths, *t.types, t.cron, *t.inputs]
    return any(want == _filter_words(p) or (want and want in p.lower()) for p in pool)


_MATRIX_KEYS = {
    "node": ("node", "node-version", "node_version", "nodejs"),
    "python": ("python", "python-version", "python_version", "py"),
    "os": ("os", "platform", "runner", "runs-on"),
    "go": ("go", "go-version", "go_version"),
    "java": ("java", "java-version", "jdk"),
}


def _matrix_key_matches(want: str, have: str) -> bool:
    want, have = want.lower(), have.lower()
    if want == have:
        return True
    for names in _MATRIX_KEYS.values():
        if want in names and have in names:
            return True
    return _stem(want.split("-")[0]) == _stem(have.split("-")[0])


#: what people call a runner family, by the runner label it has ("linux" runs on ubuntu-latest)
_RUNNER_ALIASES = {"linux": "ubuntu", "mac": "macos", "osx": "macos", "win": "windows"}


def _matrix_value_matches(want: str, values: Sequence[str]) -> bool:
    w = want.lower().removesuffix(".x")
    w = _RUNNER_ALIASES.get(w, w)
    for v in values:
        v = v.lower().removesuffix(".x")
        if v == w or v.startswith(w + "-") or v.startswith(w + ".") or w.startswith(v + "-"):
            return True
    return False


Path = tuple[tuple[int, int], ...]


def _paths(plan: Plan) -> dict[int, Path]:
    """Where each action step sits: per level, its index and which alternative (a case, a
    parallel branch, a try body or its catch: 1 and up; 0: a plain body) it is in."""
    out: dict[int, Path] = {}

    def visit(steps: list[Step], prefix: Path) -> None:
        for i, s in enumerate(steps):
            if s.kind in ACTIONS:
                out[id(s)] = prefix + ((i, 0),)
            alt = 1 if s.catch else 0
            visit(s.steps, prefix + ((i, alt),))
            for c, case in enumerate(s.cases):
                visit(case.steps, prefix + ((i, 10 + c),))
            for b, branch in enumerate(s.branches):
                visit(branch, prefix + ((i, 100 + b),))
            visit(s.catch, prefix + ((i, 2),))

    visit(plan.steps, ())
    for j, job in enumerate(plan.jobs):
        visit(job.steps, ((10_000 + j, 0),))
    return out


def _after(last: Path | None, here: Path) -> bool:
    """Whether a step at ``here`` may come after one at ``last``: later in a sequence, or in
    another alternative of the same branch, fork or try (those have no order)."""
    if last is None:
        return True
    for (ia, xa), (ib, xb) in zip(last, here, strict=False):
        if ia != ib:
            return ib > ia
        if xa != xb:
            return xa > 0 and xb > 0 or xb > xa
    return len(here) > len(last)


def cover(items: Sequence[Item], plan: Plan, text: str = "") -> list[Covered]:
    """Per item, whether ``plan`` covers it. ``text`` (the rendered YAML) is searched for the
    secrets an item names, which plans do not hold. Steps must come in the request's order,
    except across the alternatives of a branch, fork or try."""
    actions = _actions(plan)
    every = list(plan.walk())
    out: list[Covered] = []
    paths = _paths(plan)
    last: Path | None = None
    used_jobs: set[int] = set()  # each job answers one job item ("deploy to staging", "... to production")
    for item in items:
        if item.kind == "job":
            got = _cover_job(item, [j for j in plan.jobs if id(j) not in used_jobs])
            if got[1] is not None:
                used_jobs.add(id(got[1]))
            out.append(got[0])
            continue
        if item.kind == "step":
            iw = words(item.name or item.text)
            hit = _best(iw, [s for s in actions if _after(last, paths.get(id(s), ()))])
            if hit is not None:
                last = paths.get(id(hit), ())
                out.append(Covered(item, True, f"step {_label(hit)}"))
                continue
        out.append(_cover_one(item, plan, actions, every, text))
    return out


def _cover_one(
    item: Item,
    plan: Plan,
    actions: list[Step],
    every: list[Step],
    text: str,
) -> Covered:
    k = item.kind
    iw = words(item.name or item.text)
    if k == "step":
        hit = _best(iw, actions)
        if hit is not None:
            return Covered(item, False, f"step {_label(hit)} comes before a step the request puts first")
        return Covered(item, False, "no step does this")
    if k in ("agent", "tool", "api", "function"):
        kinds = {"agent": ("agent",), "tool": ("mcp",), "api": ("http",), "function": ("function", "http")}[k]
        want = iw - _AGENTISH if k == "agent" else iw
        hit = _best(want or iw, [s for s in actions if s.kind in kinds], 0.99 if len(want) <= 1 else 0.5)
        if hit is not None:
            return Covered(item, True, f"step {_label(hit)}")
        return Covered(item, False, f"no {kinds[0]} step uses it")
    if k == "secret":
        if item.name and item.name in text:
            return Covered(item, True, "referenced")
        return Covered(item, False, "the workflow does not use the secret")
    if k == "branch":
        need = _outcomes(item)
        for s in every:
            if s.kind != "branch" or len(s.cases) < need:
                continue
            missing = [
                v
                for v in item.values
                if not any(
                    _best(words(v), _case_actions(c.steps), 0.5) or (_noop(v) and not _case_actions(c.steps))
                    for c in s.cases
                )
            ]
            if not missing:
                return Covered(item, True, f'switch "{s.name}" with {len(s.cases)} cases')
        if plan.jobs:  # GitHub Actions branches with `if:` on steps or jobs
            guarded = [s for s in every if s.when] + [
                Step("action", j.id, j.name, steps=j.steps) for j in plan.jobs if j.when
            ]
            pool = guarded + [x for g in guarded for x in g.steps]
            if len(guarded) >= need - 1 and guarded and all(_best(words(v), pool, 0.5) for v in item.values):
                return Covered(item, True, f"{len(guarded)} steps or jobs with if:")
        branches = [s for s in every if s.kind == "branch"]
        if not branches:
            return Covered(item, False, "the workflow has no switch")
        return Covered(item, False, f"no switch has {need} cases doing what the request says")
    if k in ("loop", "foreach"):
        for s in every:
            if s.kind == k and s.steps:
                return Covered(item, True, f'{"loop" if k == "loop" else "for"} "{s.name}"')
        return Covered(item, False, "the workflow has no " + ("loop back" if k == "loop" else "for task"))
    if k == "parallel":
        need = max(len(item.values), 2)
        for s in every:
            if s.kind == "parallel" and len(s.branches) >= need:
                return Covered(item, True, f'fork "{s.name}" with {len(s.branches)} branches')
        for j in plan.jobs:  # GitHub Actions: jobs that need the same jobs run side by side
            side = [k for k in plan.jobs if sorted(k.needs) == sorted(j.needs)]
            if len(side) >= need:
                return Covered(
                    item, True, "jobs " + ", ".join(f'"{k.id}"' for k in side) + " run in parallel"
                )
        return Covered(item, False, f"the workflow has no fork with {need} branches")
    if k == "retry":
        for s in every:
            if s.kind == "try" and s.retry >= max(item.count, 1):
                return Covered(item, True, f'try "{s.name}" with {s.retry} attempts')
        return Covered(item, False, "no try task retries " + (f"{item.count} times" if item.count else "it"))
    if k == "fallback":
        for s in every:
            if s.kind == "try" and s.catch:
                return Covered(item, True, f'try "{s.name}" catches into {_label(s.catch[0])}')
        return Covered(item, False, "no try task catches the error")
    if k == "wait":
        for s in every:
            if s.kind == "wait" and (not item.name or _norm_duration(s.target) == _norm_duration(item.name)):
                return Covered(item, True, f"wait {_label(s)}")
        # "wait up to a day for a reply": waiting for the reply, bounded by that time
        bounds = [plan.timeout, *(str(s.args.get("timeout", "")) for s in every)]
        if (
            item.name
            and any(s.kind == "listen" for s in every)
            and any(b and _norm_duration(b) == _norm_duration(item.name) for b in bounds)
        ):
            return Covered(item, True, f"waiting for an event, up to {item.name}")
        return Covered(item, False, "no wait" + (f" of {item.name}" if item.name else ""))
    if k == "timeout":
        found = [plan.timeout, *(str(s.args.get("timeout", "")) for s in every)]
        found += [j.timeout for j in plan.jobs]
        if any(f and (not item.name or _norm_duration(f) == _norm_duration(item.name)) for f in found):
            return Covered(item, True, "timeout " + (item.name or next(f for f in found if f)))
        return Covered(item, False, "no timeout" + (f" of {item.name}" if item.name else ""))
    if k in ("listen", "emit"):
        cands = [s for s in every if s.kind == k]
        hit = _best(iw, cands, 0.5) if iw else (cands[0] if cands else None)
        if hit is None and k == "listen" and plan.start_on and _overlap(iw, words(plan.start_on)) >= 0.5:
            return Covered(item, True, f"starts on {plan.start_on}")
        if hit is not None:
            return Covered(item, True, f"{k} {_label(hit)}")
        return Covered(item, False, f"no {k} task for the event")
    if k == "schedule":
        crons = [plan.schedule, *(t.cron for t in plan.triggers if t.event == "schedule")]
        crons = [c for c in crons if c]
        if crons and (not item.name or _norm_cron(item.name) in {_norm_cron(c) for c in crons}):
            return Covered(item, True, "cron " + crons[0])
        return Covered(item, False, f"no schedule {item.name}" if crons else "the workflow has no schedule")
    if k == "trigger":
        for t in plan.triggers:
            if t.event == item.name and all(_trigger_has(t, v) for v in item.values):
                return Covered(item, True, f"on {t.event}")
        return Covered(item, False, f"the workflow does not run on {item.name}" + _filters(item))
    if k == "matrix":
        for j in plan.jobs:
            for key, values in j.matrix.items():
                if _matrix_key_matches(item.name, key) and all(
                    _matrix_value_matches(v, values) for v in item.values
                ):
                    return Covered(item, True, f'job "{j.id}" matrix {key}')
        return Covered(item, False, f"no job has a {item.name} matrix of {', '.join(item.values)}")
    if k == "input":
        for t in plan.triggers:
            if t.event in ("workflow_dispatch", "workflow_call") and any(
                words(n) >= iw or n.lower() == item.name.lower() for n in t.inputs
            ):
                return Covered(item, True, f"input of {t.event}")
        return Covered(item, False, f'no workflow_dispatch input "{item.name}"')
    if k == "job":
        return _cover_job(item, plan.jobs)[0]
    return Covered(item, False, f"unknown item kind {k!r}")


def _cover_job(item: Item, jobs: Sequence[Job]) -> tuple[Covered, Job | None]:
    """The job among ``jobs`` that does what a job item says (its id, name, environment and
    steps), best first."""
    iw = words(item.name or item.text)
    best: tuple[float, Job] | None = None
    for j in jobs:
        have = words(f"{j.id} {j.name} {j.environment}") | set().union(*(_step_words(s) for s in j.steps))
        score = _overlap(iw, have)
        if score >= 0.5 and (best is None or score > best[0]):
            best = (score, j)
    if best is not None:
        return Covered(item, True, f'job "{best[1].id}"'), best[1]
    return Covered(item, False, "no job does this"), None


_NOOP = frozenset({"nothing", "skip", "ignore", "stop", "done", "end", "continue", "proceed"})


def _noop(phrase: str) -> bool:
    """An outcome that does nothing ("otherwise do nothing", "else skip it")."""
    w = words(phrase)
    return bool(w) and w <= words(" ".join(_NOOP))


def _outcomes(item: Item) -> int:
    """How many cases a branch item needs: its count when given, else one per outcome (at
    least two: a condition and what happens otherwise)."""
    return item.count or max(len(item.values), 2)


def _case_actions(steps: list[Step]) -> list[Step]:
    return [s for s in walk(steps) if s.kind in ACTIONS]


def _filters(item: Item) -> str:
    return f" ({', '.join(item.values)})" if item.values else ""


def describe(item: Item) -> str:
    """What the request asks for, in words ("a branch on ... with 2 outcomes")."""
    k, name = item.kind, item.name or item.text
    if k == "step":
        return f'a step that does "{name}"'
    if k in ("agent", "tool", "api", "function"):
        noun = {"agent": "agent", "tool": "MCP tool", "api": "API", "function": "function"}[k]
        return f'a call of the {noun} "{name}"'
    if k == "branch":
        n = _outcomes(item)
        outcomes = f" ({'; '.join(item.values)})" if item.values else ""
        return f'a branch on "{name}" with {n} outcomes{outcomes}'
    if k == "loop":
        return f'a loop that repeats until "{name}"' if name else "a loop"
    if k == "foreach":
        return f'a for-each over "{name}"' if name else "a for-each"
    if k == "parallel":
        return "parallel branches" + (f" ({'; '.join(item.values)})" if item.values else "")
    if k == "retry":
        return f"a retry ({item.count} attempts)" if item.count else "a retry"
    if k == "fallback":
        return "a fallback when it fails" + (f" ({'; '.join(item.values)})" if item.values else "")
    if k in ("wait", "timeout"):
        return f"a {k} of {name}" if name else f"a {k}"
    if k in ("listen", "emit"):
        return f'{"waiting for" if k == "listen" else "publishing"} the event "{name}"'
    if k == "schedule":
        return f'the schedule "{name}"' if name else "a schedule"
    if k == "trigger":
        return f"the trigger {name}{_filters(item)}"
    if k == "matrix":
        return f"a {name} matrix of {', '.join(item.values)}"
    if k == "input":
        return f'a workflow_dispatch input "{name}"'
    return f'{k} "{name}"'


def feedback(results: Sequence[Covered]) -> str:
    """The uncovered items as lines for the model (empty when everything is covered)."""
    return "\n".join(f"- the request asks for {describe(c.item)}; {c.how}" for c in results if not c.ok)


def summary(results: Sequence[Covered]) -> str:
    """``covers N of M intent items`` plus the missing ones, for people."""
    n = sum(c.ok for c in results)
    text = f"covers {n} of {len(results)} intent item(s)"
    missing = [describe(c.item) for c in results if not c.ok]
    return text + ("; missing: " + "; ".join(missing) if missing else "")
