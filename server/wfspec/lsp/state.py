"""The server subclass and its state: open documents, settings, the analysis cache, debouncing.

One :class:`Snapshot` per document holds the analysis of one (uri, version). An edit cancels
the document's pending analysis and schedules a new one after the debounce; the analysis runs on
a worker thread over a copy of the text, and its result is dropped when the document moved on
meanwhile. Requests that need the analysis await the current version's snapshot (interactive
ones skip the rest of the debounce). A snapshot is current only for the very text it analyzed:
a client that sends one version number twice gets the analysis of its second text.

The protocol subclass answers every request, also one whose params do not fit the method
(``InvalidParams``), and never drops a document edit silently: a ``didOpen``/``didChange`` it
cannot read marks the document out of sync, which the user is told once, and nothing is offered
from it (no analysis, no edits) until the client sends its whole text again.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import JsonRPCNotification, JsonRPCRequestMessage, JsonRPCResponseMessage
from pygls.protocol.language_server import lsp_method

from wfspec import __version__
from wfspec.analysis.config import Config, ConfigError, find_config_file, load_file
from wfspec.lsp import convert
from wfspec.lsp.documents import TextDocument
from wfspec.lsp.settings import Settings
from wfspec.paths import uri_to_path as uri_to_path  # re-exported for the lsp modules

if TYPE_CHECKING:
    from wfspec.analysis.engine import Analysis

log = logging.getLogger("wfspec.lsp")

T = TypeVar("T")


@dataclass(slots=True, eq=False)
class Snapshot:
    """The analysis of one version of one document, plus values derived from it on demand."""

    uri: str
    version: int
    analysis: Analysis
    seconds: float = 0.0  # how long the analysis took
    derived: dict[str, Any] = field(default_factory=dict)
    #: the text analyzed, exactly as the document held it (None: ``analysis.text``)
    text: str | None = None

    def get(self, key: str, compute: Callable[[], T]) -> T:
        """A value derived from this snapshot, computed once."""
        if key not in self.derived:
            self.derived[key] = compute()
        return self.derived[key]  # type: ignore[no-any-return]


#: the document notifications whose loss leaves the server's copy of a document behind
_SYNC = (types.TEXT_DOCUMENT_DID_OPEN, types.TEXT_DOCUMENT_DID_CHANGE)


@dataclass(slots=True)
class Rejected:
    """A message whose params do not fit its method (what pygls would drop): the raw message
    and why it does not fit."""

    data: dict[str, Any]
    reason: str


def _leaves(exc: BaseException) -> Iterator[BaseException]:
    subs = getattr(exc, "exceptions", None)
    if not subs:
        yield exc
        return
    for sub in subs:
        yield from _leaves(sub)


def _reason(exc: BaseException) -> str:
    """A short description of why params did not structure (lsprotocol's own range messages,
    e.g. "Position.line should be in range [0:2147483647], but was -1.")."""
    seen: list[str] = []
    for leaf in _leaves(exc):
        text = str(leaf).strip() or type(leaf).__name__
        if text not in seen:
            seen.append(text)
    return "; ".join(seen[:3])[:300]


def _raw_uri(data: dict[str, Any]) -> str | None:
    params = data.get("params")
    td = params.get("textDocument") if isinstance(params, dict) else None
    uri = td.get("uri") if isinstance(td, dict) else None
    return uri if isinstance(uri, str) else None


class WfspecProtocol(LanguageServerProtocol):
    """pygls' protocol with these changes: positions are always UTF-16 (what every wfspec span
    carries); documents live in :attr:`WfspecServer.documents` rather than pygls' workspace
    (LSP line breaks only, line table patched per edit); a message whose params do not fit its
    method is answered (requests: ``InvalidParams``) or reported (document edits: the document
    is out of sync) instead of dropped; and no handler leaves a future behind in
    ``_request_futures`` (pygls 2.1 keeps one per notification handled by a generator or a
    coroutine, and per step of a generator request, forever)."""

    # -- messages that do not fit their method ---------------------------------------------------
    def structure_message(self, data: dict[str, Any]) -> Any:
        """pygls' ``structure_message`` (the ``object_hook`` of the message reader), except
        that params which do not fit come back as :class:`Rejected` instead of an exception
        the reader logs and drops."""
        if "jsonrpc" not in data:
            return data
        try:
            if "id" in data:
                if "error" in data:
                    return self._converter.structure(data, types.ResponseErrorMessage)
                if "method" in data:
                    kind = self.get_message_type(data["method"]) or JsonRPCRequestMessage
                    return self._converter.structure(data, kind)
                kind = self._result_types.pop(data["id"], None) or JsonRPCResponseMessage
                return self._converter.structure(data, kind)
            kind = self.get_message_type(data.get("method", "")) or JsonRPCNotification
            return self._converter.structure(data, kind)
        except Exception as exc:  # noqa: BLE001 - any failure to structure is the sender's
            return Rejected(data, _reason(exc))

    def handle_message(self, message: Any) -> None:
        if isinstance(message, Rejected):
            self._reject(message)
            return
        super().handle_message(message)

    def _reject(self, message: Rejected) -> None:
        data, reason = message.data, message.reason
        method = data.get("method")
        if self._shutdown and method != types.EXIT:
            return
        if "id" in data and "method" not in data:
            # a response of the client's that does not fit: fail the request waiting for it
            log.warning("invalid response to request %r: %s", data.get("id"), reason)
            waiting = (
                self._request_futures.pop(data["id"], None) if isinstance(data["id"], int | str) else None
            )
            if waiting is not None and not waiting.done():
                waiting.set_exception(JsonRpcInvalidParams(message=f"invalid response: {reason}"))
            return
        if "id" in data:
            msg_id = data["id"]
            if isinstance(msg_id, bool) or not isinstance(msg_id, int | str):
                msg_id = None
            log.warning("invalid params for %s: %s", method, reason)
            error = JsonRpcInvalidParams(message=f"invalid params for {method}: {reason}")
            self._send_data(types.ResponseErrorMessage(id=msg_id, error=error.to_response_error()))
            return
        log.warning("ignored notification %s with invalid params: %s", method, reason)
        if method in _SYNC and isinstance(self._server, WfspecServer):
            self._server.lost_sync(
                _raw_uri(data),
                f"{method} could not be read ({reason})",
                opening=method == types.TEXT_DOCUMENT_DID_OPEN,
            )

    # -- futures ---------------------------------------------------------------------------------
    def _execute_handler(
        self,
        msg_id: Any,
        handler: Any,
        callback: Any,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        """pygls' ``_execute_handler``, keeping a future in ``_request_futures`` only for the
        client request being handled (where ``$/cancelRequest`` finds it): notifications and
        the steps of generator handlers run under made-up ids nothing ever looks up again."""
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        if msg_id == self._ctx_msg_id.get():
            return
        future = self._request_futures.get(msg_id)
        if future is None:
            return
        if future.done():
            self._request_futures.pop(msg_id, None)
        else:
            future.add_done_callback(lambda _f: self._request_futures.pop(msg_id, None))

    def _notify_feature(self, method: str, params: Any) -> None:
        """Run the server's handler of a notification (plain calls, not generators)."""
        if (handler := self.fm.features.get(method)) is not None:
            self._execute_handler(str(uuid.uuid4()), handler, self._check_handler_result, (params,))

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Any:
        general = params.capabilities.general
        if general is not None:
            general.position_encodings = None  # UTF-16, the protocol's mandatory default
        if isinstance(self._server, WfspecServer):
            self._server.client_info = params.client_info
        return (yield from super().lsp_initialize(params))

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        self._notify_feature(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        self._notify_feature(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        self._notify_feature(types.TEXT_DOCUMENT_DID_CLOSE, params)


def _analyze(text: str, uri: str, config: Config, previous: Analysis | None = None) -> Analysis:
    """``analyze`` guarded: the server must outlive any bug in the core."""
    from wfspec.analysis.engine import analyze

    try:
        return analyze(text, uri, config, previous=previous)
    except Exception:  # noqa: BLE001 - analyze should never raise; if it does, stay up
        log.exception("analysis crashed for %s", uri)
        return analyze("", uri, Config(select=frozenset({"syntax"})))


class WfspecServer(LanguageServer):
    """The wfspec language server: state and the analysis pipeline. Features are plain
    functions in the sibling modules, registered by :func:`wfspec.lsp.server.create_server`."""

    def __init__(self) -> None:
        super().__init__(
            name="wfspec",
            version=__version__,
            protocol_cls=WfspecProtocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            max_workers=2,
        )
        self.documents: dict[str, TextDocument] = {}
        self.settings = Settings()
        self.init_options: Any = None
        self.client_info: types.ClientInfo | None = None  # the client's name and version, if sent
        self.snapshots: dict[str, Snapshot] = {}
        self.good: dict[str, Snapshot] = {}  # newest snapshot per document with a workflow
        self.pull_diagnostics = False
        self.diagnostic_support = convert.DiagnosticSupport()
        self._pending: dict[str, asyncio.Task[Snapshot | None]] = {}
        self._wake: dict[str, asyncio.Event] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wfspec-analysis")
        #: the newest analysis the worker produced per document (published or not): the next
        #: analysis of that document re-parses only what changed since it. Only the worker
        #: thread (one at a time) reads and replaces these.
        self._parsed: dict[str, Analysis] = {}
        self._project_configs: dict[Path, tuple[float, Config | None]] = {}
        self._config_errors_shown: set[str] = set()
        self.published: dict[str, int | None] = {}
        self.settings_generation = 0
        self.completion_wait = 0.05  # seconds: slower documents complete from the last good analysis
        #: functions run on the worker thread after each published analysis, to fill snapshot
        #: caches (the navigation index...) before the first request needs them
        self.warmers: list[Callable[[Snapshot], object]] = []
        self.warm_delay = 0.3  # seconds without a newer version before the warmers run
        #: seconds of quiet after which the cyclic garbage collector runs (None: Python decides);
        #: ``run()`` sets it and makes automatic full collections rare, because a full pass over
        #: a 5,000-task analysis takes ~0.3 s and would otherwise land inside some request
        self.idle_gc_delay: float | None = None
        self._gc_timer: asyncio.TimerHandle | None = None
        #: the model-backed features' state (:class:`wfspec.lsp.ai.Assistant`), made on first use
        self.ai: Any = None
        #: the workspace's files that are not open (:class:`wfspec.lsp.workspace.Project`)
        self.project: Any = None

    # -- client capabilities -------------------------------------------------------------------
    def capability(self, path: str, default: Any = None) -> Any:
        """A client capability by dotted snake_case path, e.g. ``text_document.completion``."""
        node: Any = self.client_capabilities
        for part in path.split("."):
            node = getattr(node, part, None)
            if node is None:
                return default
        return node

    # -- messages ------------------------------------------------------------------------------
    def show(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        """``window/showMessage``, and the same line in the log."""
        log.warning("%s", message)
        self.window_show_message(types.ShowMessageParams(type=kind, message=f"wfspec: {message}"))

    # -- documents out of sync -----------------------------------------------------------------
    def lost_sync(self, uri: str | None, reason: str, *, opening: bool = False) -> None:
        """An edit of ``uri`` (None: of a document the message did not name) could not be
        applied: the server's copy may now differ from the client's. Nothing is analyzed or
        offered from it until the client sends its whole text again (a ``didOpen``, or a
        ``didChange`` without a range); the user is told once per document."""
        if uri is not None and uri not in self.documents:
            log.warning("%s: %s (the document is not open)", uri, reason)
            if opening:  # it never opens: no diagnostics for it, tell why
                self.tell_out_of_sync([uri])
            return
        newly: list[str] = []
        for u in [uri] if uri is not None else list(self.documents):
            doc = self.documents[u]
            if doc.in_sync:
                newly.append(u)
            doc.in_sync = False
            self.out_of_sync(u, reason)
        if newly:
            self.tell_out_of_sync(newly)

    def tell_out_of_sync(self, uris: list[str]) -> None:
        what = uris[0].rsplit("/", 1)[-1] if len(uris) == 1 else f"{len(uris)} open documents"
        self.show(
            f"lost track of the text of {what} (the editor sent an edit that could not be "
            "applied); no diagnostics or fixes for it until it is reopened"
        )

    def out_of_sync(self, uri: str, reason: str) -> None:
        """Drop what was derived from ``uri``'s copy, which no longer matches the client's."""
        log.warning("%s is out of sync with the editor: %s", uri, reason)
        self._drop_derived(uri)

    def _drop_derived(self, uri: str) -> None:
        """Forget the analyses of ``uri``, cancel its pending one and clear what was pushed."""
        self.snapshots.pop(uri, None)
        self.good.pop(uri, None)
        self._parsed.pop(uri, None)
        task = self._pending.pop(uri, None)
        if task is not None and not task.done():
            task.cancel()
        if not self.pull_diagnostics and uri in self.published:
            self.published.pop(uri, None)
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def is_current(self, snap: Snapshot) -> bool:
        """True when ``snap`` analyzed exactly the open document's current text (and version):
        edits computed from it may be offered."""
        return self.text_is_current(
            snap.uri, snap.version, snap.text if snap.text is not None else snap.analysis.text
        )

    def text_is_current(self, uri: str, version: int, text: str) -> bool:
        """True when ``uri`` is open, in sync, at ``version`` and holds exactly ``text``."""
        doc = self.documents.get(uri)
        return doc is not None and doc.in_sync and doc.version == version and doc.text == text

    # -- edits ---------------------------------------------------------------------------------
    def workspace_edit(
        self, documents: Iterable[tuple[str, int | None, Sequence[types.TextEdit]]]
    ) -> types.WorkspaceEdit:
        """:func:`wfspec.lsp.convert.workspace_edit` for this client: ``documentChanges`` with
        versions where it supports them, ``changes`` otherwise."""
        versioned = bool(self.capability("workspace.workspace_edit.document_changes"))
        return convert.workspace_edit(documents, versioned)

    def edit_of(self, snap: Snapshot, edits: Sequence[types.TextEdit]) -> types.WorkspaceEdit | None:
        """The workspace edit of ``edits`` computed from ``snap``, or None when the document's
        text is no longer the one ``snap`` analyzed (the edits would land elsewhere)."""
        if not self.is_current(snap):
            log.info("dropping edits computed for an older text of %s", snap.uri)
            return None
        return self.workspace_edit([(snap.uri, snap.version, edits)])

    # -- configuration -------------------------------------------------------------------------
    def project_config(self, uri: str) -> Config | None:
        """The project's ``[tool.wfspec]``/``.wfspec.toml`` for a document (cached by mtime);
        an invalid one is reported once and ignored."""
        if not self.settings.use_project_config:
            return None
        path = uri_to_path(uri)
        if path is None:
            return None
        try:
            found = find_config_file(path)
        except OSError:
            return None
        if found is None:
            return None
        try:
            mtime = found.stat().st_mtime
        except OSError:
            return None
        hit = self._project_configs.get(found)
        if hit is not None and hit[0] == mtime:
            return hit[1]
        cfg: Config | None
        try:
            from wfspec.analysis.rules import BY_ID

            cfg = load_file(found, set(BY_ID))
        except ConfigError as exc:
            cfg = None
            key = f"{found}:{mtime}"
            if key not in self._config_errors_shown:
                self._config_errors_shown.add(key)
                self.show(f"{exc}; using defaults")
        self._project_configs[found] = (mtime, cfg)
        return cfg

    def config_for(self, uri: str) -> Config:
        return self.settings.analysis_config(self.project_config(uri), uri)

    # -- analysis pipeline ---------------------------------------------------------------------
    def schedule(self, uri: str, delay: float | None = None) -> asyncio.Task[Snapshot | None] | None:
        """(Re)start the debounced analysis of ``uri``; cancels the pending one."""
        doc = self.documents.get(uri)
        if doc is None or not doc.in_sync:
            return None
        old = self._pending.pop(uri, None)
        if old is not None and not old.done():
            old.cancel()
        if delay is None:
            delay = self.settings.debounce_ms / 1000
        wake = self._wake[uri] = asyncio.Event()
        task = asyncio.ensure_future(self._analyze_later(uri, doc.version, delay, wake))
        self._pending[uri] = task
        return task

    async def _analyze_later(
        self, uri: str, version: int, delay: float, wake: asyncio.Event
    ) -> Snapshot | None:
        if delay > 0:
            try:
                await asyncio.wait_for(wake.wait(), delay)
            except TimeoutError:
                pass
        doc = self.documents.get(uri)
        if doc is None or doc.version != version:
            return None
        text = doc.text
        config = self.config_for(uri)
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        result = await loop.run_in_executor(self._executor, self._analyze_on_worker, text, uri, config)
        if (
            self.documents.get(uri) is not doc
            or doc.version != version
            or doc.text is not text
            or not doc.in_sync
        ):
            log.debug("dropping stale analysis of %s v%s", uri, version)
            return None
        snap = Snapshot(uri, version, result, time.perf_counter() - started, text=text)
        self.snapshots[uri] = snap
        if result.workflow is not None:
            self.good[uri] = snap
        if not self.pull_diagnostics:
            self.publish(snap)
        if self.warmers and result.workflow is not None:
            # after a pause in typing only: while edits keep coming the analysis thread is
            # left free for their analyses (a request that needs a cache fills it itself)
            loop.call_later(self.warm_delay, self._warm_when_idle, snap)
        self._schedule_idle_gc()
        return snap

    def _analyze_on_worker(self, text: str, uri: str, config: Config) -> Analysis:
        """Runs on the analysis thread. The previous analysis of the document is handed to the
        incremental parser, which takes its syntax tree over (a reader still holding that older
        snapshot may then see positions of the newer text; it is superseded anyway)."""
        result = _analyze(text, uri, config, self._parsed.get(uri))
        if uri in self.documents:
            self._parsed[uri] = result
        return result

    def run_on_analysis_thread(self, fn: Callable[..., object], *args: Any) -> None:
        """Queue ``fn(*args)`` on the analysis thread (in order with the analyses); errors are
        logged."""

        def guarded() -> None:
            try:
                fn(*args)
            except Exception:  # noqa: BLE001
                log.exception("background work failed")

        self._executor.submit(guarded)

    def _schedule_idle_gc(self) -> None:
        if self.idle_gc_delay is None:
            return
        if self._gc_timer is not None:
            self._gc_timer.cancel()
        self._gc_timer = asyncio.get_running_loop().call_later(self.idle_gc_delay, self._idle_gc)

    def _idle_gc(self) -> None:
        self._gc_timer = None
        if any(not t.done() for t in self._pending.values()):
            self._schedule_idle_gc()  # still analyzing: not idle
            return
        started = time.perf_counter()
        found = gc.collect()
        log.debug("idle gc: %d unreachable objects in %.0f ms", found, (time.perf_counter() - started) * 1000)

    def _warm_when_idle(self, snap: Snapshot) -> None:
        if self.snapshots.get(snap.uri) is snap and self.documents.get(snap.uri) is not None:
            if self.documents[snap.uri].version == snap.version:
                asyncio.get_running_loop().run_in_executor(self._executor, self._warm, snap)

    def _warm(self, snap: Snapshot) -> None:
        for warm in self.warmers:
            if self.snapshots.get(snap.uri) is not snap:
                return  # superseded: do not spend time on it
            try:
                warm(snap)
            except Exception:  # noqa: BLE001 - a cache miss later is fine; crashing is not
                log.exception("warming caches of %s failed", snap.uri)

    async def snapshot(self, uri: str, *, urgent: bool = True) -> Snapshot | None:
        """The analysis of the current version of ``uri`` (None when it is not open). Urgent
        callers (hover, completion...) skip what is left of the debounce."""
        for _ in range(50):
            doc = self.documents.get(uri)
            if doc is None or not doc.in_sync:
                return None
            snap = self.snapshots.get(uri)
            if snap is not None and self.is_current(snap):
                return snap
            task = self._pending.get(uri)
            if task is None or task.done():
                task = self.schedule(uri, 0)
                if task is None:
                    return None
            elif urgent:
                self._wake[uri].set()
            await asyncio.wait({task})
        snap = self.snapshots.get(uri)
        return snap if snap is not None and self.is_current(snap) else None

    def good_snapshot(self, uri: str) -> Snapshot | None:
        """The newest snapshot of ``uri`` that has a workflow, possibly of an older version."""
        return self.good.get(uri)

    async def snapshot_for_completion(self, uri: str) -> Snapshot | None:
        """The snapshot completion reads names from. Waits for the current version only when
        this document analyzes quickly (the last run took under :attr:`completion_wait`);
        otherwise, and while the document does not parse, the newest one with a workflow."""
        doc = self.documents.get(uri)
        if doc is None or not doc.in_sync:
            return None
        snap = self.snapshots.get(uri)
        fresh = snap is not None and self.is_current(snap)
        if not fresh and (snap is None or snap.seconds < self.completion_wait):
            snap = await self.snapshot(uri)
        if snap is not None and snap.analysis.workflow is not None:
            return snap
        return self.good.get(uri) or snap

    def reanalyze_all(self) -> None:
        """After a settings change: every open document again, at once."""
        self.snapshots.clear()
        for uri in list(self.documents):
            self.schedule(uri, 0)

    # -- diagnostics ---------------------------------------------------------------------------
    def diagnostics(self, snap: Snapshot) -> tuple[list[types.Diagnostic], str]:
        """The LSP diagnostics of a snapshot and their result id (a content hash)."""

        def compute() -> tuple[list[types.Diagnostic], str]:
            support = self.diagnostic_support
            url = self.settings.rules_docs_url
            items = [convert.diagnostic(f, snap.uri, support, url) for f in snap.analysis.findings]
            h = hashlib.blake2b(digest_size=12)
            h.update(str(self.settings_generation).encode())
            for f in snap.analysis.findings:
                s, e = f.span.start, f.span.end
                h.update(
                    f"{f.rule}|{int(f.severity)}|{s.line}:{s.character}-{e.line}:{e.character}|{f.message}|".encode()
                )
                for r in f.related:
                    h.update(f"{r.uri}:{r.span.start.line}:{r.span.start.character}:{r.message}|".encode())
            return items, h.hexdigest()

        return snap.get(f"diagnostics:{self.settings_generation}", compute)

    def publish(self, snap: Snapshot) -> None:
        """Push diagnostics (clients without pull diagnostics)."""
        items, _ = self.diagnostics(snap)
        version = (
            snap.version if self.capability("text_document.publish_diagnostics.version_support") else None
        )
        self.published[snap.uri] = snap.version
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=snap.uri, diagnostics=items, version=version)
        )

    def forget(self, uri: str) -> None:
        """A document was closed."""
        self.documents.pop(uri, None)
        self._wake.pop(uri, None)
        self._drop_derived(uri)

    def shutdown(self) -> None:
        for task in self._pending.values():
            if not task.done():
                try:
                    task.cancel()
                except RuntimeError:  # the loop is already closed
                    pass
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self.project is not None:
            self.project.shutdown()
        super().shutdown()
