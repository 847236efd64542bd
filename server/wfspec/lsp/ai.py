"""Model-backed editor features: a comment becomes validated tasks (GitHub Actions: jobs), a
diagnostic gets a validated repair.

- ``wfspec.generate [{uri, position, version}]``: generate from the natural-language comment at
  (or just above) the position. The command answers at once (``pending``); the work goes on with
  ``$/progress`` and applies the validated insertion with ``workspace/applyEdit`` only while the
  document is still at ``version``, so no client's request timeout is ever reached.
- "Fix with AI" code actions (one per diagnostic, beside the deterministic fixes), resolved
  lazily in ``codeAction/resolve``; clients without resolve support for ``edit`` get the
  ``wfspec.fixWithAI [{uri, version, range, code}]`` command instead. ``wfspec.fixAllWithAI
  [{uri, version}]`` repairs a whole document one finding at a time.
- A "Generate from comment" code action on a comment line that reads like a request.
- ``textDocument/inlineCompletion``: the validated tasks as ghost text after such a comment,
  cached per (uri, version, line); a cancelled request cancels its model calls.
- For clients without inline completion that run an accepted item's command
  (:func:`wfspec.lsp.completion.runs_item_commands`), a completion item "Generate steps from
  this comment" on such a comment (or the blank line below it): it inserts nothing and carries
  the ``wfspec.generate`` command, so the model runs only when the item is accepted.

Every suggestion has a time budget (``wfspec.llm.budgetSeconds``): past it the best validated
answer so far (the outline) is offered, or nothing. A suggestion that comes to nothing says why
once, with ``window/showMessage`` (ghost text too: once per document version and comment).

The model proposes, the analyzer disposes: every edit comes from :mod:`wfspec.llm.generate` or
:mod:`wfspec.llm.repair`, which only return candidates that analyze clean on a copy of the
document, and is confined to the range the server chose. The llm stack (``openai``, the
embedded model) is imported on the first AI request so the server starts fast; with no base
URL the embedded model starts then and stops with the server. When the embedded model is not
installed, the first request that needs it says so once (``window/showMessage``); from then on
the implicit entries (ghost text, the completion item, the AI code actions) are left out until
the ``llm`` settings change, while every deterministic feature works as before. The API key is
read from the server's environment only (the variable the settings name), never from a
workspace file, and never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sys
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from wfspec.findings import Finding
from wfspec.lsp import convert
from wfspec.lsp.settings import LlmSettings
from wfspec.lsp.state import Snapshot, WfspecServer, uri_to_path

if TYPE_CHECKING:
    from wfspec.fixes import TextEdit
    from wfspec.llm.generate import GenerateResult, Insertion
    from wfspec.llm.provider import Provider
    from wfspec.llm.provider import Settings as ProviderSettings
    from wfspec.llm.repair import RepairResult

log = logging.getLogger("wfspec.lsp")

GENERATE_COMMAND = "wfspec.generate"
FIX_COMMAND = "wfspec.fixWithAI"
# not "wfspec.fixAllWithAI": that is the VS Code command the client contributes, and a client
# registers every command the server advertises, so the two ids must differ
FIX_ALL_COMMAND = "wfspec.server.fixAllWithAI"
STATUS_COMMAND = "wfspec.aiStatus"
COMMANDS = (GENERATE_COMMAND, FIX_COMMAND, FIX_ALL_COMMAND, STATUS_COMMAND)
GENERATE_KIND = types.CodeActionKind.RefactorRewrite
FIX_TITLE = "Fix with AI"
GENERATE_TITLE = "Generate from comment"
COMPLETION_LABEL = "Generate steps from this comment"
INLINE_OPTIONS = types.InlineCompletionOptions()
DEFAULT_KEY_ENV = "WFSPEC_API_KEY"
FALLBACK_KEY_ENV = "OPENAI_API_KEY"

# comments that are directives or commented-out YAML, not requests
_NOT_A_REQUEST = re.compile(
    r"^(wfspec:|yaml-language-server:|noqa|pragma|type:|todo\b|fixme\b|-\s|\$|[\w.-]+:\s*\S*$)",
    re.IGNORECASE,
)


def reads_like_request(request: str) -> bool:
    """True for a comment in natural language (three or more words, no directive or YAML)."""
    text = request.strip()
    if not text or _NOT_A_REQUEST.match(text):
        return False
    return len(re.findall(r"[^\W\d_]{2,}", text)) >= 3


def provider_settings(llm: LlmSettings, environ: Mapping[str, str] | None = None) -> ProviderSettings:
    """The provider settings for the server's ``llm`` settings. No base URL (or provider
    ``local``) means the embedded model; an empty ``apiKeyEnv`` means ``WFSPEC_API_KEY`` when
    that variable is set, else the endpoint's default (``OPENAI_API_KEY`` for the OpenAI endpoint
    only, see ``Settings.key_env``). Only the variable's name is kept here."""
    from wfspec.llm.provider import Settings as ProviderSettings
    from wfspec.llm.redact import same_endpoint

    env = os.environ if environ is None else environ
    key_env = llm.api_key_env or (DEFAULT_KEY_ENV if env.get(DEFAULT_KEY_ENV) else "")
    base_url = None if llm.provider == "local" else llm.base_url
    return ProviderSettings.from_mapping(
        {
            "base_url": base_url,
            "model": llm.model or "",
            "api_key_env": key_env,
            "timeout": llm.timeout_seconds,
            "max_rounds": llm.max_rounds,
            "redact": False if any(same_endpoint(base_url, u) for u in llm.unredacted_endpoints) else None,
        }
    )


