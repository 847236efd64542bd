"""pytest-lsp fixtures: ``wfspec serve`` in a subprocess driven through the real protocol.

``client`` announces VS Code's capabilities (pytest-lsp's recorded VS Code set plus pull
diagnostics, which current VS Code announces); ``minimal_client`` announces almost nothing (no
pull diagnostics, no snippets, no resolve, no hierarchical symbols) to prove the fallbacks. Each
is one server for the whole session (documents get fresh URIs per test) with the debounce at 0
and every other setting at its default (the model features on, without starting a model: no
test there asks for one); tests that change settings put them back (:func:`set_ai`). Every
test module turns LSP specification warnings into errors.

Every range the server returns to any pytest-lsp client in these tests (results, pushed
diagnostics, server edits) is checked as VS Code checks it, against the text the client sent
(:mod:`tests.lsp.ranges`, turned on for the session below).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities, make_test_lsp_client

from tests.lsp import ranges
from wfspec.lsp.documents import TextDocument
from wfspec.lsp.settings import LlmSettings

FIXTURES = Path(__file__).parent / "fixtures"
SERVER = [sys.executable, "-m", "wfspec.cli", "serve"]
INIT_OPTIONS = {"debounceMs": 0}


@pytest.fixture(scope="session", autouse=True)
def _check_every_range():  # noqa: ANN202
    """Check every range every client receives (:func:`tests.lsp.ranges.watching`)."""
    with ranges.watching():
        yield


@pytest.fixture(autouse=True)
def _no_bad_ranges_pushed():  # noqa: ANN202
    """Fail a test whose pushed diagnostics or server edits held a bad range."""
    ranges.take_failures()
    yield
    bad = ranges.take_failures()
    assert not bad, "\n".join(bad)


def vscode_capabilities() -> types.ClientCapabilities:
    """VS Code's capabilities as pytest-lsp recorded them, plus what VS Code announces today
    for pull diagnostics and diagnostic refresh."""
    caps = client_capabilities("visual-studio-code")
    assert caps.text_document is not None and caps.workspace is not None
    caps.text_document.diagnostic = types.DiagnosticClientCapabilities(
        dynamic_registration=True, related_document_support=False, related_information=True
    )
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    return caps


def minimal_capabilities() -> types.ClientCapabilities:
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf8]),
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(),
            completion=types.CompletionClientCapabilities(),
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.PlainText]),
            document_symbol=types.DocumentSymbolClientCapabilities(),
        ),
    )


def vscode_client() -> LanguageClient:
    """pytest-lsp's client plus the refresh and registration requests VS Code answers."""
    lc = make_test_lsp_client()
    lc.refreshes = []  # type: ignore[attr-defined]
    lc.registrations = []  # type: ignore[attr-defined]

    @lc.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(ls: LanguageClient, params: types.RegistrationParams) -> None:
        ls.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    def refresh(method: str):  # noqa: ANN202
        def handler(ls: LanguageClient, params: None) -> None:
            ls.refreshes.append(method)  # type: ignore[attr-defined]

        return handler

    for method in (types.WORKSPACE_CODE_LENS_REFRESH, types.WORKSPACE_SEMANTIC_TOKENS_REFRESH):
        lc.feature(method)(refresh(method))
    return lc


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=vscode_client), scope="session"
)
async def client(lsp_client: LanguageClient):
    lsp_client.init_result = await lsp_client.initialize_session(  # type: ignore[attr-defined]
        types.InitializeParams(
            capabilities=vscode_capabilities(),
            initialization_options=INIT_OPTIONS,
            workspace_folders=[types.WorkspaceFolder(uri=FIXTURES.as_uri(), name="fixtures")],
        )
    )
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), scope="session")
async def minimal_client(lsp_client: LanguageClient):
    lsp_client.init_result = await lsp_client.initialize_session(  # type: ignore[attr-defined]
        types.InitializeParams(capabilities=minimal_capabilities(), initialization_options=INIT_OPTIONS)
    )
    yield
    await lsp_client.shutdown_session()


# -- helpers ------------------------------------------------------------------------------------

_counter = [0]


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def open_doc(client: LanguageClient, text: str, name: str = "doc.sw.yaml", version: int = 1) -> str:
    """Open ``text`` under a fresh URI and return the URI."""
    _counter[0] += 1
    uri = (FIXTURES / f"t{_counter[0]}-{name}").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=version, text=text)
        )
    )
    return uri


def pos(text: str, needle: str, delta: int = 0, nth: int = 0) -> types.Position:
    """The LSP position of the ``nth`` occurrence of ``needle`` (plus ``delta`` characters)."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    doc = TextDocument("", text)
    line, char = doc.position_at(at + delta)
    return types.Position(line=line, character=char)


def ident(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


def apply(text: str, edits: Iterable[types.TextEdit]) -> str:
    """Apply LSP text edits (UTF-16 ranges) to ``text``, as a client would."""
    doc = TextDocument("", text)
    spans = []
    for e in edits:
        start = doc.offset_at(e.range.start.line, e.range.start.character)
        end = doc.offset_at(e.range.end.line, e.range.end.character)
        spans.append((start, end, e.new_text))
    out = text
    for start, end, new in sorted(spans, reverse=True):
        out = out[:start] + new + out[end:]
    return out


def workspace_edits(edit: types.WorkspaceEdit | None, uri: str) -> list[types.TextEdit]:
    """The edits a workspace edit makes to ``uri`` (changes or documentChanges)."""
    assert edit is not None
    out: list[types.TextEdit] = []
    if edit.changes:
        out.extend(edit.changes.get(uri, []))
    for change in edit.document_changes or []:
        assert isinstance(change, types.TextDocumentEdit)
        if change.text_document.uri == uri:
            out.extend(e for e in change.edits if isinstance(e, types.TextEdit))
    return out


async def pull(
    client: LanguageClient, uri: str, previous: str | None = None
) -> types.DocumentDiagnosticReport:
    return await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=ident(uri), previous_result_id=previous)
    )


async def diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    report = await pull(client, uri)
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    return list(report.items)


async def set_ai(client: LanguageClient, enabled: bool | None) -> None:
    """Turn the model features on or off (None: back to the default) through
    ``workspace/didChangeConfiguration`` and wait until the server applied it."""
    section: dict[str, Any] = {"debounceMs": 0}
    if enabled is not None:
        section["llm"] = {"enabled": enabled}
    client.set_configuration(section, section="wfspec")
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"wfspec": section})
    )
    want = LlmSettings().enabled if enabled is None else enabled
    for _ in range(250):
        status = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="wfspec.aiStatus")
        )
        if status["enabled"] == want:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the server never applied llm.enabled = {want}")
