"""Local actions and local reusable workflows, read from disk.

A step ``uses: ./path`` names a directory holding ``action.yml`` (or ``action.yaml``); a job
``uses: ./.github/workflows/x.yml`` names a reusable workflow. Both are resolved against the
workspace root derived from the document's uri (``file://`` or a plain path): the directory
above ``.github/workflows/`` or, failing that, the nearest ancestor holding ``.github``.

A missing or unreadable file is quietly unknown (None): nothing is checked against it. Only a
regular file of at most :data:`MAX_BYTES` is read (never a pipe or a device). A path that leads
outside the repository (``./../x``, or a symbolic link out of it) is not read at all:
:func:`outside` says so, for a finding. The repository is the nearest directory at or above the
workspace root that holds ``.git``, else the workspace folder holding the file (see
:func:`set_folders`), else the workspace root itself. Results are cached by path, size and
modification time, so an editor session rereads a file only when it changes.

An editor holds newer text than the disk for the files it has open: :func:`set_overlay`
installs a function that answers a path with that text (the language server passes its open
documents), and every read here prefers it. :func:`local_uses` and :func:`dependencies` say which
files a workflow's analysis reads, so a caller can tell which workflows a changed file affects.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from wfspec import fsio
from wfspec.paths import uri_to_path as uri_to_path  # re-exported: local.uri_to_path
from wfspec.syntax.parse import parse
from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode, scalar_str

MAX_ANCESTORS = 12
MAX_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Param:
    """An input or secret of an action or reusable workflow."""

    name: str
    required: bool = False
    has_default: bool = False
    type: str = ""


@dataclass(frozen=True, slots=True)
class LocalAction:
    """What a local action's metadata declares."""

    path: str
    inputs: dict[str, Param] = field(default_factory=dict)  # lower-cased name -> param
    outputs: frozenset[str] = frozenset()  # lower-cased names
    using: str = ""


@dataclass(frozen=True, slots=True)
class LocalWorkflow:
    """What a local reusable workflow's ``on.workflow_call`` declares."""

    path: str
    callable: bool
    inputs: dict[str, Param] = field(default_factory=dict)
    secrets: dict[str, Param] = field(default_factory=dict)
    outputs: frozenset[str] = frozenset()


def workspace_root(uri: str) -> Path | None:
    """The repository root a workflow's local references resolve against, if any."""
    root: Path | None = None
    path = uri_to_path(uri)
    if path is not None:
        parts = path.parts
        for i in range(len(parts) - 2, 0, -1):
            if parts[i] == ".github" and i + 1 < len(parts) and parts[i + 1] == "workflows":
                root = Path(*parts[:i])
                break
        if root is None:
            cur = path.parent
            for _ in range(MAX_ANCESTORS):
                try:
                    if (cur / ".github").is_dir():
                        root = cur
                        break
                except OSError:
                    break
                if cur.parent == cur:
                    break
                cur = cur.parent
    return root


def path_key(path: Path | str) -> str:
    """The form paths are compared in: normalized, and case-folded where the file system is."""
    return os.path.normcase(os.path.normpath(str(path)))


#: answers a path (in :func:`path_key` form) with the text an editor holds for it, else None
Overlay = Callable[[str], str | None]
_overlay: Overlay | None = None


def set_overlay(overlay: Overlay | None) -> None:
    """Read files through ``overlay`` first (None: the disk only)."""
    global _overlay
    _overlay = overlay


def _overlay_text(path: Path) -> str | None:
    overlay = _overlay
    if overlay is None:
        return None
    try:
        return overlay(path_key(path))
    except Exception:  # noqa: BLE001 - a failing overlay means "read the disk"
        return None


Stamp = tuple[object, ...]
_CACHE: dict[tuple[str, str], tuple[Stamp, object]] = {}
MAX_CACHED = 512


def stamp(path: Path) -> Stamp | None:
    """What identifies the content of ``path`` now: the editor's text, or the file's
    modification time and size; None when it cannot be read."""
    text = _overlay_text(path)
    if text is not None:
        return ("text", len(text), hash(text))
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _store(kind: str, path: Path, stamp: Stamp, value: object) -> None:
    if len(_CACHE) >= MAX_CACHED:
        _CACHE.clear()
    _CACHE[(kind, str(path))] = (stamp, value)


def _read(path: Path) -> tuple[Stamp, MapNode | None] | None:
    text = _overlay_text(path)
    if text is not None:
        doc = parse(text)
        return ("text", len(text), hash(text)), doc.root if isinstance(doc.root, MapNode) else None
    try:
        st = path.stat()
        data = fsio.read_bytes(path, MAX_BYTES)
    except OSError:
        return None
    doc = parse(data)
    root = doc.root if isinstance(doc.root, MapNode) else None
    return (st.st_mtime_ns, st.st_size), root


def _cached(kind: str, path: Path) -> tuple[bool, object]:
    """(hit, value) for a cache entry still matching the file's content stamp."""
    key = (kind, str(path))
    entry = _CACHE.get(key)
    if entry is None:
        return False, None
    now = stamp(path)
    if now is None or entry[0] != now:
        return False, None
    return True, entry[1]


def _params(node: Node | None) -> dict[str, Param]:
    out: dict[str, Param] = {}
    if not isinstance(node, MapNode):
        return out
    for key, value in node.items():
        required = False
        has_default = False
        typ = ""
        if isinstance(value, MapNode):
            req = value.get("required")
            required = isinstance(req, ScalarNode) and req.python() is True
            has_default = "default" in value
            typ = scalar_str(value.get("type")) or ""
        out[key.value.lower()] = Param(key.value, required, has_default, typ)
    return out