class Assistant:
    """Per-server state of the AI features: the provider (rebuilt when the settings change),
    the ghost-text cache and counters of model work (``wfspec.aiStatus``)."""

    def __init__(self) -> None:
        self._provider: Provider | None = None
        self.in_flight = 0
        self.cancelled = 0
        self.started = 0
        self.inline: OrderedDict[tuple[str, int, int], list[types.InlineCompletionItem]] = OrderedDict()
        self._closing: set[asyncio.Task[None]] = set()
        #: generation started by ``wfspec.generate``, running after the command answered
        self.work: set[asyncio.Task[None]] = set()
        #: the (uri, version, comment line) whose ghost text already said why there is none
        self.said: OrderedDict[tuple[str, int, int], None] = OrderedDict()
        #: why the model cannot be used (the embedded model is not installed), once known
        self.unavailable: str | None = None

    def provider(self, llm: LlmSettings) -> Provider:
        from wfspec.llm.provider import Provider

        settings = provider_settings(llm)
        if self._provider is None or self._provider.settings != settings:
            old, self._provider = self._provider, Provider(settings)
            if old is not None:
                task = asyncio.ensure_future(old.aclose())
                self._closing.add(task)
                task.add_done_callback(self._closing.discard)
            self.inline.clear()
            self.unavailable = None  # other settings: worth trying again
        return self._provider

    def note(self, ls: WfspecServer, error_kind: str, reason: str, *, announce: bool) -> None:
        """Remember that the model is not installed (``model-unavailable``); with ``announce``
        say so the first time (explicit commands report every failure themselves)."""
        if error_kind != "model-unavailable" or self.unavailable is not None:
            return
        self.unavailable = reason
        if announce:
            ls.show(
                f"{_unavailable(reason)}\nTo turn AI suggestions off instead, set "
                '"wfspec.llm.enabled" to false. Until the llm settings change or the server '
                "restarts, no AI suggestion is offered.",
                types.MessageType.Error,
            )

    @contextlib.asynccontextmanager
    async def busy(self) -> AsyncIterator[None]:
        """Count one piece of model work; a cancellation is counted and propagates."""
        self.in_flight += 1
        self.started += 1
        try:
            yield
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        finally:
            self.in_flight -= 1

    def say_once(
        self, ls: WfspecServer, key: tuple[str, int, int], message: str, kind: types.MessageType
    ) -> None:
        """``window/showMessage`` for ``key`` unless it was said already."""
        if key in self.said:
            return
        self.said[key] = None
        while len(self.said) > 64:
            self.said.popitem(last=False)
        ls.show(message, kind)

    def track(self, task: asyncio.Task[None]) -> None:
        self.work.add(task)
        task.add_done_callback(self.work.discard)

    def remember(self, key: tuple[str, int, int], items: list[types.InlineCompletionItem]) -> None:
        self.inline[key] = items
        self.inline.move_to_end(key)
        while len(self.inline) > 32:
            self.inline.popitem(last=False)

    async def aclose(self) -> None:
        for task in list(self.work):
            task.cancel()
        provider, self._provider = self._provider, None
        if provider is not None:
            await provider.aclose()
        if "wfspec.llm.embedded" in sys.modules:  # only when an AI request loaded it
            from wfspec.llm.embedded import stop_default

            await asyncio.to_thread(stop_default)


def assistant(ls: WfspecServer) -> Assistant:
    if not isinstance(ls.ai, Assistant):
        ls.ai = Assistant()
    return ls.ai


def offered(ls: WfspecServer) -> bool:
    """Whether the implicit AI entries (ghost text, completion item, code actions) are offered:
    AI is on and the model is not known to be missing."""
    if not ls.settings.llm.enabled:
        return False
    a = ls.ai if isinstance(ls.ai, Assistant) else None
    if a is None or a.unavailable is None:
        return True
    a.provider(ls.settings.llm)  # settings changed since: forget that the model was missing
    return a.unavailable is None


# -- shared helpers -----------------------------------------------------------------------


def _result(ok: bool, detail: str, **extra: Any) -> dict[str, Any]:
    return {"ok": ok, "detail": detail, **extra}


