"""Workflow files that are not open: workspace diagnostics and the files a change affects.

The server tracks its open documents; :class:`Project` knows the rest of the workspace folders.
It lists the YAML files under them (skipping hidden trees other than ``.github``, ``node_modules``,
virtual environments and caches; at most :data:`MAX_FILES` files, none larger than the
``maxFileSize`` setting), keeps the workflow files among them (``.github/workflows/*.yml|yaml``,
and Serverless Workflow documents the dialect detection recognizes) with the local files each
one's analysis reads, and analyzes the ones that are not open from disk. Listing, reading and
analyzing run on a worker thread of their own, one file per job, so edits and requests never
wait behind a workspace scan. Files are read with :func:`wfspec.fsio.read_bytes`: regular files
only, bounded by ``maxFileSize`` (a named pipe or a link to a device is skipped, never waited
on); a symbolic link whose target lies outside its workspace folder is not listed, and no file
outside the workspace folders is read for references or rename.

- ``workspace/diagnostic`` (clients that announce ``workspace.diagnostics``): one report per
  workflow file that is not open (document pulls cover open ones), ``unchanged`` where the
  client's result id still holds; a file that had problems and left the workspace (deleted,
  setting turned off) is reported once more, empty.
- Open documents win over the disk: :func:`wfspec.dialects.github.local.set_overlay` makes every
  local reusable workflow and action be read from the editor's text when it is open.
- After an open document changes (debounced) or is saved or closed, and on
  ``workspace/didChangeWatchedFiles``, the workflows that read the changed file (callers of a
  local reusable workflow or action) are analyzed again: open ones through the usual pipeline;
  the others, for clients without workspace pull diagnostics, pushed with
  ``textDocument/publishDiagnostics`` (and cleared when they become clean). Pull clients that
  support ``workspace/diagnostic/refresh`` are asked to pull again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from wfspec import dialects, fsio, paths
from wfspec.analysis.config import Config
from wfspec.dialects.github import local
from wfspec.dialects.serverless import SUFFIXES as SW_SUFFIXES
from wfspec.lsp.state import Snapshot, WfspecServer, uri_to_path
from wfspec.syntax.parse import parse

if TYPE_CHECKING:
    from wfspec.analysis.engine import Analysis

log = logging.getLogger("wfspec.lsp")

MAX_FILES = 2000  # YAML files looked at across the workspace folders
MAX_DIRS = 20_000  # directories walked
LIST_TTL = 10.0  # seconds a directory listing is reused (file watchers invalidate it sooner)
YAML = (".yml", ".yaml")
WATCH_GLOB = "**/*.{yml,yaml}"
WATCH_ID = "wfspec-watch-yaml"


def is_workflow_path(path: Path) -> bool:
    """A GitHub Actions workflow by location: ``.github/workflows/*.yml|yaml``."""
    return (
        path.suffix.lower() in YAML
        and path.parent.name == "workflows"
        and path.parent.parent.name == ".github"
    )


def affects_others(path: Path) -> bool:
    """A file other workflows read: a (reusable) workflow or a local action's metadata."""
    return is_workflow_path(path) or path.name in ("action.yml", "action.yaml")


def list_yaml(roots: Iterable[Path], limit: int = MAX_FILES) -> tuple[list[Path], bool]:
    """The YAML files under ``roots`` in a stable order, and whether the walk stopped at a limit."""
    out: list[Path] = []
    seen: set[str] = set()
    dirs = 0
    for root in roots:
        for _, files in paths.yaml_dirs(root):
            dirs += 1
            for path in files:
                if paths.links_out(path, root):
                    continue  # a link out of the workspace folder
                key = local.path_key(path)
                if key in seen:  # nested workspace folders
                    continue
                seen.add(key)
                out.append(path)
                if len(out) >= limit:
                    return out, True
            if dirs >= MAX_DIRS:
                return out, True
    return out, False


@dataclass(frozen=True, slots=True)
class WorkflowFile:
    """One YAML file of the workspace as last seen on disk."""

    key: str  # local.path_key form
    path: Path
    uri: str
    stamp: tuple[int, int]  # modification time (ns) and size
    dialect: str | None  # None: not a workflow (or too large to look at)
    deps: frozenset[str]  # path keys of the files its analysis reads


def classify(path: Path, max_bytes: int) -> WorkflowFile | None:
    """What a file on disk is; None when it cannot be read."""
    try:
        st = path.stat()
    except OSError:
        return None
    uri = path.as_uri()
    key = local.path_key(path)
    stamp = (st.st_mtime_ns, st.st_size)
    nothing = WorkflowFile(key, path, uri, stamp, None, frozenset())
    if st.st_size > max_bytes:
        return nothing
    try:
        data = fsio.read_bytes(path, max_bytes)
    except fsio.FileTooLarge:
        return nothing
    except OSError:
        return None
    github = is_workflow_path(path)
    if not github and b"document" not in data and not path.name.lower().endswith(SW_SUFFIXES):
        return nothing  # cheap: no Serverless Workflow document lacks both
    doc = parse(data, max_bytes=max_bytes)
    if github:
        deps = frozenset(local.path_key(p) for p in local.dependencies(doc.root, uri))
        return WorkflowFile(key, path, uri, stamp, "github", deps)
    try:
        dialect = dialects.detect(doc, uri) if not doc.fatal else None
    except Exception:  # noqa: BLE001 - detection must not take the scan down
        log.exception("dialect detection failed for %s", uri)
        dialect = None
    return WorkflowFile(key, path, uri, stamp, "serverless" if dialect == "serverless" else None, frozenset())


def analyze_file(path: Path, uri: str, config: Config) -> Analysis | None:
    """The analysis of a file as it is on disk; None when it cannot be read (not a regular
    file, or larger than the configuration's ``max_file_size``)."""
    try:
        data = fsio.read_bytes(path, config.max_file_size)
    except OSError:
        return None
    from wfspec.analysis.engine import analyze

    try:
        return analyze(data, uri, config)
    except Exception:  # noqa: BLE001 - analyze should never raise; if it does, skip the file
        log.exception("analysis crashed for %s", uri)
        return None


def _snapshot_deps(snap: Snapshot) -> frozenset[str]:
    if snap.analysis.dialect != "github":
        return frozenset()
    return snap.get(
        "deps",
        lambda: frozenset(local.path_key(p) for p in local.dependencies(snap.analysis.doc.root, snap.uri)),
    )


_Result = tuple[tuple[object, ...], list[types.Diagnostic], str]


class Project:
    """The workspace folders' workflow files, their analyses, and what was reported for them."""

    def __init__(self, ls: WfspecServer) -> None:
        self.ls = ls
        #: the client pulls workspace diagnostics (else non-open dependents are pushed)
        self.workspace_pull = False
        #: path key -> uri of every open document (replaced, never mutated: worker threads read it)
        self.open: dict[str, str] = {}
        #: uri -> whether the last workspace report of it had problems
        self.reported: dict[str, bool] = {}
        #: uri -> result id of the diagnostics pushed for a file that is not open
        self.pushed: dict[str, str] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wfspec-workspace")
        # worker thread only:
        self._listing: tuple[tuple[Path, ...], float, list[Path]] | None = None
        self._files: dict[str, tuple[int, WorkflowFile]] = {}
        # event loop only:
        self._results: dict[str, _Result] = {}
        self._changed: set[str] = set()
        self._external = False
        self._refresh: asyncio.Task[None] | None = None
        self._folders: tuple[Path, ...] = ()

    # -- open documents ------------------------------------------------------------------------
    def overlay_text(self, key: str) -> str | None:
        """The editor's text of the file ``key`` when it is open (called on worker threads)."""
        uri = self.open.get(key)
        doc = self.ls.documents.get(uri) if uri is not None else None
        return doc.text if doc is not None else None

    def key_of(self, uri: str) -> str | None:
        path = uri_to_path(uri)
        return local.path_key(path) if path is not None else None

    # -- files ---------------------------------------------------------------------------------
    def roots(self) -> list[Path]:
        """The workspace folders (or the root uri) that exist on disk."""
        try:
            ws = self.ls.workspace
        except RuntimeError:  # not initialized
            return []
        uris = [f.uri for f in ws.folders.values()] or ([ws.root_uri] if ws.root_uri else [])
        out: list[Path] = []
        for uri in uris:
            path = uri_to_path(uri)
            if path is not None and path.is_dir():
                out.append(path)
        if tuple(out) != self._folders:
            self._folders = tuple(out)
            local.set_folders(self._folders)
        return out

    def invalidate_listing(self) -> None:
        """A file was created or deleted: list the folders again next time."""
        self._listing = None

    async def workflows(self) -> list[WorkflowFile]:
        """The workflow files of the workspace folders, open or not."""
        roots = tuple(self.roots())
        if not roots:
            return []
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._scan, roots, self.ls.settings.max_file_size)

    def _scan(self, roots: tuple[Path, ...], max_bytes: int) -> list[WorkflowFile]:
        now = time.monotonic()
        listing = self._listing
        if listing is None or listing[0] != roots or now - listing[1] > LIST_TTL:
            paths, truncated = list_yaml(roots)
            if truncated:
                log.warning("workspace diagnostics: looked at the first %d YAML files only", len(paths))
            listing = (roots, now, paths)
            self._listing = listing
        out: list[WorkflowFile] = []
        for path in listing[2]:
            key = local.path_key(path)
            try:
                st = path.stat()
            except OSError:
                self._files.pop(key, None)
                continue
            cached = self._files.get(key)
            wf = cached[1] if cached is not None else None
            if (
                cached is None
                or cached[0] != max_bytes
                or wf is None
                or wf.stamp != (st.st_mtime_ns, st.st_size)
            ):
                wf = classify(path, max_bytes)
                if wf is None:
                    self._files.pop(key, None)
                    continue
                self._files[key] = (max_bytes, wf)
            if wf.dialect is not None:
                out.append(wf)
        return out

    async def file(self, path: Path) -> WorkflowFile | None:
        """One file on disk, classified; None outside the workspace folders (when there are
        any: a local reusable workflow is read only inside its repository in any case)."""
        roots = self.roots()
        if roots and not any(fsio.is_within(path, r) for r in roots):
            return None
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, classify, path, self.ls.settings.max_file_size)

    async def analyze(self, wf: WorkflowFile) -> Analysis | None:
        """A fresh analysis of a file as it is on disk (its local dependencies as the editor
        shows them)."""
        loop = asyncio.get_running_loop()
        config = self.ls.config_for(wf.uri)
        return await loop.run_in_executor(self._executor, analyze_file, wf.path, wf.uri, config)

    def config(self, wf: WorkflowFile, projects: dict[Path, Config | None] | None = None) -> Config:
        """The analysis configuration of a file; ``projects`` caches the project configuration
        per directory over one pass through many files."""
        if projects is None:
            return self.ls.config_for(wf.uri)
        parent = wf.path.parent
        if parent not in projects:
            projects[parent] = self.ls.project_config(wf.uri)
        return self.ls.settings.analysis_config(projects[parent], wf.uri)

    async def report(
        self, wf: WorkflowFile, projects: dict[Path, Config | None] | None = None
    ) -> tuple[list[types.Diagnostic], str] | None:
        """The diagnostics of a file that is not open and their result id; reused while neither
        the file, the files it reads nor the settings changed."""
        ls = self.ls
        config = self.config(wf, projects)
        base = (wf.stamp, config, ls.settings_generation)
        hit = self._results.get(wf.key)
        loop = asyncio.get_running_loop()
        key, analysis = await loop.run_in_executor(
            self._executor, self._analyze_changed, wf, config, base, hit[0] if hit is not None else None
        )
        if analysis is None:
            if hit is not None and hit[0] == key:
                return hit[1], hit[2]
            self._results.pop(wf.key, None)
            return None
        items, rid = ls.diagnostics(Snapshot(wf.uri, 0, analysis))
        self._results[wf.key] = (key, items, rid)
        return items, rid

    def _analyze_changed(
        self, wf: WorkflowFile, config: Config, base: tuple[object, ...], previous: tuple[object, ...] | None
    ) -> tuple[tuple[object, ...], Analysis | None]:
        key = (*base, tuple(local.stamp(Path(d)) for d in sorted(wf.deps)))
        if key == previous:
            return key, None
        return key, analyze_file(wf.path, wf.uri, config)

    # -- what a change affects -----------------------------------------------------------------
    def refresh(self, keys: Iterable[str], *, external: bool = False) -> None:
        """Re-check what depends on the files ``keys`` (coalesced; runs in the background).
        ``external``: the files changed on disk, so their own reports may have changed too."""
        self._changed.update(keys)
        self._external = self._external or external
        if self._refresh is None or self._refresh.done():
            self._refresh = asyncio.ensure_future(self._run_refresh())

    async def _run_refresh(self) -> None:
        while self._changed:
            keys, self._changed = self._changed, set()
            external, self._external = self._external, False
            try:
                await self._refresh_dependents(keys, external)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a failed refresh must not stop the next one
                log.exception("re-checking the dependents of %s failed", sorted(keys))

    async def _refresh_dependents(self, keys: set[str], external: bool) -> None:
        ls = self.ls
        touched = False
        for uri in list(ls.documents):
            snap = ls.snapshots.get(uri) or ls.good.get(uri)
            if snap is None or self.key_of(uri) in keys:
                continue
            if keys & _snapshot_deps(snap):
                ls.snapshots.pop(uri, None)
                ls.schedule(uri, 0)
                touched = True
        closed: list[WorkflowFile] = []
        gone: list[str] = []
        if ls.settings.workspace_diagnostics:
            files = await self.workflows()
            present = {wf.uri for wf in files}
            for wf in files:
                if wf.key in self.open:
                    continue
                # a file pushed before that changed on disk itself is pushed again
                if wf.deps & keys or (external and wf.key in keys and wf.uri in self.pushed):
                    closed.append(wf)
            gone = [uri for uri in self.pushed if uri not in present and self.key_of(uri) in keys]
            touched = touched or bool(closed) or (external and self.workspace_pull)
        if not touched and not gone:
            return
        if ls.pull_diagnostics and ls.capability("workspace.diagnostics.refresh_support"):
            ls.workspace_diagnostic_refresh(None)
        if self.workspace_pull:
            return
        for uri in gone:
            self._publish(uri, [], None)
        projects: dict[Path, Config | None] = {}
        for wf in closed:
            got = await self.report(wf, projects)
            if got is not None and wf.key not in self.open:
                self._publish(wf.uri, *got)

    def _publish(self, uri: str, items: list[types.Diagnostic], rid: str | None) -> None:
        """Push the diagnostics of a file that is not open; nothing when the client has them."""
        previous = self.pushed.get(uri)
        if previous == rid or (not items and previous is None):
            return
        self.ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=items))
        if items and rid is not None:
            self.pushed[uri] = rid
        else:
            self.pushed.pop(uri, None)

    def clear_pushed(self) -> None:
        for uri in list(self.pushed):
            self._publish(uri, [], None)

    def shutdown(self) -> None:
        if self._refresh is not None and not self._refresh.done():
            self._refresh.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)


def project_of(ls: WfspecServer) -> Project:
    """The server's :class:`Project`, made on first use."""
    project = ls.project
    if not isinstance(project, Project):
        project = ls.project = Project(ls)
    return project


# -- lifecycle hooks (called from wfspec.lsp.sync) ----------------------------------------------


def negotiate(ls: WfspecServer, params: types.InitializeParams) -> None:
    """During ``initialize``: offer workspace diagnostics only to a client that pulls them, and
    read local reusable workflows and actions through the open documents."""
    caps = params.capabilities
    project = project_of(ls)
    pull = caps.text_document is not None and caps.text_document.diagnostic is not None
    project.workspace_pull = pull and caps.workspace is not None and caps.workspace.diagnostics is not None
    if not project.workspace_pull:
        # pygls advertises workspaceDiagnostics exactly when the handler is registered
        ls.protocol.fm.features.pop(types.WORKSPACE_DIAGNOSTIC, None)
    local.set_overlay(project.overlay_text)


async def register_watchers(ls: WfspecServer) -> None:
    """After ``initialized``: ask the client to report changes of YAML files on disk (and tell
    the local file reader the workspace folders)."""
    roots = project_of(ls).roots()
    if not ls.capability("workspace.did_change_watched_files.dynamic_registration"):
        return
    if not roots:
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=WATCH_GLOB)]
    )
    try:
        await ls.client_register_capability_async(
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id=WATCH_ID, method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
                    )
                ]
            )
        )
    except Exception:  # noqa: BLE001 - without watchers, listings just expire
        log.info("the client did not register file watchers", exc_info=True)


def opened(ls: WfspecServer, uri: str) -> None:
    project = project_of(ls)
    key = project.key_of(uri)
    if key is not None:
        project.open = {**project.open, key: uri}
    if uri in project.pushed:
        project.pushed.pop(uri, None)
        if ls.pull_diagnostics:  # the document pull takes over; push clients get a publish anyway
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def closed(ls: WfspecServer, uri: str) -> None:
    project = project_of(ls)
    key = project.key_of(uri)
    if key is None:
        return
    project.open = {k: v for k, v in project.open.items() if k != key}
    path = uri_to_path(uri)
    if path is not None and affects_others(path):
        project.refresh({key})  # dependents now read the disk again


def edited(ls: WfspecServer, uri: str, task: asyncio.Task[Snapshot | None] | None) -> None:
    """After ``didChange``: once the debounced analysis of ``uri`` lands, re-check its dependents."""
    path = uri_to_path(uri)
    if task is None or path is None or not affects_others(path):
        return
    key = local.path_key(path)
    project = project_of(ls)

    def done(t: asyncio.Task[Snapshot | None]) -> None:
        if not t.cancelled() and t.exception() is None and t.result() is not None:
            project.refresh({key})

    task.add_done_callback(done)


def saved(ls: WfspecServer, uri: str) -> None:
    path = uri_to_path(uri)
    if path is not None and affects_others(path):
        project_of(ls).refresh({local.path_key(path)})


def settings_changed(ls: WfspecServer) -> None:
    """Turning workspace diagnostics off clears what was pushed for files that are not open."""
    if not ls.settings.workspace_diagnostics:
        project_of(ls).clear_pushed()


# -- protocol handlers --------------------------------------------------------------------------


def did_change_watched_files(ls: WfspecServer, params: types.DidChangeWatchedFilesParams) -> None:
    project = project_of(ls)
    keys: set[str] = set()
    for event in params.changes:
        path = uri_to_path(event.uri)
        if path is None:
            continue
        if event.type != types.FileChangeType.Changed:
            project.invalidate_listing()
        keys.add(local.path_key(path))
    if keys:
        project.refresh(keys, external=True)


async def workspace_diagnostic(
    ls: WfspecServer, params: types.WorkspaceDiagnosticParams
) -> types.WorkspaceDiagnosticReport:
    project = project_of(ls)
    previous = {p.uri: p.value for p in params.previous_result_ids}
    reports: list[types.WorkspaceDocumentDiagnosticReport] = []
    seen: set[str] = set()
    if ls.settings.workspace_diagnostics:
        projects: dict[Path, Config | None] = {}
        for wf in await project.workflows():
            if wf.key in project.open:
                continue
            got = await project.report(wf, projects)
            if got is None or wf.key in project.open:
                continue
            items, rid = got
            seen.add(wf.uri)
            project.reported[wf.uri] = bool(items)
            if previous.get(wf.uri) == rid:
                reports.append(
                    types.WorkspaceUnchangedDocumentDiagnosticReport(uri=wf.uri, result_id=rid, version=None)
                )
            else:
                reports.append(
                    types.WorkspaceFullDocumentDiagnosticReport(
                        uri=wf.uri, items=items, result_id=rid, version=None
                    )
                )
    for uri, had in list(project.reported.items()):
        if uri in seen:
            continue
        del project.reported[uri]
        if had and project.key_of(uri) not in project.open:
            reports.append(types.WorkspaceFullDocumentDiagnosticReport(uri=uri, items=[], version=None))
    return types.WorkspaceDiagnosticReport(items=reports)
