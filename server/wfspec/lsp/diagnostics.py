"""Pull diagnostics (``textDocument/diagnostic``) with result ids and unchanged answers.

Push (``textDocument/publishDiagnostics``) is the fallback for clients that do not announce pull
support; :meth:`WfspecServer.publish` sends it when an analysis completes. Both come from the
same per-snapshot store. A document's findings can depend on other files (local reusable
workflows and actions), hence ``interFileDependencies``; files that are not open are reported by
:mod:`wfspec.lsp.workspace` (``workspace/diagnostic``).
"""

from __future__ import annotations

from lsprotocol import types

from wfspec.lsp.state import WfspecServer

#: ``workspaceDiagnostics`` is filled in by pygls: true exactly when ``workspace/diagnostic`` is
#: registered, which :func:`wfspec.lsp.workspace.negotiate` leaves so only for clients that pull it
OPTIONS = types.DiagnosticOptions(
    identifier="wfspec", inter_file_dependencies=True, workspace_diagnostics=False
)


async def document_diagnostic(
    ls: WfspecServer, params: types.DocumentDiagnosticParams
) -> types.DocumentDiagnosticReport:
    snap = await ls.snapshot(params.text_document.uri, urgent=False)
    if snap is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    items, result_id = ls.diagnostics(snap)
    if params.previous_result_id == result_id:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)