def _fail(
    ls: WfspecServer, detail: str, kind: types.MessageType = types.MessageType.Warning
) -> dict[str, Any]:
    ls.show(detail, kind)
    return _result(False, detail)


def _off(ls: WfspecServer) -> dict[str, Any]:
    return _fail(
        ls,
        'AI suggestions (generate from comment, fix with AI) are off; set "wfspec.llm.enabled" to true '
        "to use them",
        types.MessageType.Info,
    )


def _arg(args: tuple[Any, ...]) -> dict[str, Any]:
    first = args[0] if args else None
    if isinstance(first, list) and first:
        first = first[0]
    if not isinstance(first, dict):
        raise JsonRpcInvalidParams(message="expected [{uri, version, ...}]")
    uri = first.get("uri") or (first.get("textDocument") or {}).get("uri")
    if not isinstance(uri, str):
        raise JsonRpcInvalidParams(message="expected a document URI")
    return {**first, "uri": uri}


def _unavailable(reason: str) -> str:
    return f"AI suggestions are unavailable: {reason}"


def _dialect(ls: WfspecServer, uri: str, snap: Snapshot | None) -> str:
    if snap is not None and snap.analysis.dialect:
        return str(snap.analysis.dialect)
    forced = ls.settings.dialect_for(uri)
    if forced:
        return forced
    return "github" if "/.github/workflows/" in uri else "serverless"


def _workspace(ls: WfspecServer, uri: str) -> Path | None:
    try:
        root = ls.workspace.root_path
    except Exception:  # noqa: BLE001 - no workspace (no root given)
        root = None
    if root:
        return Path(root)
    path = uri_to_path(uri)
    return path.parent if path is not None else None


def _comment_line(snap: Snapshot | None, text_line: Callable[[int], str], line: int) -> int | None:
    """The own-line comment the request comes from: ``line`` itself, else the line above
    when ``line`` is blank."""
    for ln in (line, line - 1):
        if ln < 0:
            return None
        content = text_line(ln)
        if content.lstrip().startswith("#"):
            if snap is not None:
                c = snap.analysis.doc.comments.get(ln)
                if c is None or not c.own_line:
                    return None  # inside a block scalar, or after a value
            return ln
        if content.strip():
            return None
    return None


class _Progress:
    """Server-initiated work done progress (when the client supports it), cancellable: the
    client's ``window/workDoneProgress/cancel`` cancels the work."""

    def __init__(self, ls: WfspecServer, title: str) -> None:
        self.ls = ls
        self.title = title
        self.token: str | None = None
        self.created = False
        #: the message of the progress end (what came of the work)
        self.end_message: str | None = None

    async def create(self) -> None:
        """Get a token from the client (``window/workDoneProgress/create``), once."""
        if self.created:
            return
        self.created = True
        if not self.ls.capability("window.work_done_progress"):
            return
        token = f"wfspec-ai-{uuid.uuid4().hex}"
        try:
            await self.ls.work_done_progress.create_async(token)
        except Exception:  # noqa: BLE001 - a client that refuses gets no progress
            return
        self.token = token

    async def __aenter__(self) -> _Progress:
        await self.create()
        token = self.token
        if token is None:
            return self
        self.ls.work_done_progress.begin(
            token, types.WorkDoneProgressBegin(title=f"wfspec: {self.title}", cancellable=True)
        )
        task = asyncio.current_task()
        cancel = self.ls.work_done_progress.tokens.get(token)
        if task is not None and cancel is not None:
            cancel.add_done_callback(lambda f: task.cancel() if f.cancelled() else None)
        return self

    def report(self, message: str) -> None:
        if self.token is not None:
            self.ls.work_done_progress.report(self.token, types.WorkDoneProgressReport(message=message))

    async def __aexit__(self, *exc: object) -> None:
        if self.token is not None:
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=self.end_message))
            self.ls.work_done_progress.tokens.pop(self.token, None)


def _workspace_edit(
    ls: WfspecServer, uri: str, version: int, edits: list[types.TextEdit]
) -> types.WorkspaceEdit:
    return ls.workspace_edit([(uri, version, edits)])


def _lsp_edits(ls: WfspecServer, uri: str, edits: list[TextEdit]) -> list[types.TextEdit]:
    """LSP edits from code-point offsets of the document's current text."""
    doc = ls.documents[uri]
    out: list[types.TextEdit] = []
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        sl, sc = doc.position_at(e.start)
        el, ec = doc.position_at(e.end)
        out.append(
            types.TextEdit(
                range=types.Range(
                    start=types.Position(line=sl, character=sc), end=types.Position(line=el, character=ec)
                ),
                new_text=e.new_text,
            )
        )
    return out


