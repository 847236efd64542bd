"""Random incremental edits through the protocol (insert, delete, paste garbage, undo): the
server keeps answering, its document text equals the client's, and the diagnostics it reports
are those of the latest text."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import fixture_text, ident, open_doc, pull
from wfspec.analysis.engine import analyze

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]

BASE = fixture_text("orders.sw.yaml")
_BREAK = re.compile(r"\r\n|\r|\n")


def _position(text: str, offset: int) -> types.Position:
    """LSP position of a code-point offset, computed independently of the server's code."""
    line_start = 0
    line = 0
    for m in _BREAK.finditer(text, 0, offset):
        if m.end() > offset:
            break
        line += 1
        line_start = m.end()
    head = text[line_start:offset]
    return types.Position(line=line, character=len(head.encode("utf-16-le")) // 2)


GARBAGE = st.lists(
    st.sampled_from(list("ab: -\n\r\t#'\"{}[]$") + ["\r\n", "é", "😀", "\u2028", "${ ", " }", "  - x:\n"]),
    max_size=8,
).map("".join)
EDIT = st.tuples(
    st.sampled_from(["insert", "delete", "replace", "undo"]), st.floats(0, 1), st.floats(0, 1), GARBAGE
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=st.lists(EDIT, min_size=1, max_size=10))
async def test_random_edits_keep_server_and_client_in_sync(
    client: LanguageClient, edits: list[tuple[str, float, float, str]]
) -> None:
    text = BASE
    uri = open_doc(client, text)
    history: list[tuple[int, int, str]] = []  # (start, end-after-edit, removed text) for undo
    version = 1
    for op, a, b, garbage in edits:
        if op == "undo":
            if not history:
                continue
            start, end, removed = history.pop()
            new = removed
            if any(0 < i < len(text) and text[i - 1] == "\r" and text[i] == "\n" for i in (start, end)):
                continue  # the edit made a CRLF pair whose halves no client can address apart
        else:
            start = int(a * len(text))
            end = start if op == "insert" else min(len(text), start + int(b * 40))
            # never split a \r\n pair or a surrogate: clients edit whole characters and lines
            if 0 < start < len(text) and text[start - 1] == "\r" and text[start] == "\n":
                start -= 1
            if 0 < end < len(text) and text[end - 1] == "\r" and text[end] == "\n":
                end += 1
            new = "" if op == "delete" else garbage
            history.append((start, start + len(new), text[start:end]))
        rng = types.Range(start=_position(text, start), end=_position(text, end))
        text = text[:start] + new + text[end:]
        version += 1
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangePartial(range=rng, text=new)],
            )
        )
        if version % 3 == 0:  # interleave requests with the edits
            hover_at = _position(text, int(a * len(text)))
            await client.text_document_hover_async(
                types.HoverParams(text_document=ident(uri), position=hover_at)
            )
            await client.text_document_completion_async(
                types.CompletionParams(text_document=ident(uri), position=hover_at)
            )
    state = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="wfspec.documentState", arguments=[uri])
    )
    assert state["version"] == version
    assert state["sha256"] == hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    report = await pull(client, uri)
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    expected = [
        (f.rule, f.span.start.line, f.span.start.character, f.message) for f in analyze(text, uri).findings
    ]
    got = [(d.code, d.range.start.line, d.range.start.character, d.message) for d in report.items]
    assert got == expected
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=ident(uri)))
