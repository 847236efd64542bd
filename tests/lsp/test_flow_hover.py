"""Hover on a task says what the findings say about its place in the flow, in their words: a
job in a dependency cycle is "in a dependency cycle", not "unreachable"; a task only a typo'd
``then`` keeps from being reached is "unreachable until ... is fixed"."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import FIXTURES, ident, open_doc, pos
from tests.unit.test_masking import TYPO

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]

CYCLE = (Path(__file__).resolve().parents[2] / "specs" / "github" / "faulty" / "cycle-needs.yml").read_text(
    encoding="utf-8"
)


async def _hover(client: LanguageClient, uri: str, position: types.Position) -> str:
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=ident(uri), position=position)
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    return hover.contents.value


async def test_a_job_in_a_cycle_is_in_a_cycle_not_unreachable(client: LanguageClient) -> None:
    uri = (FIXTURES / ".github" / "workflows" / "hover-cycle.yml").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=CYCLE)
        )
    )
    text = await _hover(client, uri, pos(CYCLE, "  test:", 3))
    assert "**test** · job" in text
    assert "unreachable" not in text
    assert '*in a dependency cycle: "build" -> "package" -> "test" -> "build"*' in text


async def test_a_task_masked_by_a_typo_says_so(client: LanguageClient) -> None:
    uri = open_doc(client, TYPO)
    text = await _hover(client, uri, pos(TYPO, "  - notify:", 5))
    assert '*unreachable until "routeTicket" on line 10 is fixed (unknown-target)*' in text
    assert "no path from the start leads here" not in text


async def test_the_typo_is_shown_as_leading_nowhere(client: LanguageClient) -> None:
    uri = open_doc(client, TYPO)
    text = await _hover(client, uri, pos(TYPO, "  - classify:", 5))
    assert '**out:** "routeTicket" (then, names nothing: leads nowhere)' in text