async def _apply(ls: WfspecServer, uri: str, version: int, edits: list[TextEdit], label: str) -> bool:
    """``workspace/applyEdit`` of edits computed for ``version``, only while the document is
    still at that version (the versioned edit also lets the client refuse a stale one)."""
    doc = ls.documents.get(uri)
    if doc is None or doc.version != version:
        return False
    edit = _workspace_edit(ls, uri, version, _lsp_edits(ls, uri, edits))
    try:
        got = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=edit, label=label))
    except Exception:  # noqa: BLE001 - a client that fails the request applied nothing
        log.exception("workspace/applyEdit failed")
        return False
    return bool(got.applied)


# -- generation ---------------------------------------------------------------------------


async def _generate(
    ls: WfspecServer,
    uri: str,
    text: str,
    version: int,
    insertion: Insertion,
    snap: Snapshot | None,
    progress: Callable[[str], None] | None = None,
    *,
    announce: bool = False,
) -> GenerateResult:
    from wfspec.llm.generate import generate
    from wfspec.llm.retrieval import cached_index, default_dirs

    deadline = time.monotonic() + ls.settings.llm.budget_seconds
    dialect = _dialect(ls, uri, snap)
    index = await asyncio.to_thread(cached_index, default_dirs(_workspace(ls, uri)), dialect=dialect)
    a = assistant(ls)
    provider = a.provider(ls.settings.llm)
    async with a.busy():
        result = await generate(
            provider,
            insertion.request,
            text=text,
            uri=uri,
            insertion=insertion,
            dialect=dialect,
            config=ls.config_for(uri),
            index=index,
            version=(uri, version),  # the provider caches per (request, document version)
            progress=progress,
            deadline=deadline,
        )
    a.note(ls, result.error_kind, result.reason, announce=announce)
    return result


#: keys whose value is a list of tasks (Serverless Workflow) or steps (GitHub Actions)
_LIST_KEYS = frozenset({"do", "try", "branches", "steps"})


def _significant(line: str) -> bool:
    s = line.strip()
    return bool(s) and not s.startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def in_task_list(text: str, first: int, last: int, indent: int) -> bool:
    """Whether the comment block on lines ``first..last`` (0-based; comment lines above
    ``first`` are skipped too), at ``indent`` spaces, sits where list items go: beside an item
    of a block list at that indentation (above a task, or after the last one), or as the only
    content under ``do:``/``steps:``. A header comment above ``document:`` is none of these:
    tasks inserted there could never validate."""
    lines = text.splitlines()
    for ln in lines[last + 1 :]:
        if not _significant(ln):
            continue
        if _indent(ln) == indent:
            return ln.strip() == "-" or ln.strip().startswith("- ")
        if _indent(ln) > indent:
            return False
        break  # the block ends below the comment: look above
    for ln in reversed(lines[:first]):
        if not _significant(ln) or _indent(ln) > indent:
            continue
        s = ln.strip()
        if _indent(ln) == indent:
            return s == "-" or s.startswith("- ")
        key = s.removeprefix("- ").strip()
        return key.endswith(":") and key[:-1].strip().strip("'\"") in _LIST_KEYS
    return False


def _request_at(
    snap: Snapshot | None, text: str, line_text: Callable[[int], str], line: int
) -> Insertion | None:
    """The insertion for the request comment at (or just above) ``line``: a comment in words
    at the top of a file that holds only comments, in a task list (inside ``do:``, above a
    task) or in a GitHub Actions ``jobs:`` map (at the job ids' indentation, between jobs or
    after the last one). None anywhere else."""
    from wfspec.llm.generate import insertion_for_comment

    cl = _comment_line(snap, line_text, line)
    if cl is None:
        return None
    ins = insertion_for_comment(text, cl)
    if ins is None or not reads_like_request(ins.request):
        return None
    if not ins.whole_document:
        last = text.count("\n", 0, ins.start) - 1  # the block ends where the insertion starts
        if not (in_task_list(text, cl, max(last, cl), ins.indent) or _in_jobs(text, ins)):
            return None
    return ins


def _in_jobs(text: str, ins: Insertion) -> bool:
    """Whether the insertion (right after a comment block) lands in a ``jobs:`` map."""
    from wfspec.llm.generate import insertion_in_jobs

    return insertion_in_jobs(text, ins)


def _suggestible(ls: WfspecServer, uri: str, snap: Snapshot | None, text: str, ins: Insertion) -> bool:
    """Whether to offer generation unasked (ghost text, completion item, code action): not
    where the pipeline can only answer that it does not generate there (steps of a GitHub
    Actions job; the explicit command still says so)."""
    if ins.whole_document or _dialect(ls, uri, snap) != "github":
        return True
    return _in_jobs(text, ins)


