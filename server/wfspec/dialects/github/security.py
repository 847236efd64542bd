"""Security facts of a GitHub Actions workflow, for the security rules and their fixes.

Owns what the security audits know about GitHub Actions, recorded as facts (the rules phrase
the findings):

- the workflow's triggers and which of them are *privileged*: anyone can start them (opening an
  issue, commenting, opening a pull request from a fork) and they run with the base
  repository's secrets and, by default, a token that may write (:data:`PRIVILEGED`);
- which ``${{ }}`` values carry *untrusted* text: fields of the event payload that whoever
  triggers the event writes (titles, bodies, comments, branch names, commit messages, author
  names), the list of GitHub's security hardening guide, narrowed to the triggers the workflow
  has (``github.event.issue.title`` is empty in a workflow that only runs on ``push``). Only
  what flows into the expression's *value* counts: ``contains(github.event.issue.title, 'x')``
  is a boolean, ``github.event.pull_request.number`` a number, ``steps.*``, ``needs.*``,
  ``matrix.*``, ``inputs.*``, ``env.*`` and ``vars.*`` are not event text;
- per step: whether it checks out code, which ref, whether it keeps the token on disk, and
  whether it runs code of the checkout (a ``run:`` step or a local action).

Pure functions over the positioned YAML tree and the IR; nothing here raises on bad input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from wfspec.dialects.github import expr
from wfspec.dialects.github.lowering import find_expressions
from wfspec.dialects.github.nodes import as_map, entries, get, text
from wfspec.ir import Expression, TaskNode, Workflow
from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode

#: triggers anyone may start that run with the base repository's secrets and a token that may
#: write: a fork's pull request (``pull_request_target``), a finished run of another workflow
#: that a fork's pull request may have started (``workflow_run``), issues, comments, discussions
PRIVILEGED = frozenset(
    ("pull_request_target", "workflow_run", "issue_comment", "issues", "discussion", "discussion_comment")
)
#: triggers that check out and run a pull request's head when asked to
HEAD_TRIGGERS = frozenset(("pull_request_target", "workflow_run"))

_PR = ("pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment")
#: the payload key of ``github.event`` -> the triggers whose payload has it
_PAYLOAD: dict[str, tuple[str, ...]] = {
    "issue": ("issues", "issue_comment"),
    "pull_request": _PR,
    "comment": ("issue_comment", "pull_request_review_comment", "commit_comment", "discussion_comment"),
    "review": ("pull_request_review",),
    "commits": ("push",),
    "head_commit": ("push",),
    "pages": ("gollum",),
    "discussion": ("discussion", "discussion_comment"),
    "workflow_run": ("workflow_run",),
}
_PERSON = ("name", "email")
#: paths under ``github.event`` whose text whoever triggers the event writes ("*": any index)
UNTRUSTED: tuple[tuple[str, ...], ...] = (
    ("issue", "title"),
    ("issue", "body"),
    ("pull_request", "title"),
    ("pull_request", "body"),
    ("pull_request", "head", "ref"),
    ("pull_request", "head", "label"),
    ("pull_request", "head", "repo", "default_branch"),
    ("comment", "body"),
    ("review", "body"),
    ("pages", "*", "page_name"),
    ("commits", "*", "message"),
    *(("commits", "*", who, p) for who in ("author", "committer") for p in _PERSON),
    ("head_commit", "message"),
    *(("head_commit", who, p) for who in ("author", "committer") for p in _PERSON),
    ("discussion", "title"),
    ("discussion", "body"),
    ("workflow_run", "head_branch"),
    ("workflow_run", "display_title"),
    ("workflow_run", "head_commit", "message"),
    *(("workflow_run", "head_commit", who, p) for who in ("author", "committer") for p in _PERSON),
    ("workflow_run", "pull_requests", "*", "head", "ref"),
)
#: functions whose result carries (part of) their arguments' text
_PASSING = frozenset(("format", "join", "tojson", "fromjson"))


@dataclass(frozen=True, slots=True)
class Source:
    """An untrusted value an expression's result carries: its dotted path and where it is in the
    expression text (code-point offsets into the inner text)."""

    path: str
    start: int
    end: int


def events(root: Node | None) -> dict[str, ScalarNode | None]:
    """The workflow's triggers -> the node naming each (a key, a list item or the scalar)."""
    out: dict[str, ScalarNode | None] = {}
    m = as_map(root)
    on = get(m, "on") if m is not None else None
    if on is None and m is not None:
        on = get(m, "true")  # YAML 1.1 reads a bare ``on`` key as true
    if isinstance(on, ScalarNode) and on.tag != "null":
        out[on.value] = on
    elif isinstance(on, SeqNode):
        for item in on.items:
            if isinstance(item, ScalarNode) and item.tag != "null":
                out[item.value] = item
    elif isinstance(on, MapNode):
        for k, _ in entries(on):
            out[k.value] = k
    return out


