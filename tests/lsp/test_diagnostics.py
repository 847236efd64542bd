"""Diagnostics through the protocol: pull with result ids, push fallback, codes, related
information, Unnecessary tags, debounced re-analysis after edits, settings."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import diagnostics, fixture_text, ident, open_doc, pull

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]


async def test_pull_reports_findings_with_codes_and_tags(client: LanguageClient) -> None:
    uri = open_doc(client, fixture_text("orders.sw.yaml"))
    items = await diagnostics(client, uri)
    by_code = {d.code: d for d in items}
    assert set(by_code) == {"unused-definition", "unreachable"}
    unused = by_code["unused-definition"]
    assert unused.severity == types.DiagnosticSeverity.Hint
    assert list(unused.tags or []) == [types.DiagnosticTag.Unnecessary]
    assert unused.source == "wfspec"
    assert unused.code_description is None  # no real documentation location configured
    orphan = by_code["unreachable"]
    assert orphan.severity == types.DiagnosticSeverity.Warning
    assert list(orphan.tags or []) == [types.DiagnosticTag.Unnecessary]
    assert orphan.range.start.line == 46


async def test_related_information_points_at_the_other_end(client: LanguageClient) -> None:
    text = fixture_text("faulty.sw.yaml")
    uri = open_doc(client, text)
    items = await diagnostics(client, uri)
    dup = next(d for d in items if d.code == "duplicate-id")
    assert dup.related_information
    rel = dup.related_information[0]
    assert rel.location.uri == uri
    assert rel.location.range.start.line == 10


async def test_unchanged_report_for_the_same_result(client: LanguageClient) -> None:
    uri = open_doc(client, fixture_text("faulty.sw.yaml"))
    first = await pull(client, uri)
    assert isinstance(first, types.RelatedFullDocumentDiagnosticReport) and first.result_id
    again = await pull(client, uri, first.result_id)
    assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)
    assert again.result_id == first.result_id


async def test_edits_are_analyzed_and_stale_results_dropped(client: LanguageClient) -> None:
    text = fixture_text("faulty.sw.yaml")
    uri = open_doc(client, text)
    first = await pull(client, uri)
    assert isinstance(first, types.RelatedFullDocumentDiagnosticReport)
    line = text.splitlines().index("      then: finsh")
    # several quick edits: fix the typo one character at a time
    for version, (a, b, new) in enumerate([(15, 15, "i"), (16, 16, "X"), (16, 17, "")], start=2):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=line, character=a),
                            end=types.Position(line=line, character=b),
                        ),
                        text=new,
                    )
                ],
            )
        )
    report = await pull(client, uri, first.result_id)
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert [d.code for d in report.items] == ["duplicate-id"]


async def test_non_workflow_yaml_gets_no_findings(client: LanguageClient) -> None:
    uri = open_doc(client, "services:\n  web:\n    image: nginx\n", name="compose.yaml")
    assert await diagnostics(client, uri) == []


async def test_syntax_errors_are_diagnostics(client: LanguageClient) -> None:
    uri = open_doc(client, "document:\n  dsl: '1.0.3\ndo: []\n")
    items = await diagnostics(client, uri)
    assert items and items[0].code == "syntax" and items[0].severity == types.DiagnosticSeverity.Error


async def test_invalid_settings_are_reported_and_defaults_kept(client: LanguageClient) -> None:
    uri = open_doc(client, fixture_text("orders.sw.yaml"))
    before = len(await diagnostics(client, uri))
    shown = len(client.messages)
    client.set_configuration({"debounceMs": "fast", "rules": {"ignore": ["no-such-rule"]}}, section="wfspec")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    for _ in range(200):
        if len(client.messages) > shown:
            break
        await asyncio.sleep(0.02)
    assert len(client.messages) > shown, "expected window/showMessage about the invalid settings"
    message = client.messages[-1].message
    assert "debounceMs" in message and "no-such-rule" in message
    assert len(await diagnostics(client, uri)) == before


async def _codes(client: LanguageClient, uri: str) -> list[tuple[str, types.DiagnosticSeverity | None]]:
    return [(str(d.code), d.severity) for d in await diagnostics(client, uri)]


async def _eventually(
    client: LanguageClient, uri: str, expected: list[tuple[str, types.DiagnosticSeverity]]
) -> None:
    got = None
    for _ in range(100):
        got = await _codes(client, uri)
        if got == expected:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"diagnostics {got} never became {expected}")


async def test_rule_settings_apply_and_refresh(client: LanguageClient) -> None:
    uri = open_doc(client, fixture_text("orders.sw.yaml"))
    default = [
        ("unused-definition", types.DiagnosticSeverity.Hint),
        ("unreachable", types.DiagnosticSeverity.Warning),
    ]
    await _eventually(client, uri, default)
    refreshes = client.diagnostic_refresh_count
    client.set_configuration(
        {"debounceMs": 0, "rules": {"ignore": ["unused-definition"], "severity": {"unreachable": "error"}}},
        section="wfspec",
    )
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await _eventually(client, uri, [("unreachable", types.DiagnosticSeverity.Error)])
    assert client.diagnostic_refresh_count > refreshes
    assert types.WORKSPACE_CODE_LENS_REFRESH in client.refreshes  # type: ignore[attr-defined]
    client.set_configuration({"debounceMs": 0}, section="wfspec")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await _eventually(client, uri, default)


async def test_closed_documents_answer_empty(client: LanguageClient) -> None:
    uri = open_doc(client, fixture_text("faulty.sw.yaml"))
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=ident(uri)))
    report = await pull(client, uri)
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport) and list(report.items) == []