async def generate_command(ls: WfspecServer, *args: Any) -> dict[str, Any]:
    """``wfspec.generate [{uri, position, version}]``: generate from the comment at or above
    ``position`` and apply the validated insertion. Answers ``{ok, detail}``."""
    a = _arg(args)
    uri = a["uri"]
    if not ls.settings.llm.enabled:
        return _off(ls)
    doc = ls.documents.get(uri)
    if doc is None:
        return _fail(ls, "the document is not open")
    asked = a.get("version")
    pos = a.get("position") or {}
    line = pos.get("line") if isinstance(pos, dict) else None
    if not isinstance(line, int):
        raise JsonRpcInvalidParams(message="expected a position {line, character}")
    version, text = doc.version, doc.text
    snap = await ls.snapshot(uri)
    if snap is not None and snap.version != version:
        snap = None
    insertion = _request_at(snap, text, doc.line_text, line)
    if isinstance(asked, int) and asked != version:
        # a client may touch the document while accepting the completion item that carries
        # this command; the same request comment at the same place is still what was asked for
        same = insertion is not None and a.get("request") == insertion.request
        if not same:
            return _fail(ls, "the document changed before generation started; try again")
    if insertion is None:
        return _fail(
            ls,
            "nothing to generate: put the cursor on a comment that describes the steps "
            '(e.g. "# ask the billing agent, then post its answer")',
            types.MessageType.Info,
        )
    asst = assistant(ls)
    asst.provider(ls.settings.llm)  # settings changed since the model was found missing: try again
    if asst.unavailable is not None:
        return _fail(ls, _unavailable(asst.unavailable), types.MessageType.Error)
    progress = _Progress(ls, "generating from the comment")
    await progress.create()
    asst.track(asyncio.ensure_future(_generate_and_apply(ls, uri, text, version, insertion, snap, progress)))
    detail = "generating from the comment; the tasks are inserted once they validate"
    extra = {"progress": progress.token} if progress.token is not None else {}
    return _result(True, detail, pending=True, **extra)


async def _generate_and_apply(
    ls: WfspecServer,
    uri: str,
    text: str,
    version: int,
    insertion: Insertion,
    snap: Snapshot | None,
    progress: _Progress,
) -> None:
    """The work of ``wfspec.generate`` after it answered: generate, apply, and say what came of
    it once (``window/showMessage`` when nothing was inserted; the progress end either way)."""
    async with progress:
        try:
            result = await _generate(ls, uri, text, version, insertion, snap, progress.report)
            why, kind = "", types.MessageType.Warning
            if result.error_kind:
                why, kind = _unavailable(result.reason), types.MessageType.Error
            elif not result.ok or result.edit is None:
                why = result.detail()
            else:
                now = ls.documents.get(uri)
                if now is None or now.version != version:
                    why = "the document changed while generating; nothing was applied (try again)"
                elif not await _apply(ls, uri, version, [result.edit], "wfspec: generate from comment"):
                    why = "the editor did not apply the generated tasks"
        except asyncio.CancelledError:
            progress.end_message = "cancelled; nothing was inserted"
            raise
        except Exception as exc:  # noqa: BLE001 - the server lives on; the user hears why
            log.exception("generation failed")
            why, kind = f"generation failed: {exc}", types.MessageType.Error
        if why:
            progress.end_message = "nothing was inserted"
            ls.show(why, kind)
        else:
            progress.end_message = f"inserted: {result.detail()}"


# -- repair -------------------------------------------------------------------------------


def _find(snap: Snapshot, data: Mapping[str, Any]) -> Finding | None:
    """The finding an action or command names: by rule and offsets, else rule and range."""
    rule = data.get("code") or data.get("rule")
    start, end = data.get("start"), data.get("end")
    rng = data.get("range") if isinstance(data.get("range"), dict) else None
    for f in snap.analysis.findings:
        if f.rule != rule:
            continue
        if isinstance(start, int) and isinstance(end, int):
            if (f.span.start.offset, f.span.end.offset) == (start, end):
                return f
            continue
        if rng is not None:
            s, e = rng.get("start") or {}, rng.get("end") or {}
            if (s.get("line"), s.get("character"), e.get("line"), e.get("character")) == (
                f.span.start.line,
                f.span.start.character,
                f.span.end.line,
                f.span.end.character,
            ):
                return f
    return None