def _keys(node: Node | None) -> frozenset[str]:
    if not isinstance(node, MapNode):
        return frozenset()
    return frozenset(k.lower() for k in node.keys())


def _join(root: Path, rel: str) -> Path:
    rel = rel.strip()
    if rel.startswith("./"):
        rel = rel[2:]
    return root / rel


_folders: tuple[Path, ...] = ()
_REPOS: dict[str, Path] = {}


def set_folders(folders: tuple[Path, ...]) -> None:
    """The editor's workspace folders: the boundary for files in them outside any git
    repository (the CLI sets none)."""
    global _folders
    _folders = tuple(folders)
    _REPOS.clear()


def repository_root(root: Path) -> Path:
    """The directory local references of a workflow under ``root`` must stay in: the nearest
    one at or above ``root`` holding ``.git``, else the workspace folder holding ``root``,
    else ``root``."""
    key = str(root)
    got = _REPOS.get(key)
    if got is not None:
        return got
    found: Path | None = None
    cur = root
    for _ in range(4 * MAX_ANCESTORS):
        try:
            if (cur / ".git").exists():
                found = cur
                break
        except OSError:
            break
        if cur.parent == cur:
            break
        cur = cur.parent
    if found is None:
        holding = [f for f in _folders if fsio.is_within(root, f)]
        found = max(holding, key=lambda f: len(str(f))) if holding else root
    if len(_REPOS) >= MAX_CACHED:
        _REPOS.clear()
    _REPOS[key] = found
    return found


def outside(root: Path | None, rel: str) -> bool:
    """Whether the local path ``rel`` (``./...``) resolves, ``..`` and symbolic links
    followed, to somewhere outside the repository of ``root``: such a file is never read."""
    if root is None:
        return False
    return not fsio.is_within(_join(root, rel), repository_root(root))


def load_action(root: Path | None, rel: str) -> LocalAction | None:
    """The metadata of the local action at ``rel`` (``./path``), or None when it cannot be read."""
    if root is None or outside(root, rel):
        return None
    base = _join(root, rel)
    for name in ("action.yml", "action.yaml"):
        path = base / name
        if outside(root, f"{rel.rstrip('/')}/{name}"):  # a metadata file linked out
            continue
        hit, value = _cached("action", path)
        if hit:
            if value is not None:
                return value  # type: ignore[return-value]
            continue
        got = _read(path)
        if got is None:
            continue
        stamp, doc = got
        action: LocalAction | None = None
        if doc is not None:
            runs = doc.get("runs")
            using = scalar_str(runs.get("using")) if isinstance(runs, MapNode) else None
            action = LocalAction(
                path=str(path),
                inputs=_params(doc.get("inputs")),
                outputs=_keys(doc.get("outputs")),
                using=(using or "").lower(),
            )
        _store("action", path, stamp, action)
        if action is not None:
            return action
    return None


def load_workflow(root: Path | None, rel: str) -> LocalWorkflow | None:
    """What the local reusable workflow at ``rel`` declares, or None when it cannot be read."""
    if root is None or outside(root, rel):
        return None
    path = _join(root, rel)
    hit, value = _cached("workflow", path)
    if hit:
        return value  # type: ignore[return-value]
    got = _read(path)
    if got is None:
        return None
    stamp, doc = got
    wf: LocalWorkflow | None = None
    if doc is not None:
        on = doc.get("on")
        call: Node | None = None
        callable_ = False
        if isinstance(on, ScalarNode):
            callable_ = on.value == "workflow_call"
        elif isinstance(on, MapNode):
            callable_ = "workflow_call" in on
            call = on.get("workflow_call")
        elif isinstance(on, SeqNode):
            callable_ = any(scalar_str(i) == "workflow_call" for i in on.items)
        if isinstance(call, MapNode):
            wf = LocalWorkflow(
                path=str(path),
                callable=callable_,
                inputs=_params(call.get("inputs")),
                secrets=_params(call.get("secrets")),
                outputs=_keys(call.get("outputs")),
            )
        else:
            wf = LocalWorkflow(path=str(path), callable=callable_)
    _store("workflow", path, stamp, wf)
    return wf


def local_uses(root: Node | None) -> list[tuple[str, str]]:
    """The local things a workflow document uses: ``("workflow", "./...")`` for each job calling a
    local reusable workflow and ``("action", "./...")`` for each step using a local action, in
    document order, without repeats. Expressions in ``uses:`` are skipped."""
    out: list[tuple[str, str]] = []
    jobs = root.get("jobs") if isinstance(root, MapNode) else None
    if not isinstance(jobs, MapNode):
        return out

    def add(kind: str, node: Node | None) -> None:
        rel = (scalar_str(node) or "").strip()
        if rel.startswith("./") and "${{" not in rel and (kind, rel) not in out:
            out.append((kind, rel))

    for _, job in jobs.items():
        if not isinstance(job, MapNode):
            continue
        add("workflow", job.get("uses"))
        steps = job.get("steps")
        if isinstance(steps, SeqNode):
            for step in steps.items:
                if isinstance(step, MapNode):
                    add("action", step.get("uses"))
    return out


def dependencies(root: Node | None, uri: str) -> list[Path]:
    """The files whose content the analysis of a workflow reads: its local reusable workflows
    and the metadata files of its local actions (both spellings: either may appear)."""
    base = workspace_root(uri)
    if base is None:
        return []
    out: list[Path] = []
    for kind, rel in local_uses(root):
        if outside(base, rel):
            continue
        target = _join(base, rel)
        if kind == "workflow":
            out.append(target)
        else:
            out.extend((target / "action.yml", target / "action.yaml"))
    return out
