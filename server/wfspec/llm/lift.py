"""YAML -> plan: the inverse of :mod:`wfspec.llm.render`, for any workflow document.

:func:`lift` reads a Serverless Workflow document (or a bare task list) or a GitHub Actions
workflow (or a bare ``jobs:`` map) back into a :class:`~wfspec.llm.plan.Plan`: every task or
step with its kind, name and target (agent card, MCP tool, endpoint, function, action ref,
command, event type, duration, error title), and the control flow recovered from the layout:

- ``switch`` -> ``branch``: each case's steps are the tasks its ``then:`` reaches (following
  ``then:`` and the list order) until the paths of the cases meet again;
- ``for`` -> ``foreach``; ``fork`` -> ``parallel``; ``try``/``catch`` -> ``try`` (the retry
  count, the backoff and the catch ``do:``, a retry policy named under ``use.retries``
  resolved);
- a back edge (a ``then:`` to an earlier task of the same list) -> ``loop`` over the tasks it
  spans, ``until`` read from the switch case that goes back;
- a ``do:`` block is a sequence: its tasks take its place.

It reads wfspec's own parser (:func:`wfspec.syntax.parse.parse`, which never raises) and turns
the node tree into plain data first, sharing aliased subtrees and stopping at a node budget, so
alias bombs stay cheap. Model output and users' files are untrusted: nothing here raises; what
cannot be read is left out, and junk gives an empty :class:`Plan`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from wfspec.llm.plan import Case, Job, Plan, Step, Trigger
from wfspec.syntax.parse import parse
from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode

log = logging.getLogger("wfspec.llm.lift")

#: nodes turned into data at most (aliases shared, not copied)
MAX_NODES = 200_000
#: tasks lifted at most
MAX_TASKS = 5_000
MAX_DEPTH = 24


def lift(text: str, dialect: str) -> Plan:
    """The plan of ``text``, a ``"serverless"`` or ``"github"`` document; never raises."""
    try:
        data = _data(text)
        if dialect == "github":
            return _github(data)
        return _Serverless(data).plan()
    except Exception:  # noqa: BLE001 - untrusted input: a bug here must cost only the plan
        log.exception("lifting a plan failed")
        return Plan()


# -- the node tree as plain data --------------------------------------------------------------


def _data(text: str) -> Any:
    if not isinstance(text, str):
        return None
    doc = parse(text)
    if doc.root is None:
        return None
    memo: dict[int, Any] = {}
    budget = [MAX_NODES]

    def conv(node: Node, depth: int) -> Any:
        if id(node) in memo:
            return memo[id(node)]
        budget[0] -= 1
        if budget[0] < 0 or depth > 64:
            return None
        if isinstance(node, ScalarNode):
            return node.python()
        if isinstance(node, SeqNode):
            out_list: list[Any] = []
            memo[id(node)] = out_list
            out_list.extend(conv(x, depth + 1) for x in node.items)
            return out_list
        if isinstance(node, MapNode):
            out: dict[str, Any] = {}
            memo[id(node)] = out
            for k, v in node.items():
                if k.value not in out:
                    out[k.value] = conv(v, depth + 1)
            return out
        return None

    return conv(doc.root, 0)


def _s(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (str, int, float)):
        return str(v).strip()
    return ""


def _text(v: Any) -> str:
    """A string as it is written (commands and code keep their whitespace)."""
    return v if isinstance(v, str) else _s(v)


def _map(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _strs(v: Any) -> list[str]:
    if isinstance(v, list):
        return [s for s in (_s(x) for x in v) if s]
    s = _s(v)
    return [s] if s else []


def _expr(v: Any) -> str:
    """The text of a condition: the jq inside ``${ }``, or the value as it is."""
    s = _s(v)
    if s.startswith("${") and s.endswith("}"):
        return s[2:-1].strip()
    return s


def _uri(v: Any) -> str:
    """An endpoint written as a string, ``{uri}`` or ``{endpoint}``."""
    if isinstance(v, dict):
        return _uri(v.get("uri") if "uri" in v else v.get("endpoint"))
    return _s(v)


_AGENT_CARD = re.compile(r"^https://agents\.example\.com/([a-z0-9-]+)/\.well-known/agent-card\.json$")


def _iso(v: Any) -> str:
    if isinstance(v, str):
        return v.strip()
    if not isinstance(v, dict):
        return ""
    units = [("days", "D"), ("hours", "H"), ("minutes", "M"), ("seconds", "S")]
    parts = {u: v.get(k) for k, u in units if isinstance(v.get(k), int) and not isinstance(v.get(k), bool)}
    ms = v.get("milliseconds")
    if isinstance(ms, int) and not isinstance(ms, bool) and ms:
        parts["S"] = (parts.get("S") or 0) + ms // 1000
    if not parts:
        return ""
    out = "P" + (f"{parts['D']}D" if parts.get("D") else "")
    time = "".join(f"{parts[u]}{u}" for u in "HMS" if parts.get(u))
    return out + ("T" + time if time else "") if (time or parts.get("D")) else "PT0S"


# -- Serverless Workflow --------------------------------------------------------------------


def _items(v: Any) -> list[tuple[str, dict[str, Any]]]:
    """A task list as (name, body) pairs (entries that are no single-key mapping left out)."""
    if not isinstance(v, list):
        return []
    out = []
    for item in v:
        if isinstance(item, dict) and len(item) == 1:
            ((name, body),) = item.items()
            if isinstance(body, dict):
                out.append((str(name), body))
    return out


def _then(body: dict[str, Any]) -> str:
    return _s(body.get("then"))


class _Serverless:
    def __init__(self, data: Any) -> None:
        self.data = data
        self.retries: dict[str, Any] = {}
        self.budget = MAX_TASKS
        self.ignored: set[int] = set()  # bodies whose then: is a back edge already turned into a loop

    def plan(self) -> Plan:
        data = self.data
        if isinstance(data, list):
            return Plan(steps=self.tasks(data, 0))
        if not isinstance(data, dict):
            return Plan()
        use = data.get("use")
        if isinstance(use, dict) and isinstance(use.get("retries"), dict):
            self.retries = use["retries"]
        if "do" not in data:
            if len(data) == 1 and isinstance(next(iter(data.values())), dict):
                return Plan(steps=self.tasks([data], 0))  # one task written as a mapping
            return Plan()
        plan = Plan(steps=self.tasks(data.get("do"), 0))
        schedule = data.get("schedule")
        if isinstance(schedule, dict):
            plan.schedule = _s(schedule.get("cron"))
            on = schedule.get("on")
            if isinstance(on, dict):
                plan.start_on = self.event_type(on)
        timeout = data.get("timeout")
        if isinstance(timeout, dict):
            plan.timeout = _iso(timeout.get("after"))
        return plan

    def tasks(self, items: Any, depth: int) -> list[Step]:
        if depth > MAX_DEPTH:
            return []
        tasks = _items(items)
        return self.seq(tasks, 0, len(tasks), depth)

    def targets(self, body: dict[str, Any]) -> list[str]:
        out = [] if id(body) in self.ignored else [_then(body)]
        for _, case in _items(body.get("switch")):
            out.append(_then(case))
        return [t for t in out if t]

    def seq(self, tasks: list[tuple[str, dict[str, Any]]], lo: int, hi: int, depth: int) -> list[Step]:
        index: dict[str, int] = {}
        for i, (name, _) in enumerate(tasks):
            index.setdefault(name, i)
        out: list[Step] = []
        consumed: set[int] = set()
        pos = lo
        while pos < hi and self.budget > 0:
            if pos in consumed:
                pos += 1
                continue
            ends = [
                j
                for j in range(pos, hi)
                if j not in consumed and any(index.get(t) == pos for t in self.targets(tasks[j][1]))
            ]
            if ends:
                j = max(ends)
                out.append(self.loop(tasks, pos, j, index, depth))
                pos = j + 1
                continue
            name, body = tasks[pos]
            if isinstance(body.get("switch"), list):
                self.budget -= 1
                out.append(self.switch(tasks, pos, hi, index, consumed, depth))
                pos += 1
                continue
            out.extend(self.task(name, body, depth))
            pos += 1
        return out

    def loop(
        self, tasks: list[tuple[str, dict[str, Any]]], i: int, j: int, index: dict[str, int], depth: int
    ) -> Step:
        name, body = tasks[j]
        cases = _items(body.get("switch"))
        until = ""
        if cases and _then(body) != tasks[i][0]:
            steps = self.seq(tasks, i, j, depth + 1)
            back = next((c for _, c in cases if index.get(_then(c)) == i), None)
            other = next((c for _, c in cases if index.get(_then(c)) != i and _expr(c.get("when"))), None)
            when = _expr(back.get("when")) if back is not None else ""
            m = re.fullmatch(r"\((.*)\)\s*\|\s*not", when, re.S)
            if m:
                until = m.group(1).strip()
            elif other is not None:
                until = _expr(other.get("when"))
            elif when:
                until = f"({when}) | not"
        else:
            self.ignored.add(id(body))
            steps = self.seq(tasks, i, j + 1, depth + 1)
        return Step("loop", tasks[i][0], steps=steps, until=until)

    def switch(
        self,
        tasks: list[tuple[str, dict[str, Any]]],
        k: int,
        hi: int,
        index: dict[str, int],
        consumed: set[int],
        depth: int,
    ) -> Step:
        name, body = tasks[k]
        raw = _items(body.get("switch"))

        def resolve(target: str, at: int) -> int | None:
            if target in ("", "continue"):
                return at + 1
            if target in ("end", "exit"):
                return None
            i = index.get(target)
            return i if i is not None and k < i else None

        def path(start: int | None) -> list[int]:
            seq: list[int] = []
            cur = start
            while cur is not None and cur not in seq and cur not in consumed:
                if cur >= hi:
                    seq.append(hi)  # the end of the list: where every path meets
                    break
                nbody = tasks[cur][1]
                if isinstance(nbody.get("switch"), list) and seq:
                    seq.append(cur)
                    break
                seq.append(cur)
                # a raise ends the path, unless it names where the layout goes on
                if ("raise" in nbody and _then(nbody) in ("", "continue")) or isinstance(
                    nbody.get("switch"), list
                ):
                    break
                cur = resolve("" if id(nbody) in self.ignored else _then(nbody), cur)
            return seq

        paths = [path(resolve(_then(c), k)) for _, c in raw]
        flows = list(paths)
        if not any(not _s(c.get("when")) for _, c in raw):
            flows.append(path(k + 1))  # no default: the flow goes on after the switch
        joining = [p for p in flows if p and (p[-1] == hi or not self.ends(tasks, p[-1], hi))]
        join: int | None = None
        every = [p for p in flows if p]
        shared = set(every[0]).intersection(*map(set, every[1:])) if len(every) > 1 else set()
        if shared:
            join = next(x for x in every[0] if x in shared)
        elif len(joining) == 1 or len(every) == 1:
            # one path goes on: its case ends after the first task that jumps on explicitly
            # (one that only goes on to the next task has no steps of its own)
            only = joining[0] if len(joining) == 1 else every[0]
            cut = next(
                (
                    n
                    for n, x in enumerate(only)
                    if x < hi
                    and id(tasks[x][1]) not in self.ignored
                    and _then(tasks[x][1]) not in ("", "continue")
                ),
                None,
            )
            named = any(
                _then(c) not in ("", "continue") and p == only for (_, c), p in zip(raw, paths, strict=True)
            )
            if cut is not None:
                join = only[cut + 1] if cut + 1 < len(only) else None
            elif only[0] == k + 1 and not (len(every) == 1 and named and len(raw) > 1):
                # the next task is where the flow goes on; unless a case names it and every other
                # case ends the workflow ("then: emitBacklogged" beside "then: end"): then it is
                # that case's own step
                join = only[0]
            else:
                join = only[-1] if only[-1] == hi else None
        elif joining:
            common = set(joining[0]).intersection(*map(set, joining[1:]))
            join = next((x for x in joining[0] if x in common), None)
        cases: list[Case] = []
        for (_, c), p in zip(raw, paths, strict=True):
            if join is not None and join in p:
                p = p[: p.index(join)]
            p = [x for x in p if x < hi]
            steps: list[Step] = []
            for x in p:
                if x in consumed:
                    continue
                consumed.add(x)
                tname, tbody = tasks[x]
                steps.extend(self.task(tname, tbody, depth + 1))
            # a default that does nothing (then: exit, or straight on) is still a case
            cases.append(Case(_expr(c.get("when")), steps))
        return Step("branch", name, cases=cases, when=_expr(body.get("if")))

    def ends(self, tasks: list[tuple[str, dict[str, Any]]], i: int, hi: int) -> bool:
        """Whether the last task of a path stops the flow (raise, end, exit)."""
        if i >= hi:
            return False
        body = tasks[i][1]
        return "raise" in body or (_then(body) in ("end", "exit") and id(body) not in self.ignored)

    def task(self, name: str, body: dict[str, Any], depth: int) -> list[Step]:
        steps = self._task(name, body, depth)
        timeout = body.get("timeout")
        if steps and isinstance(timeout, dict) and _iso(timeout.get("after")):
            # a task's own time limit ("timeout: {after: {minutes: 10}}")
            steps[0].args = {**steps[0].args, "timeout": _iso(timeout.get("after"))}
        return steps

    def _task(self, name: str, body: dict[str, Any], depth: int) -> list[Step]:
        self.budget -= 1
        if self.budget < 0 or depth > MAX_DEPTH:
            return []
        when = _expr(body.get("if"))
        if isinstance(body.get("switch"), list):
            return [self.switch([(name, body)], 0, 1, {name: 0}, set(), depth)]
        if "for" in body:
            f = _map(body.get("for"))
            return [
                Step(
                    "foreach",
                    name,
                    each=_s(f.get("each")) or "item",
                    of=_expr(f.get("in")),
                    steps=self.tasks(body.get("do"), depth + 1),
                    when=when,
                )
            ]
        if "fork" in body:
            fork = _map(body.get("fork"))
            branches = [self.tasks([{n: b}], depth + 1) for n, b in _items(fork.get("branches"))]
            return [Step("parallel", name, branches=[b for b in branches if b], when=when)]
        if "try" in body:
            return [self.try_(name, body, depth, when)]
        if "do" in body:
            inner = self.tasks(body.get("do"), depth + 1)
            if when and inner:
                inner[0].when = inner[0].when or when
            return inner
        step = self.action(name, body)
        step.when = when
        return [step]

    def try_(self, name: str, body: dict[str, Any], depth: int, when: str) -> Step:
        step = Step("try", name, steps=self.tasks(body.get("try"), depth + 1), when=when)
        catch = body.get("catch")
        if isinstance(catch, dict):
            retry = catch.get("retry")
            if isinstance(retry, str):
                retry = self.retries.get(retry)
            if isinstance(retry, dict):
                limit = retry.get("limit")
                attempt = limit.get("attempt") if isinstance(limit, dict) else None
                count = attempt.get("count") if isinstance(attempt, dict) else None
                step.retry = (
                    count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else 1
                )
                backoff = retry.get("backoff")
                if isinstance(backoff, dict) and backoff:
                    step.backoff = str(next(iter(backoff)))
            step.catch = self.tasks(catch.get("do"), depth + 1)
        return step

    def event_type(self, v: Any) -> str:
        """The event type of a listen ``to`` / an event filter."""
        if not isinstance(v, dict):
            return ""
        for key in ("one", "any", "all"):
            x = v.get(key)
            if isinstance(x, list):
                x = x[0] if x else None
            if isinstance(x, dict):
                w = x.get("with")
                if isinstance(w, dict) and _s(w.get("type")):
                    return _s(w.get("type"))
        return ""

    def action(self, name: str, body: dict[str, Any]) -> Step:
        call = body.get("call")
        w = _map(body.get("with"))
        if isinstance(call, str):
            if call == "a2a":
                url = _uri(w.get("agentCard")) or _uri(w.get("server"))
                m = _AGENT_CARD.match(url)
                return Step("agent", name, m.group(1) if m else url)
            if call == "mcp":
                params = _map(w.get("parameters"))
                return Step(
                    "mcp", name, _s(params.get("name")) or _s(params.get("uri")) or _s(w.get("method"))
                )
            if call == "http":
                return Step(
                    "http", name, _uri(w.get("endpoint")), args={"method": _s(w.get("method")).lower()}
                )
            if call in ("openapi", "asyncapi"):
                doc = _map(w.get("document"))
                return Step("http", name, _uri(doc.get("endpoint")) or _s(w.get("operationId")))
            if call == "grpc":
                proto = _map(w.get("proto"))
                return Step("http", name, _uri(proto.get("endpoint")))
            return Step("function", name, call)
        run = body.get("run")
        if isinstance(run, dict):
            shell, script = run.get("shell"), run.get("script")
            container, workflow = run.get("container"), run.get("workflow")
            if isinstance(shell, dict):
                return Step("shell", name, _text(shell.get("command")))
            if isinstance(script, dict):
                return Step(
                    "script", name, _text(script.get("code")), args={"language": _s(script.get("language"))}
                )
            if isinstance(container, dict):
                return Step("container", name, _s(container.get("image")))
            if isinstance(workflow, dict):
                return Step("workflow", name, _s(workflow.get("name")))
        if "wait" in body:
            return Step("wait", name, _iso(body.get("wait")))
        if "listen" in body:
            listen = _map(body.get("listen"))
            return Step("listen", name, self.event_type(listen.get("to")))
        if "emit" in body:
            emit = _map(body.get("emit"))
            event = _map(emit.get("event"))
            ew = _map(event.get("with"))
            return Step("emit", name, _s(ew.get("type")))
        if "raise" in body:
            r = _map(body.get("raise"))
            err = r.get("error")
            return Step("raise", name, _s(err.get("title")) if isinstance(err, dict) else _s(err))
        s = body.get("set")
        return Step("set", name, args=dict(s) if isinstance(s, dict) else {})


# -- GitHub Actions ---------------------------------------------------------------------------


def _triggers(on: Any) -> list[Trigger]:
    if isinstance(on, str):
        return [Trigger(on.strip())] if on.strip() else []
    if isinstance(on, list):
        return [Trigger(e) for e in _strs(on)]
    if not isinstance(on, dict):
        return []
    out = []
    for event, body in on.items():
        t = Trigger(str(event))
        if isinstance(body, dict):
            t.branches = _strs(body.get("branches"))
            t.tags = _strs(body.get("tags"))
            t.paths = _strs(body.get("paths"))
            t.types = _strs(body.get("types"))
            inputs = body.get("inputs")
            if isinstance(inputs, dict):
                t.inputs = {
                    str(k): (_s(v.get("type")) if isinstance(v, dict) else "") or "string"
                    for k, v in inputs.items()
                }
        elif isinstance(body, list) and event == "schedule":
            crons = [_s(x.get("cron")) for x in body if isinstance(x, dict) and _s(x.get("cron"))]
            t.cron = crons[0] if crons else ""
        out.append(t)
    return out


def _gh_steps(v: Any) -> list[Step]:
    out = []
    for st in v if isinstance(v, list) else []:
        if not isinstance(st, dict):
            continue
        name, when = _s(st.get("name")), _s(st.get("if"))
        if "uses" in st:
            with_ = st.get("with")
            args = {str(k): x for k, x in with_.items()} if isinstance(with_, dict) else {}
            out.append(Step("action", name, _s(st.get("uses")), args=args, when=when))
        elif "run" in st:
            out.append(Step("shell", name, _text(st.get("run")), when=when))
    return out


def _job(jid: str, body: dict[str, Any]) -> Job:
    strategy = body.get("strategy")
    matrix_raw = strategy.get("matrix") if isinstance(strategy, dict) else None
    matrix = (
        {
            str(k): _strs(v)
            for k, v in matrix_raw.items()
            if isinstance(v, list) and k not in ("include", "exclude")
        }
        if isinstance(matrix_raw, dict)
        else {}
    )
    env = body.get("environment")
    perms = body.get("permissions")
    runs_on = body.get("runs-on")
    return Job(
        id=jid,
        name=_s(body.get("name")),
        runs_on=", ".join(_strs(runs_on)) if isinstance(runs_on, list) else _s(runs_on),
        needs=_strs(body.get("needs")),
        when=_s(body.get("if")),
        matrix=matrix,
        environment=_s(env.get("name")) if isinstance(env, dict) else _s(env),
        permissions={str(k): _s(v) for k, v in perms.items()} if isinstance(perms, dict) else {},
        outputs={str(k): _s(v) for k, v in body.get("outputs", {}).items()}
        if isinstance(body.get("outputs"), dict)
        else {},
        steps=_gh_steps(body.get("steps")),
        timeout=_timeout_minutes(body.get("timeout-minutes")),
    )


def _timeout_minutes(v: Any) -> str:
    """``timeout-minutes`` as an ISO 8601 duration ("" when absent or an expression)."""
    n = v if isinstance(v, int) and not isinstance(v, bool) else None
    if n is None and isinstance(v, str) and v.strip().isdigit():
        n = int(v.strip())
    if not n or n <= 0:
        return ""
    h, mi = divmod(n, 60)
    return "PT" + (f"{h}H" if h else "") + (f"{mi}M" if mi else "")


def _github(data: Any) -> Plan:
    if not isinstance(data, dict):
        return Plan()
    jobs = data.get("jobs")
    if not isinstance(jobs, dict):
        looks = data and all(
            isinstance(v, dict) and ("steps" in v or "runs-on" in v or "uses" in v) for v in data.values()
        )
        if not looks:
            return Plan(triggers=_triggers(data.get("on")))
        jobs, data = data, {}
    return Plan(
        triggers=_triggers(data.get("on")),
        jobs=[_job(str(k), v) for k, v in list(jobs.items())[:500] if isinstance(v, dict)],
    )