async def _repair(
    ls: WfspecServer, data: Mapping[str, Any], progress: Callable[[str], None] | None = None
) -> tuple[RepairResult | None, Snapshot | None, str]:
    """Run repair for the finding ``data`` names, at the version it names. Returns (result,
    snapshot, why there is no result)."""
    from wfspec.llm.repair import repair

    uri = str(data.get("uri"))
    version = data.get("version")
    doc = ls.documents.get(uri)
    if doc is None:
        return None, None, "the document is not open"
    if isinstance(version, int) and version != doc.version:
        return None, None, "the document changed since this fix was offered; ask again"
    snap = await ls.snapshot(uri)
    if snap is None or snap.version != doc.version:
        return None, None, "the document changed since this fix was offered; ask again"
    finding = _find(snap, data)
    if finding is None:
        return None, snap, "that problem is no longer in the document"
    a = assistant(ls)
    provider = a.provider(ls.settings.llm)
    budget = ls.settings.llm.budget_seconds
    try:
        async with asyncio.timeout(budget), a.busy():
            result = await repair(
                provider,
                snap.analysis,
                finding,
                config=ls.config_for(uri),
                version=(uri, snap.version),
                progress=progress,
            )
    except TimeoutError:
        return (
            None,
            snap,
            f"no repair validated within the time budget ({budget:g} s, wfspec.llm.budgetSeconds)",
        )
    a.note(ls, result.error_kind, result.reason, announce=False)
    if result.error_kind:
        return result, snap, _unavailable(result.reason)
    if not result.ok:
        return result, snap, result.detail()
    now = ls.documents.get(uri)
    if now is None or now.version != snap.version:
        return None, None, "the document changed while the model worked; ask again"
    return result, snap, ""


def code_actions(
    ls: WfspecServer,
    snap: Snapshot,
    params: types.CodeActionParams,
    findings: list[tuple[Finding, types.Diagnostic | None]],
) -> list[types.CodeAction]:
    """ "Fix with AI" for each finding (resolved lazily, or a command), and "Generate from
    comment" when the range is on a comment that reads like a request. Cheap: no model here.
    They come after the deterministic fixes the caller listed and are never preferred."""
    if not offered(ls):
        return []
    only = params.context.only
    uri = params.text_document.uri
    out: list[types.CodeAction] = []

    def wanted(kind: str) -> bool:
        return not only or any(kind == k or kind.startswith(k + ".") for k in only)

    if wanted(types.CodeActionKind.QuickFix):
        resolve = ls.capability("text_document.code_action.resolve_support")
        lazy = resolve is not None and "edit" in (resolve.properties or [])
        lazy = lazy and bool(ls.capability("text_document.code_action.data_support"))
        for f, diag in findings:
            d = diag or convert.diagnostic(f, uri, ls.diagnostic_support)
            s, e = f.span.start, f.span.end
            data = {
                "wfspec": "fixWithAI",
                "uri": uri,
                "version": snap.version,
                "code": f.rule,
                "start": s.offset,
                "end": e.offset,
                "range": {
                    "start": {"line": s.line, "character": s.character},
                    "end": {"line": e.line, "character": e.character},
                },
            }
            action = types.CodeAction(
                title=f"{FIX_TITLE}: {f.rule}", kind=types.CodeActionKind.QuickFix, diagnostics=[d]
            )
            if lazy:
                action.data = data
            else:
                args = {k: v for k, v in data.items() if k != "wfspec"}
                action.command = types.Command(title=FIX_TITLE, command=FIX_COMMAND, arguments=[args])
            out.append(action)
    if wanted(GENERATE_KIND) and params.range.start.line == params.range.end.line:
        doc = ls.documents.get(uri)
        line = params.range.start.line
        if doc is not None and doc.version == snap.version:
            ins = _request_at(snap, doc.text, doc.line_text, line)
            if ins is not None and _suggestible(ls, uri, snap, doc.text, ins):
                position = {"line": line, "character": params.range.start.character}
                out.append(
                    types.CodeAction(
                        title=GENERATE_TITLE,
                        kind=GENERATE_KIND,
                        command=types.Command(
                            title=GENERATE_TITLE,
                            command=GENERATE_COMMAND,
                            arguments=[{"uri": uri, "position": position, "version": snap.version}],
                        ),
                    )
                )
    return out


async def resolve_code_action(ls: WfspecServer, action: types.CodeAction) -> types.CodeAction:
    """``codeAction/resolve``: run the repair of a "Fix with AI" action; attach the validated
    edit, or leave it without one, disabled, with the reason (also shown as a message, since
    clients ignore ``disabled`` on a resolved action)."""
    data = action.data
    if not isinstance(data, dict) or data.get("wfspec") != "fixWithAI":
        return action
    if not ls.settings.llm.enabled:
        action.disabled = types.CodeActionDisabled(reason="AI suggestions are off")
        return action
    async with _Progress(ls, "asking the model for a repair") as progress:
        result, snap, why = await _repair(ls, data, progress.report)
    if result is not None and result.ok and snap is not None:
        uri = str(data["uri"])
        edits = convert.text_edits(snap.analysis.doc.index, result.edits)
        action.edit = _workspace_edit(ls, uri, snap.version, edits)
        action.title = f"{FIX_TITLE}: {result.title}"
        return action
    action.disabled = types.CodeActionDisabled(reason=why)
    kind = types.MessageType.Error if result is not None and result.error_kind else types.MessageType.Warning
    ls.show(why, kind)
    return action


