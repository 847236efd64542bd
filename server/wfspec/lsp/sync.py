"""Lifecycle and document sync: initialize, settings (initializationOptions, workspace/
configuration, didChangeConfiguration), didOpen / didChange / didClose.

Edits update the server's own document copy synchronously, in message order, then (re)start
the document's debounced analysis. :mod:`wfspec.lsp.workspace` hears of every open, change, save
and close too: other files may depend on the one that changed.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from typing import Any

from lsprotocol import types

from wfspec.lsp import convert, settings, workspace
from wfspec.lsp.documents import TextDocument
from wfspec.lsp.state import WfspecServer

log = logging.getLogger("wfspec.lsp")


def _merge(base: Any, top: Any) -> Any:
    """Deep merge of two JSON objects (``top`` wins)."""
    if isinstance(base, Mapping) and isinstance(top, Mapping):
        out = dict(base)
        for k, v in top.items():
            out[k] = _merge(base.get(k), v) if k in base else v
        return out
    return top if top is not None else base


def _section(raw: Any) -> Any:
    if isinstance(raw, Mapping) and isinstance(raw.get(settings.SECTION), Mapping):
        return raw[settings.SECTION]
    return raw


def apply_settings(ls: WfspecServer, raw: Any) -> None:
    """Parse and apply settings; report invalid values with window/showMessage; re-analyze open
    documents when anything changed."""
    new, errors = settings.parse(raw)
    if errors:
        ls.show("invalid settings (defaults used for these): " + "; ".join(errors))
    changed = new != ls.settings
    ls.settings = new
    logging.getLogger("wfspec").setLevel(new.log_level.upper())
    if not changed:
        return
    ls.settings_generation += 1
    workspace.settings_changed(ls)
    ls.reanalyze_all()
    if ls.pull_diagnostics and ls.capability("workspace.diagnostics.refresh_support"):
        ls.workspace_diagnostic_refresh(None)
    if ls.capability("workspace.code_lens.refresh_support"):
        ls.workspace_code_lens_refresh(None)
    if ls.capability("workspace.semantic_tokens.refresh_support"):
        ls.workspace_semantic_tokens_refresh(None)


def initialize(ls: WfspecServer, params: types.InitializeParams) -> None:
    caps = params.capabilities
    td = caps.text_document
    ls.pull_diagnostics = td is not None and td.diagnostic is not None
    pub = td.publish_diagnostics if td is not None else None
    pull = td.diagnostic if td is not None else None

    def flag(name: str) -> bool:
        return bool(getattr(pub, name, None)) or bool(getattr(pull, name, None))

    tags: set[int] = set()
    for src in (pub, pull):
        ts = getattr(src, "tag_support", None)
        if ts is not None:
            tags.update(int(t) for t in ts.value_set)
    ls.diagnostic_support = convert.DiagnosticSupport(
        related_information=flag("related_information"),
        tags=frozenset(tags),
        code_description=flag("code_description_support"),
        data=flag("data_support"),
    )
    ls.init_options = _section(params.initialization_options)
    # applied silently here; ``initialized`` re-applies with the client's configuration and
    # reports invalid values (window/showMessage is best sent after the initialize result)
    ls.settings, _ = settings.parse(ls.init_options)
    logging.getLogger("wfspec").setLevel(ls.settings.log_level.upper())
    workspace.negotiate(ls, params)
    # the analysis core (rules, dialects) and networkx are imported on first use; import them
    # now on the analysis thread, after the initialize result is on its way and before the first
    # document arrives
    ls.run_on_analysis_thread(importlib.import_module, "wfspec.analysis.engine")
    ls.run_on_analysis_thread(importlib.import_module, "networkx")


async def initialized(ls: WfspecServer, params: types.InitializedParams) -> None:
    await refresh_configuration(ls)
    await workspace.register_watchers(ls)


async def refresh_configuration(ls: WfspecServer, pushed: Any = None) -> None:
    """Read the ``wfspec`` section with workspace/configuration when the client supports it,
    else take what the client pushed; initializationOptions are the base either way."""
    raw: Any = pushed
    if ls.capability("workspace.configuration"):
        try:
            got = await ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=settings.SECTION)])
            )
            raw = got[0] if got else None
        except Exception:  # noqa: BLE001 - a client that fails this keeps the old settings
            log.exception("workspace/configuration failed")
            raw = None
    raw = _section(raw)
    merged = _merge(ls.init_options, raw) if raw else ls.init_options
    apply_settings(ls, merged)


async def did_change_configuration(ls: WfspecServer, params: types.DidChangeConfigurationParams) -> None:
    await refresh_configuration(ls, params.settings)


def did_open(ls: WfspecServer, params: types.DidOpenTextDocumentParams) -> None:
    td = params.text_document
    ls.documents[td.uri] = TextDocument(td.uri, td.text, td.version, td.language_id)
    ls.snapshots.pop(td.uri, None)
    ls.schedule(td.uri, 0)
    workspace.opened(ls, td.uri)


def did_change(ls: WfspecServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    doc = ls.documents.get(uri)
    if doc is None:
        log.warning("didChange for a document that is not open: %s", uri)
        return
    was = doc.in_sync
    for change in params.content_changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            r = change.range
            doc.apply_change((r.start.line, r.start.character, r.end.line, r.end.character), change.text)
        else:
            doc.apply_change(None, change.text)  # the whole text: in sync again
    doc.version = params.text_document.version
    if not doc.in_sync:
        if was:  # a range this copy does not have: the texts already differ
            ls.out_of_sync(uri, f"an edit at a line past the end of the document (version {doc.version})")
            ls.tell_out_of_sync([uri])
        return
    if not was:
        log.warning("%s is in sync with the editor again (version %s)", uri, doc.version)
    workspace.edited(ls, uri, ls.schedule(uri))


def did_close(ls: WfspecServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.forget(params.text_document.uri)
    workspace.closed(ls, params.text_document.uri)


def did_save(ls: WfspecServer, params: types.DidSaveTextDocumentParams) -> None:
    """A saved config file may change what every document's analysis is."""
    uri = params.text_document.uri
    if uri.endswith(("pyproject.toml", ".wfspec.toml")):
        ls.settings_generation += 1
        ls.reanalyze_all()
    workspace.saved(ls, uri)
