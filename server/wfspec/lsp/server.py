"""``create_server()`` builds a fresh wfspec language server with every feature registered;
``run()`` serves one over stdio (the default) or TCP (``wfspec serve --tcp HOST:PORT``).

Logs go to stderr, never stdout: stdout is the transport.
"""

from __future__ import annotations

import gc
import logging
import sys

from lsprotocol import types

from wfspec.lsp import (
    actions,
    ai,
    completion,
    crossfile,
    diagnostics,
    formatting,
    hover,
    navigation,
    structure,
    sync,
    workspace,
)
from wfspec.lsp.state import WfspecServer

log = logging.getLogger("wfspec.lsp")


def create_server() -> WfspecServer:
    """A new server instance (tests build one per session)."""
    ls = WfspecServer()
    feature = ls.feature
    feature(types.INITIALIZE)(sync.initialize)
    feature(types.INITIALIZED)(sync.initialized)
    feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(sync.did_change_configuration)
    feature(types.TEXT_DOCUMENT_DID_OPEN)(sync.did_open)
    feature(types.TEXT_DOCUMENT_DID_CHANGE)(sync.did_change)
    feature(types.TEXT_DOCUMENT_DID_CLOSE)(sync.did_close)
    feature(types.TEXT_DOCUMENT_DID_SAVE)(sync.did_save)
    feature(types.TEXT_DOCUMENT_DIAGNOSTIC, diagnostics.OPTIONS)(diagnostics.document_diagnostic)
    feature(types.WORKSPACE_DIAGNOSTIC)(workspace.workspace_diagnostic)
    feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(workspace.did_change_watched_files)
    feature(types.TEXT_DOCUMENT_CODE_ACTION, actions.OPTIONS)(actions.code_action)
    ls.command(actions.GRAPH_COMMAND)(actions.graph_command)
    ls.command(actions.STATE_COMMAND)(actions.document_state_command)
    feature(types.CODE_ACTION_RESOLVE)(ai.resolve_code_action)
    ls.command(ai.GENERATE_COMMAND)(ai.generate_command)
    ls.command(ai.FIX_COMMAND)(ai.fix_command)
    ls.command(ai.FIX_ALL_COMMAND)(ai.fix_all_command)
    ls.command(ai.STATUS_COMMAND)(ai.status_command)
    feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, ai.INLINE_OPTIONS)(ai.inline_completion)
    feature(types.SHUTDOWN)(ai.shutdown)
    feature(types.TEXT_DOCUMENT_COMPLETION, completion.OPTIONS)(completion.completion)
    feature(types.COMPLETION_ITEM_RESOLVE)(completion.resolve)
    feature(types.TEXT_DOCUMENT_HOVER)(hover.hover)
    # definition, references and rename follow reusable workflow interfaces across files and
    # hand every other name to wfspec.lsp.navigation
    feature(types.TEXT_DOCUMENT_DEFINITION)(crossfile.definition)
    feature(types.TEXT_DOCUMENT_REFERENCES)(crossfile.references)
    feature(types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT)(navigation.highlight)
    feature(types.TEXT_DOCUMENT_PREPARE_RENAME)(crossfile.prepare_rename)
    feature(types.TEXT_DOCUMENT_RENAME)(crossfile.rename)
    feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)(structure.document_symbol)
    feature(types.WORKSPACE_SYMBOL)(structure.workspace_symbol)
    feature(types.TEXT_DOCUMENT_FOLDING_RANGE)(structure.folding_range)
    feature(types.TEXT_DOCUMENT_SELECTION_RANGE)(structure.selection_range)
    feature(types.TEXT_DOCUMENT_CODE_LENS)(structure.code_lens)
    feature(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, structure.LEGEND)(structure.semantic_tokens)
    feature(types.TEXT_DOCUMENT_FORMATTING)(formatting.formatting)
    ls.warmers.append(navigation.index_of)
    return ls


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("wfspec").setLevel(logging.WARNING)
    logging.getLogger("pygls").setLevel(logging.WARNING)


def run(tcp: str | None = None) -> int:
    """Serve until the client says exit. ``tcp`` is ``"HOST:PORT"``, or None for stdio."""
    address: tuple[str, int] | None = None
    if tcp:
        host, sep, port = tcp.rpartition(":")
        if not sep or not port.isdigit() or not 0 < int(port) < 65536:
            print(f"wfspec: --tcp expects HOST:PORT, got {tcp!r}", file=sys.stderr)
            return 2
        address = (host.strip("[]") or "127.0.0.1", int(port))
    _configure_logging()
    ls = create_server()
    # Garbage collection tuned for latency: everything imported so far lives as long as the
    # process, so keep it out of the cyclic collector's full passes (~70k objects, ~0.1 s a pass);
    # make automatic full passes rare and run one after two quiet seconds instead (refcounting
    # frees analyses on its own: they hold no reference cycles).
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, 10_000)
    ls.idle_gc_delay = 2.0
    # Analysis runs on a worker thread; hand the GIL back to the protocol loop every 1 ms (not
    # 5) so requests answered from the last analysis stay quick while a large document is analyzed.
    sys.setswitchinterval(0.001)
    if address is not None:
        ls.start_tcp(*address)
    else:
        ls.start_io()
    return 0