async def fix_command(ls: WfspecServer, *args: Any) -> dict[str, Any]:
    """``wfspec.fixWithAI [{uri, version, range, code}]``: the "Fix with AI" of clients
    without ``codeAction/resolve``; applies the validated repair."""
    a = _arg(args)
    if not ls.settings.llm.enabled:
        return _off(ls)
    async with _Progress(ls, "asking the model for a repair") as progress:
        result, snap, why = await _repair(ls, a, progress.report)
    if result is None or not result.ok or snap is None:
        kind = (
            types.MessageType.Error if result is not None and result.error_kind else types.MessageType.Warning
        )
        return _fail(ls, why, kind)
    if not await _apply(ls, a["uri"], snap.version, list(result.edits), f"wfspec: {result.title}"):
        return _fail(ls, "the editor did not apply the repair (the document changed?)")
    return _result(True, result.detail())


async def fix_all_command(ls: WfspecServer, *args: Any) -> dict[str, Any]:
    """``wfspec.fixAllWithAI [{uri, version}]``: repair the document's findings one at a time,
    re-analyzing after each validated repair, and apply the result as one edit."""
    from wfspec.fixes import TextEdit
    from wfspec.llm.repair import repair_all

    a = _arg(args)
    uri = a["uri"]
    if not ls.settings.llm.enabled:
        return _off(ls)
    doc = ls.documents.get(uri)
    if doc is None:
        return _fail(ls, "the document is not open")
    asked = a.get("version")
    if isinstance(asked, int) and asked != doc.version:
        return _fail(ls, "the document changed; try again")
    version, text = doc.version, doc.text
    snap = await ls.snapshot(uri)
    if snap is None or not snap.analysis.findings:
        ls.show("no problems to fix", types.MessageType.Info)
        return _result(True, "no problems to fix", fixed=0)
    asst = assistant(ls)
    provider = asst.provider(ls.settings.llm)
    async with _Progress(ls, "repairing with AI") as progress, asst.busy():
        new_text, results = await repair_all(
            provider, text, uri, config=ls.config_for(uri), progress=progress.report
        )
    fixed = sum(1 for r in results if r.ok)
    failed = next((r for r in results if r.error_kind), None)
    if failed is not None:
        asst.note(ls, failed.error_kind, failed.reason, announce=False)
    if new_text == text:
        if failed is not None:
            return _fail(ls, _unavailable(failed.reason), types.MessageType.Error)
        return _fail(ls, f"no validated repair found ({len(results)} problem(s) tried)")
    now = ls.documents.get(uri)
    if now is None or now.version != version:
        return _fail(ls, "the document changed while the model worked; nothing was applied (try again)")
    head = 0
    limit = min(len(text), len(new_text))
    while head < limit and text[head] == new_text[head]:
        head += 1
    tail = 0
    while tail < limit - head and text[-1 - tail] == new_text[-1 - tail]:
        tail += 1
    edit = TextEdit(head, len(text) - tail, new_text[head : len(new_text) - tail])
    if not await _apply(ls, uri, version, [edit], "wfspec: fix all with AI"):
        return _fail(ls, "the editor did not apply the repairs")
    detail = f"{fixed} of {len(results)} problem(s) repaired with validated edits"
    ls.show(detail, types.MessageType.Info)
    return _result(True, detail, fixed=fixed)


async def status_command(ls: WfspecServer, *args: Any) -> dict[str, Any]:
    """``wfspec.aiStatus``: whether AI is on, which model, and the model work in flight."""
    llm = ls.settings.llm
    a = ls.ai if isinstance(ls.ai, Assistant) else None
    embedded = None
    if "wfspec.llm.embedded" in sys.modules:  # only when an AI request loaded it
        from wfspec.llm.embedded import default_model

        embedded = default_model().base_url
    return {
        "enabled": llm.enabled,
        "model": provider_settings(llm).describe() if llm.enabled else None,
        "inFlight": a.in_flight if a else 0,
        "started": a.started if a else 0,
        "cancelled": a.cancelled if a else 0,
        "unavailable": a.unavailable if a else None,
        "embeddedUrl": embedded,  # the embedded model's loopback URL while it runs
    }


# -- ghost text ---------------------------------------------------------------------------