def _all_events(evs: Iterable[str]) -> bool:
    """A reusable workflow runs with its caller's event, so any payload may reach it; with no
    readable trigger at all, assume any too."""
    names = set(evs)
    return not names or "workflow_call" in names


def _same(p: str, q: str) -> bool:
    """A path component against a pattern's: ``*`` on either side (an index, an object filter
    such as ``github.event.*.body``) matches anything."""
    return p == q or q == "*" or p == "*"


def _match(path: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    return len(path) == len(pattern) and all(_same(p, q) for p, q in zip(path, pattern, strict=True))


def _prefix(path: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    return len(path) < len(pattern) and all(
        _same(p, q) for p, q in zip(path, pattern[: len(path)], strict=True)
    )


def untrusted(path: tuple[str, ...], evs: Iterable[str]) -> bool:
    """Whether a ``github`` context path (lower-case, without ``github``, ``*`` for any index)
    is, or is an object holding, text whoever starts one of ``evs`` writes."""
    names = set(evs)
    anyone = _all_events(names)
    if path == ("head_ref",):
        return anyone or bool(names & set(_PR))
    if not path:  # the whole github context, e.g. toJSON(github)
        return any(untrusted(("event", *p), names) for p in UNTRUSTED)
    if path[0] != "event":
        return False
    rest = path[1:]
    for pattern in UNTRUSTED:
        if not (anyone or names & set(_PAYLOAD.get(pattern[0], ()))):
            continue
        if _match(rest, pattern) or _prefix(rest, pattern):
            return True
    return False


def _chain(node: expr.Node) -> tuple[str, tuple[str, ...]] | None:
    """(context, lower-case path) of an access chain (``*`` for any index that is not a string
    literal); None when it does not start at a context."""
    parts: list[str] = []
    cur: expr.Node = node
    while isinstance(cur, expr.Property | expr.Index):
        if isinstance(cur, expr.Property):
            parts.append(cur.name.lower())
        elif isinstance(cur.index, expr.Star):
            parts.append("*")
        elif isinstance(cur.index, expr.Literal) and isinstance(cur.index.value, str):
            parts.append(cur.index.value.lower())
        else:  # a number or a computed index: some element, whichever
            parts.append("*")
        cur = cur.target
    if not isinstance(cur, expr.Context):
        return None
    parts.reverse()
    return cur.name.lower(), tuple(parts)


def sources(node: expr.Node, evs: Iterable[str], inner: str = "") -> list[Source]:
    """The untrusted values that flow into the result of ``node`` (not those only compared,
    tested or counted)."""
    names = frozenset(evs)
    out: list[Source] = []

    def visit(n: expr.Node) -> None:
        if isinstance(n, expr.Property | expr.Index | expr.Context):
            got = _chain(n)
            if got is not None:
                ctx, path = got
                if ctx == "github" and untrusted(path, names):
                    written = inner[n.start : n.end] if inner else ".".join(("github", *path))
                    out.append(Source(written, n.start, n.end))
                return
            root: expr.Node = n
            while isinstance(root, expr.Property | expr.Index):
                root = root.target
            if isinstance(root, expr.Call):  # fromJSON(x).a carries x's text
                visit(root)
        elif isinstance(n, expr.Call):
            low = n.name.lower()
            if low in _PASSING:
                for a in n.args:
                    visit(a)
            elif low == "case":  # case(pred, value, pred, value, ..., default)
                for i, a in enumerate(n.args):
                    if i % 2 == 1 or i == len(n.args) - 1:
                        visit(a)
        elif isinstance(n, expr.Binary) and n.op in ("&&", "||"):
            visit(n.left)
            visit(n.right)

    visit(node)
    return out


# -- steps and checkouts -----------------------------------------------------------------------

_SHA = re.compile(r"^[0-9a-fA-F]{40}$")


def is_sha(ref: str) -> bool:
    return bool(_SHA.match(ref))


@dataclass(slots=True)
class StepFacts:
    """What a step does, as far as the security audits care."""

    node: TaskNode
    mapping: MapNode
    uses: str | None
    action: str | None  # lower-case ``owner/repo`` of a remote action
    run: ScalarNode | None
    with_: MapNode | None
    checkout: bool = False
    checkout_ref: ScalarNode | None = None  # the ``ref`` or ``repository`` naming untrusted code
    persist: bool = True  # the checkout keeps the token in .git/config
    runs_code: bool = False  # runs code from the workspace: run:, a local action


@dataclass(slots=True)
class JobFacts:
    node: TaskNode
    mapping: MapNode | None
    steps: list[StepFacts] = field(default_factory=list)


#: ``${{ }}`` paths naming the head of a pull request or of a run started by one
HEAD_REFS = (
    ("github", ("head_ref",)),
    ("github", ("event", "pull_request", "head", "sha")),
    ("github", ("event", "pull_request", "head", "ref")),
    ("github", ("event", "pull_request", "head", "repo", "full_name")),
    ("github", ("event", "pull_request", "merge_commit_sha")),
    ("github", ("event", "workflow_run", "head_sha")),
    ("github", ("event", "workflow_run", "head_branch")),
    ("github", ("event", "workflow_run", "head_commit", "id")),
    ("github", ("event", "workflow_run", "head_repository", "full_name")),
)


def names_head(value: str) -> bool:
    """Whether a checkout's ``ref``/``repository`` value names a pull request's head."""
    if "refs/pull/" in value:
        return True
    for _, _, inner in _expressions(value):
        node, _err = expr.parse(inner)
        if node is None:
            continue
        for ref in expr.context_refs(node):
            path = (ref.path[0].lower(), tuple(p.lower() for p in ref.path[1:]))
            if path in HEAD_REFS:
                return True
    return False


def _expressions(value: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, inner text) of each closed ``${{ }}`` in ``value``."""
    for start, inner_start, inner_end, end in find_expressions(value):
        if end >= 0:
            yield start, end, value[inner_start:inner_end]


def _step(node: TaskNode) -> StepFacts | None:
    m = node.mapping
    if m is None:
        return None
    uses = text(get(m, "uses"))
    run = get(m, "run")
    with_ = as_map(get(m, "with"))
    action = None
    if uses is not None and "@" in uses and not uses.startswith(("./", "docker://")):
        name = uses.split("@", 1)[0].lower()
        action = "/".join(name.split("/")[:2])
    st = StepFacts(node, m, uses, action, run if isinstance(run, ScalarNode) else None, with_)
    st.runs_code = st.run is not None or (uses is not None and uses.startswith("./"))
    if action == "actions/checkout":
        st.checkout = True
        for key in ("ref", "repository"):
            v = get(with_, key) if with_ is not None else None
            if isinstance(v, ScalarNode) and names_head(v.value):
                st.checkout_ref = v
                break
        pc = get(with_, "persist-credentials") if with_ is not None else None
        if isinstance(pc, ScalarNode) and pc.value.strip().lower() in ("false", "${{ false }}"):
            st.persist = False
    return st


def jobs(wf: Workflow, cache: dict[str, Any] | None = None) -> list[JobFacts]:
    """Every job of the workflow with its steps' facts (computed once per ``cache``, the
    analysis context's scratch space)."""
    cached = cache.get("security_jobs") if cache is not None else None
    if isinstance(cached, list):
        return cached
    out: list[JobFacts] = []
    for node in wf.tasks_in(wf.root_scope) if wf.root_scope in wf.scopes else []:
        if node.kind != "job":
            continue
        jf = JobFacts(node, node.mapping)
        scope = f"{node.id}/steps"
        if scope in wf.scopes:
            for step in wf.tasks_in(scope):
                st = _step(step)
                if st is not None:
                    jf.steps.append(st)
        out.append(jf)
    if cache is not None:
        cache["security_jobs"] = out
    return out


_SAME_REPO = re.compile(
    r"(head\.repo\.full_name|head_repository\.full_name)\s*==\s*github\.repository\b"
    r"|github\.repository\s*==\s*github\.event\.[a-z_.]*(head\.repo|head_repository)\.full_name"
    r"|(head\.repo|head_repository)\.fork\s*(==|!=)\s*(false|true)\b|!\s*github\.event\.[a-z_.]*(head\.repo|head_repository)\.fork\b"
    r"|workflow_run\.event\s*==\s*'(push|schedule|workflow_dispatch|release|merge_group)'",
    re.IGNORECASE,
)


def same_repo_only(*conditions: Node | None) -> bool:
    """Whether an ``if:`` limits the job or step to heads of the same repository (no forks):
    ``head.repo.full_name == github.repository``, a test of ``head.repo.fork``, or a triggering
    run started by an event no fork can cause (``github.event.workflow_run.event == 'push'``)."""
    for c in conditions:
        if isinstance(c, ScalarNode) and (m := _SAME_REPO.search(c.value)) is not None:
            if "fork" in m.group(0) and ("== true" in m.group(0) or "!= false" in m.group(0)):
                continue  # only forks: the opposite
            return True
    return False


def triggers(root: Node | None, cache: dict[str, Any] | None = None) -> dict[str, ScalarNode | None]:
    """:func:`events` of the document, computed once per ``cache``."""
    cached = cache.get("security_events") if cache is not None else None
    if isinstance(cached, dict):
        return cached
    got = events(root)
    if cache is not None:
        cache["security_events"] = got
    return got


# -- script injection ----------------------------------------------------------------------------


@dataclass(slots=True)
class Injection:
    """An expression expanded into a script with untrusted text in its value.

    ``kind`` is ``run`` or ``script`` (``actions/github-script``); ``via_env`` names the
    environment variable when the expression reads ``env.X`` and X is set from untrusted text
    (then ``env_value`` is that setting)."""

    expression: Expression
    step: StepFacts
    job: JobFacts
    kind: str
    sources: list[Source]
    script: ScalarNode
    via_env: str | None = None
    env_value: ScalarNode | None = None


def _env(m: MapNode | None) -> MapNode | None:
    return as_map(get(m, "env")) if m is not None else None


def env_setting(root: Node | None, job: JobFacts, step: StepFacts, name: str) -> ScalarNode | None:
    """The value that sets environment variable ``name`` for ``step`` (step, job, workflow)."""
    low = name.lower()
    for m in (_env(step.mapping), _env(job.mapping), _env(as_map(root))):
        if m is None:
            continue
        for k, v in entries(m):
            if k.value.lower() == low:
                return v if isinstance(v, ScalarNode) else None
    return None


def _value_sources(value: str, evs: Iterable[str]) -> list[Source]:
    out: list[Source] = []
    for _, _, inner in _expressions(value):
        node, _err = expr.parse(inner)
        if node is not None:
            out.extend(sources(node, evs, inner))
    return out


def injections(wf: Workflow, root: Node | None, cache: dict[str, Any] | None = None) -> list[Injection]:
    """Every expression in a ``run:`` or a github-script ``script`` whose value carries
    untrusted text, directly or through an ``env`` variable set from it."""
    evs = set(triggers(root, cache))
    steps: dict[str, tuple[JobFacts, StepFacts]] = {}
    for jf in jobs(wf, cache):
        for st in jf.steps:
            steps[st.node.id] = (jf, st)
    out: list[Injection] = []
    for e in wf.expressions:
        if e.field not in ("steps.run", "steps.with") or e.node not in steps:
            continue
        jf, st = steps[e.node]
        if e.field == "steps.run":
            if st.run is None:
                continue
            script, kind = st.run, "run"
        else:
            sc = get(st.with_, "script") if st.action == "actions/github-script" and st.with_ else None
            if not isinstance(sc, ScalarNode):
                continue
            if not (sc.start_offset <= e.span.start.offset < sc.end_offset):
                continue
            script, kind = sc, "script"
        node, _err = expr.parse(e.text)
        if node is None:
            continue
        found = sources(node, evs, e.text)
        if found:
            out.append(Injection(e, st, jf, kind, found, script))
            continue
        # ``${{ env.X }}`` where X is set from untrusted text: the same expansion, one step away
        if isinstance(node, expr.Property) and isinstance(node.target, expr.Context):
            if node.target.name.lower() == "env":
                setting = env_setting(root, jf, st, node.name)
                if setting is not None and "${{" in setting.value:
                    via = _value_sources(setting.value, evs)
                    if via:
                        out.append(Injection(e, st, jf, kind, via, script, node.name, setting))
    return out


def env_name(path: str) -> str:
    """An environment variable name for an untrusted value: ``github.event.issue.title`` ->
    ``ISSUE_TITLE``, ``github.head_ref`` -> ``HEAD_REF``."""
    p = re.sub(r"^github\s*\.\s*(event\s*\.\s*)?", "", path.strip(), flags=re.IGNORECASE)
    p = re.sub(r"^github\s*\[\s*'event'\s*\]", "", p, flags=re.IGNORECASE)
    p = re.sub(r"\[[^\]]*\]|\.\s*\*", "", p)  # indexes and object filters name no variable
    name = re.sub(r"[^A-Za-z0-9]+", "_", p).strip("_").upper()
    if not name or name[0].isdigit():
        name = f"EVENT_{name}".rstrip("_")
    return name
