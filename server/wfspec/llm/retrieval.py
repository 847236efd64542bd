"""Retrieval for prompts: the workspace vocabulary and the most similar specs.

- :class:`Vocabulary`: the names a suggestion may use: functions (``use.functions``), agents
  (A2A agent cards and endpoints), secrets, authentications, errors and task names, gathered
  from the current document and the workspace's workflow files; for GitHub Actions, the
  document's job ids with their outputs and the actions (``uses:``) in use.
- :class:`SpecIndex`: a small local similarity index (TF-IDF over identifier-aware tokens,
  cosine similarity) over the clean specs of some directories; no heavy dependencies, built in
  milliseconds for hundreds of files and cached by the files' modification times. Only regular
  files of at most :data:`MAX_BYTES` are read (:func:`wfspec.fsio.read_bytes`), and a symbolic
  link whose target lies outside the directory being walked is skipped: what is indexed may
  reach a prompt.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from wfspec import fsio, paths
from wfspec.analysis.engine import Analysis, analyze
from wfspec.syntax.tree import MapNode, Node, ScalarNode, scalar_str

YAML_SUFFIXES = (".yaml", ".yml")
#: folders left out on top of the walk's own skip list: planted defects are no exemplars
EXCLUDED_DIRS = frozenset({"faulty"})
MAX_FILES = 400
MAX_BYTES = 256 * 1024

_STOP = frozenset(
    "a an and are as at be by for from in into is it of on or so that the then this to with when "
    "do use dsl document version namespace name yaml workflow workflows task tasks step steps".split()
)


def tokens(text: str) -> list[str]:
    """Lower-case word tokens; camelCase, kebab-case and snake_case identifiers are split."""
    out: list[str] = []
    for word in re.findall(r"[A-Za-z][A-Za-z0-9]*", text):
        if any(ch.isdigit() for ch in word) and len(word) <= 8:  # a2a, oauth2, s3: keep whole
            out.append(word.lower())
            continue
        for part in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", word):
            p = part.lower()
            if len(p) >= 2 and p not in _STOP:
                out.append(p)
    return out


# -- vocabulary ---------------------------------------------------------------------------


@dataclass
class Vocabulary:
    """Names a suggestion may use, each with a short description."""

    functions: dict[str, str] = field(default_factory=dict)
    agents: dict[str, str] = field(default_factory=dict)  # label -> agent card or endpoint URL
    secrets: list[str] = field(default_factory=list)
    authentications: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)  # task names of the current document
    #: GitHub Actions: the document's job ids and the outputs each declares
    jobs: dict[str, list[str]] = field(default_factory=dict)
    #: GitHub Actions: remote actions in use (``owner/repo@ref``)
    actions: list[str] = field(default_factory=list)

    def merge(self, other: Vocabulary, *, tasks: bool = False) -> None:
        for k, v in other.functions.items():
            self.functions.setdefault(k, v)
        for k, v in other.agents.items():
            if v not in self.agents.values():
                self.agents.setdefault(k, v)
        for mine, theirs in (
            (self.secrets, other.secrets),
            (self.authentications, other.authentications),
            (self.errors, other.errors),
            (self.actions, other.actions),
        ):
            mine.extend(x for x in theirs if x not in mine)
        if tasks:
            self.tasks.extend(x for x in other.tasks if x not in self.tasks)
            for k, outs in other.jobs.items():
                self.jobs.setdefault(k, list(outs))

    def names(self) -> list[str]:
        """Every function name and agent label (what an outline step may "use")."""
        return list(self.functions) + list(self.agents)

    def is_empty(self) -> bool:
        return not (self.functions or self.agents or self.secrets or self.tasks or self.actions)

    def render(self, limit: int = 40, *, dialect: str = "serverless") -> str:
        """A compact text block for prompts."""
        if dialect == "github":
            return self._render_github(limit)
        lines: list[str] = []
        if self.functions:
            lines.append("functions (call them with `call: <name>`):")
            lines += [f"  - {k}: {v}" for k, v in list(self.functions.items())[:limit]]
        if self.agents:
            lines.append("agents (call them with `call: a2a` and `with.agentCard.endpoint`):")
            lines += [f"  - {k}: {v}" for k, v in list(self.agents.items())[:limit]]
        if self.secrets:
            lines.append(
                "secrets (read them as `$secrets.<name>`; declared in use.secrets): "
                + ", ".join(self.secrets[:limit])
            )
        if self.authentications:
            lines.append("authentications: " + ", ".join(self.authentications[:limit]))
        if self.errors:
            lines.append("errors: " + ", ".join(self.errors[:limit]))
        if self.tasks:
            lines.append(
                "task names already in this document (do not reuse them): " + ", ".join(self.tasks[:limit])
            )
        return "\n".join(lines) if lines else "(no workspace vocabulary)"

    def _render_github(self, limit: int) -> str:
        lines: list[str] = []
        if self.jobs:
            jobs = [
                f"{k} (outputs: {', '.join(outs[:8])})" if outs else k
                for k, outs in list(self.jobs.items())[:limit]
            ]
            lines.append("existing jobs (their ids are taken; `needs:` may name them): " + "; ".join(jobs))
        if self.actions:
            lines.append("actions in use (`uses:`): " + ", ".join(self.actions[:limit]))
        if self.secrets:
            lines.append("secrets (read them as `${{ secrets.NAME }}`): " + ", ".join(self.secrets[:limit]))
        return "\n".join(lines) if lines else "(no workspace vocabulary)"


_GH_SECRET = re.compile(r"\bsecrets\.([A-Za-z_][A-Za-z0-9_-]*)")


def _github_vocabulary(analysis: Analysis, v: Vocabulary) -> Vocabulary:
    """Job ids with their outputs, remote actions in use and secrets read, of a GitHub
    Actions workflow."""
    wf = analysis.workflow
    assert wf is not None
    for tid in wf.scopes[wf.root_scope].tasks:
        node = wf.nodes[tid]
        if node.kind == "job" and node.name not in v.jobs:
            v.jobs[node.name] = []
            v.tasks.append(node.name)
    for d in wf.definitions:
        if d.kind == "job-output":
            job, out = str(d.data.get("job", "")), str(d.data.get("output", ""))
            if job in v.jobs and out and out not in v.jobs[job]:
                v.jobs[job].append(out)
    for node in wf.nodes.values():
        uses = node.payload.get("uses") if node.kind == "step" else None
        if isinstance(uses, str) and _is_remote_action(uses) and uses not in v.actions:
            v.actions.append(uses)
    for m in _GH_SECRET.finditer(analysis.text):
        if m.group(1) not in v.secrets:
            v.secrets.append(m.group(1))
    return v


def _is_remote_action(uses: str) -> bool:
    """``owner/repo[/path]@ref``: not local, not a Docker image, not an expression."""
    name, sep, ref = uses.partition("@")
    return bool(sep and ref and "/" in name) and not uses.startswith((".", "docker://")) and "${{" not in uses


def _describe_function(body: Node | None) -> str:
    if not isinstance(body, MapNode):
        return "function"
    call = scalar_str(body.get("call")) or "function"
    with_ = body.get("with")
    where = ""
    if isinstance(with_, MapNode):
        ep = with_.get("endpoint")
        where = scalar_str(ep) or (scalar_str(ep.get("uri")) if isinstance(ep, MapNode) else None) or ""
        if not where:
            doc = with_.get("document")
            if isinstance(doc, MapNode):
                where = scalar_str(doc.get("endpoint")) or ""
    return f"{call} {where}".strip()


def _agent_url(with_: MapNode) -> str | None:
    for key in ("agentCard", "server"):
        v = with_.get(key)
        url = scalar_str(v)
        if url is None and isinstance(v, MapNode):
            url = scalar_str(v.get("endpoint")) or scalar_str(v.get("uri"))
            if url is None:
                ep = v.get("endpoint")
                if isinstance(ep, MapNode):
                    url = scalar_str(ep.get("uri"))
        if url and "${" not in url:
            return url
    return None


def _agent_label(url: str, taken: Iterable[str]) -> str:
    parts = [
        p
        for p in re.split(r"[/.:]+", url)
        if p
        and p
        not in (
            "https",
            "http",
            "www",
            "com",
            "example",
            "well-known",
            "agent-card",
            "json",
            "a2a",
            "agents",
            "api",
        )
    ]
    base = parts[-1] if parts else "agent"
    label = re.sub(r"[^A-Za-z0-9]+", "-", base).strip("-").lower() or "agent"
    label = f"{label}-agent" if not label.endswith("agent") else label
    n, out = 2, label
    taken = set(taken)
    while out in taken:
        out, n = f"{label}-{n}", n + 1
    return out


def vocabulary_of(analysis: Analysis) -> Vocabulary:
    """The vocabulary of one analyzed document (empty when it is no workflow)."""
    v = Vocabulary()
    wf = analysis.workflow
    if wf is None:
        return v
    if analysis.dialect == "github":
        return _github_vocabulary(analysis, v)
    for d in wf.definitions:
        if d.kind == "function":
            v.functions.setdefault(d.name, _describe_function(d.node))
        elif d.kind == "secret" and d.name not in v.secrets:
            v.secrets.append(d.name)
        elif d.kind == "authentication" and d.name not in v.authentications:
            v.authentications.append(d.name)
        elif d.kind == "error" and d.name not in v.errors:
            v.errors.append(d.name)
    for node in wf.nodes.values():
        if node.name not in v.tasks:
            v.tasks.append(node.name)
        body = node.mapping
        if body is None or scalar_str(body.get("call")) != "a2a":
            continue
        with_ = body.get("with")
        if isinstance(with_, MapNode):
            url = _agent_url(with_)
            if url and url not in v.agents.values():
                v.agents[_agent_label(url, v.agents)] = url
    return v


def outline_of(analysis: Analysis, vocab: Vocabulary) -> tuple[tuple[str, str, str], ...]:
    """The top-level tasks of a Serverless Workflow as outline steps (name, action, uses)."""
    wf = analysis.workflow
    if wf is None or analysis.dialect != "serverless":
        return ()
    agents = {v: k for k, v in vocab.agents.items()}
    out: list[tuple[str, str, str]] = []
    for tid in wf.scopes[wf.root_scope].tasks:
        node = wf.nodes[tid]
        body = node.mapping
        action, uses = "set", ""
        if node.kind == "call" and body is not None:
            call = scalar_str(body.get("call")) or ""
            with_ = body.get("with")
            if call == "a2a":
                action = "call-agent"
                url = _agent_url(with_) if isinstance(with_, MapNode) else None
                uses = agents.get(url or "", "")
            elif call in vocab.functions:
                action, uses = "call-function", call
            else:
                action = "call-http"
        elif node.kind in ("wait", "emit", "listen", "raise"):
            action = node.kind
        elif node.kind == "run":
            action = "run-workflow"
        out.append((node.name, action, uses))
    return tuple(out)


# -- similar specs ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spec:
    """One indexed spec file."""

    path: Path
    text: str
    title: str
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    outline: tuple[tuple[str, str, str], ...] = ()  # top-level (name, action, uses)

    @property
    def summary(self) -> str:
        """The leading comment block (what the spec is for), else the title."""
        lines = []
        for ln in self.text.splitlines():
            if not ln.startswith("#"):
                break
            lines.append(ln.lstrip("#").strip())
        return " ".join(x for x in lines if x) or self.title


def iter_spec_files(dirs: Sequence[Path]) -> list[Path]:
    """YAML files under ``dirs`` (sorted, bounded, skipping vendored and ``faulty`` folders)."""
    out: list[Path] = []
    for d in dirs:
        if d.is_file():
            out.append(d)
            continue
        if not d.is_dir():
            continue
        for _, files in paths.yaml_dirs(d, also_skip=EXCLUDED_DIRS):
            for path in files:
                if paths.links_out(path, d):
                    continue  # a link out of the directory
                out.append(path)
                if len(out) >= MAX_FILES:
                    return out
    return out


def _title(analysis: Analysis, path: Path) -> str:
    root = analysis.doc.root
    if isinstance(root, MapNode):
        doc = root.get("document")
        if isinstance(doc, MapNode):
            for key in ("title", "summary", "name"):
                val = doc.get(key)
                if isinstance(val, ScalarNode) and val.value:
                    return val.value
    return path.stem


class SpecIndex:
    """TF-IDF over the clean workflow specs of some directories, plus their vocabulary."""

    def __init__(self, specs: Sequence[Spec], vocabulary: Vocabulary | None = None) -> None:
        self.specs = list(specs)
        self.vocabulary = vocabulary or Vocabulary()
        docs = [Counter(tokens(s.text)) for s in self.specs]
        df: Counter[str] = Counter()
        for d in docs:
            df.update(d.keys())
        n = len(docs)
        self.idf = {t: math.log((n + 1) / (c + 1)) + 1.0 for t, c in df.items()}
        self.vectors = [self._vector(d) for d in docs]

    def _vector(self, counts: Counter[str]) -> dict[str, float]:
        vec = {t: (1.0 + math.log(c)) * self.idf.get(t, 1.0) for t, c in counts.items()}
        norm = math.sqrt(sum(x * x for x in vec.values())) or 1.0
        return {t: x / norm for t, x in vec.items()}

    def relevant_vocabulary(self, query: str, k: int = 3) -> Vocabulary:
        """The vocabulary of the ``k`` specs most similar to ``query`` (task names left out)."""
        out = Vocabulary()
        for _, spec in self.search(query, k):
            out.merge(spec.vocabulary)
        return out

    def search(self, query: str, k: int = 2) -> list[tuple[float, Spec]]:
        """The ``k`` specs most similar to ``query`` with their cosine scores (best first)."""
        q = self._vector(Counter(t for t in tokens(query) if t in self.idf))
        scored = []
        for spec, vec in zip(self.specs, self.vectors, strict=True):
            score = sum(w * vec.get(t, 0.0) for t, w in q.items())
            if score > 0:
                scored.append((score, spec))
        scored.sort(key=lambda p: (-p[0], str(p[1].path)))
        return scored[:k]

    @classmethod
    def build(cls, dirs: Sequence[Path], *, dialect: str | None = "serverless") -> SpecIndex:
        """Index the YAML files under ``dirs`` that analyze without errors (as ``dialect``)."""
        specs: list[Spec] = []
        vocab = Vocabulary()
        for path in iter_spec_files(dirs):
            try:
                data = fsio.read_bytes(path, MAX_BYTES)
            except OSError:
                continue
            if dialect is not None and not _may_be(data, dialect):
                continue  # cheaper than analyzing every YAML file of a large workspace
            a = analyze(data, path.resolve().as_uri())
            if a.dialect is None or (dialect is not None and a.dialect != dialect) or a.has_errors:
                continue
            v = vocabulary_of(a)
            specs.append(Spec(path, a.text, _title(a, path), v, outline_of(a, v)))
            vocab.merge(v)
        return cls(specs, vocab)


#: top-level keys a document of each dialect has (a necessary, not a sufficient, condition)
_TOP_KEYS = {"serverless": (b"document", b"do"), "github": (b"jobs",)}


def _may_be(data: bytes, dialect: str) -> bool:
    keys = _TOP_KEYS.get(dialect)
    if keys is None:
        return True
    return all(re.search(rb"(?m)^[\"']?" + k + rb"[\"']?[ \t]*:", data) for k in keys)


_INDEX_CACHE: dict[tuple[object, ...], SpecIndex] = {}


def cached_index(dirs: Sequence[Path], *, dialect: str | None = "serverless") -> SpecIndex:
    """:meth:`SpecIndex.build`, cached until a file under ``dirs`` changes."""
    files = iter_spec_files(dirs)
    sig: list[object] = [dialect]
    for f in files:
        try:
            st = f.stat()
            sig.append((str(f), st.st_mtime_ns, st.st_size))
        except OSError:
            pass
    key = tuple(sig)
    got = _INDEX_CACHE.get(key)
    if got is None:
        got = SpecIndex.build(dirs, dialect=dialect)
        _INDEX_CACHE.clear()
        _INDEX_CACHE[key] = got
    return got


def project_specs_dir() -> Path | None:
    """The ``specs/`` folder of a source checkout of wfspec, when there is one."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        cand = parent / "specs"
        if (parent / "pyproject.toml").is_file() and cand.is_dir():
            return cand
    return None


def default_dirs(workspace: Path | None) -> list[Path]:
    """Where similar specs come from: the workspace and the project's shipped specs."""
    out: list[Path] = []
    if workspace is not None and workspace.is_dir():
        out.append(workspace)
    shipped = project_specs_dir()
    if shipped is not None and all(shipped != d and shipped not in d.parents for d in out):
        out.append(shipped)
    return out


def excerpt(spec: Spec, max_chars: int = 1800) -> str:
    """The spec text without its comment-only lines, cut at a line boundary."""
    lines = [ln for ln in spec.text.splitlines() if not ln.lstrip().startswith("#")]
    text = "\n".join(lines)
    if len(text) <= max_chars:
        return text
    cut = text.rfind("\n", 0, max_chars)
    return text[: cut if cut > 0 else max_chars] + "\n# ..."