async def inline_completion(
    ls: WfspecServer, params: types.InlineCompletionParams
) -> types.InlineCompletionList | None:
    """Ghost text: the validated tasks for the request comment the cursor is on (at its end)
    or just below (on a blank line). Cached per (uri, version, comment line); cancelling the
    request cancels the model calls."""
    if not offered(ls):
        return None
    uri = params.text_document.uri
    doc = ls.documents.get(uri)
    if doc is None:
        return None
    version, text = doc.version, doc.text
    line, char = params.position.line, params.position.character
    current = doc.line_text(line)
    start_of_line = doc.starts[line] if line < len(doc.starts) else len(text)
    if current.lstrip().startswith("#"):
        at = doc.offset_at(line, char)
        if current[at - start_of_line :].strip():
            return None  # the cursor is inside the comment, not at its end
        cl, rng, lead = line, (at, start_of_line + len(current)), True
    elif not current.strip() and line > 0:
        cl, rng, lead = line - 1, (start_of_line, start_of_line + len(current)), False
    else:
        return None
    key = (uri, version, cl)
    a = assistant(ls)
    cached = a.inline.get(key)
    if cached is None:
        snap = await ls.snapshot(uri)
        if snap is not None and snap.version != version:
            return None
        insertion = _request_at(snap, text, doc.line_text, cl)
        if insertion is None or text[insertion.start : insertion.end].strip():
            return None
        if not _suggestible(ls, uri, snap, text, insertion):
            return None
        after = doc.starts[cl + 1] if cl + 1 < len(doc.starts) else len(text)
        if insertion.start != after:
            return None  # not the last line of the comment block
        result = await _generate(ls, uri, text, version, insertion, snap, announce=True)
        if result.error_kind:
            if result.error_kind != "model-unavailable":  # that one is announced by itself
                a.say_once(ls, key, f"no ghost text: {_unavailable(result.reason)}", types.MessageType.Error)
            return None  # not cached: the endpoint may be back next time
        cached = []
        if result.ok and result.text:
            body = result.text.rstrip("\n")
            if lead and not body.startswith("\n"):
                body = "\n" + body
            elif not lead:
                body = body.lstrip("\n")
            cached.append(types.InlineCompletionItem(insert_text=body))
        else:
            a.say_once(ls, key, f"no ghost text for this comment: {result.detail()}", types.MessageType.Info)
        a.remember(key, cached)
    now = ls.documents.get(uri)
    if now is None or now.version != version:
        return None
    s = doc.position_at(rng[0])
    e = doc.position_at(rng[1])
    r = types.Range(
        start=types.Position(line=s[0], character=s[1]), end=types.Position(line=e[0], character=e[1])
    )
    return types.InlineCompletionList(
        items=[types.InlineCompletionItem(insert_text=i.insert_text, range=r) for i in cached]
    )


# -- completion item (clients without inline completion) ------------------------------------


COMPLETION_DOC = (
    "Runs the model on this comment when you accept the item (that takes a few seconds; progress "
    "is shown) and inserts the steps it writes below the comment, but only after the analyzer "
    "validated them on a copy of the document: the insertion adds no error or warning. When no "
    "answer validates, nothing is inserted and a message says why. Accepting the item itself "
    "changes nothing."
)


async def completion_item(
    ls: WfspecServer,
    params: types.CompletionParams,
    doc_format: Callable[[str], types.MarkupContent | str],
) -> types.CompletionItem | None:
    """The "Generate steps from this comment" item, for clients without inline completion (the
    others get ghost text), on a request comment or the blank line below it. Cheap: the model
    runs only when the item is accepted, through its ``wfspec.generate`` command. Not offered
    while a trigger character is typed (the user is still writing the comment)."""
    if ls.capability("text_document.inline_completion") is not None or not offered(ls):
        return None
    ctx = params.context
    if ctx is not None and ctx.trigger_kind == types.CompletionTriggerKind.TriggerCharacter:
        return None
    uri = params.text_document.uri
    doc = ls.documents.get(uri)
    if doc is None:
        return None
    line = params.position.line
    if not 0 <= line < len(doc.starts):
        return None
    version, text = doc.version, doc.text
    snap = ls.snapshots.get(uri)
    if snap is None or snap.version != version:
        # only on a comment in words: wait for the analysis of this version (the dialect, and
        # whether the comment is one) as completion does for a document that analyzes quickly
        if _request_at(None, text, doc.line_text, line) is None:
            return None
        snap = await ls.snapshot(uri)
        if snap is None or snap.version != version:
            return None
    insertion = _request_at(snap, text, doc.line_text, line)
    if insertion is None or not _suggestible(ls, uri, snap, text, insertion):
        return None
    at = types.Range(start=params.position, end=params.position)
    position = {"line": line, "character": params.position.character}
    args = {"uri": uri, "position": position, "version": version, "request": insertion.request}
    return types.CompletionItem(
        label=COMPLETION_LABEL,
        kind=types.CompletionItemKind.Event,
        detail=f"AI: {provider_settings(ls.settings.llm).describe()}, validated before insertion",
        documentation=doc_format(COMPLETION_DOC),
        sort_text="0",
        text_edit=types.TextEdit(range=at, new_text=""),  # the comment stays as it is
        command=types.Command(title=COMPLETION_LABEL, command=GENERATE_COMMAND, arguments=[args]),
    )


async def shutdown(ls: WfspecServer, *args: Any) -> None:
    """On ``shutdown``: close the HTTP client and stop the embedded model if it runs."""
    if isinstance(ls.ai, Assistant):
        try:
            await ls.ai.aclose()
        except Exception:  # noqa: BLE001 - shutting down regardless
            log.exception("closing the AI features failed")
