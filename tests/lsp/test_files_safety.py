"""Files on disk through the protocol: a named pipe and a link to ``/dev/zero`` in the workspace
never hold up workspace diagnostics, references or rename, nor the server's exit; a reusable
workflow outside the repository is not read, and rename never edits it.

Every request is awaited with a generous bound that only turns a hang into a failure.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.lsp.conftest import INIT_OPTIONS, SERVER, ident, pos, vscode_capabilities, vscode_client
from tests.lsp.test_workspace import CI, REUSABLE, open_file, wf_path

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]

HANG_GUARD = 120.0  # seconds

ESCAPE = """\
name: escape
on: push
jobs:
  deploy:
    uses: {uses}
    with:
      env: prod
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fs-workspace")
    app = root / "app"
    wfs = app / ".github" / "workflows"
    wfs.mkdir(parents=True)
    (wfs / "reusable.yml").write_text(REUSABLE, encoding="utf-8")
    (wfs / "ci.yml").write_text(CI, encoding="utf-8")
    os.mkfifo(wfs / "piped.yml")
    (root / "flows").mkdir()
    os.mkfifo(root / "flows" / "pipe.sw.yaml")
    (root / "flows" / "zero.sw.yaml").symlink_to("/dev/zero")
    os.mkfifo(root / "plain.yaml")
    # another repository, next to the workspace folder
    other = tmp_path_factory.mktemp("elsewhere") / ".github" / "workflows"
    other.mkdir(parents=True)
    (other / "reusable.yml").write_text(REUSABLE, encoding="utf-8")
    rel = os.path.relpath(other / "reusable.yml", app)
    (wfs / "escape.yml").write_text(ESCAPE.format(uses=f"./{rel}"), encoding="utf-8")
    return root


def outside_file(workspace: Path) -> Path:
    escape = wf_path(workspace / "app", "escape.yml").read_text(encoding="utf-8")
    rel = escape.split("uses: ./", 1)[1].split("\n", 1)[0]
    return Path(os.path.normpath(workspace / "app" / rel))


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=vscode_client), scope="module"
)
async def client(lsp_client: LanguageClient, workspace: Path):
    lsp_client.init_result = await lsp_client.initialize_session(  # type: ignore[attr-defined]
        types.InitializeParams(
            capabilities=vscode_capabilities(),
            initialization_options=INIT_OPTIONS,
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="fs")],
        )
    )
    yield
    server = lsp_client._server  # noqa: SLF001 - the last test shuts it down itself
    if server is not None and server.returncode is None:
        await lsp_client.shutdown_session()


async def bounded(aw):  # noqa: ANN001, ANN201 - any awaitable
    return await asyncio.wait_for(aw, HANG_GUARD)


async def test_workspace_diagnostics_answer_with_a_pipe_in_the_workspace(
    client: LanguageClient, workspace: Path
) -> None:
    result = await bounded(
        client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(identifier="wfspec", previous_result_ids=[])
        )
    )
    uris = {item.uri for item in result.items}
    app = workspace / "app"
    assert wf_path(app, "ci.yml").as_uri() in uris
    assert not any(u.endswith(("piped.yml", "pipe.sw.yaml", "zero.sw.yaml", "plain.yaml")) for u in uris)
    escape = next(i for i in result.items if i.uri == wf_path(app, "escape.yml").as_uri())
    assert isinstance(escape, types.WorkspaceFullDocumentDiagnosticReport)
    assert any("lies outside the repository; it is not read" in d.message for d in escape.items)


async def test_references_and_rename_answer_with_a_pipe_in_the_workspace(
    client: LanguageClient, workspace: Path
) -> None:
    app = workspace / "app"
    ci = open_file(client, wf_path(app, "ci.yml"))
    try:
        at = pos(CI, "      env: prod", 7)
        refs = await bounded(
            client.text_document_references_async(
                types.ReferenceParams(
                    text_document=ident(ci),
                    position=at,
                    context=types.ReferenceContext(include_declaration=True),
                )
            )
        )
        assert refs is not None
        reusable = wf_path(app, "reusable.yml").as_uri()
        assert {r.uri for r in refs} == {reusable, ci}
        edit = await bounded(
            client.text_document_rename_async(
                types.RenameParams(text_document=ident(ci), position=at, new_name="stage")
            )
        )
        assert edit is not None and edit.document_changes is not None
        assert {c.text_document.uri for c in edit.document_changes} == {reusable, ci}  # type: ignore[union-attr]
    finally:
        client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=ident(ci)))


async def test_rename_never_edits_a_file_outside_the_repository(
    client: LanguageClient, workspace: Path
) -> None:
    path = wf_path(workspace / "app", "escape.yml")
    text = path.read_text(encoding="utf-8")
    uri = open_file(client, path)
    outside = outside_file(workspace).as_uri()
    try:
        at = pos(text, "      env: prod", 7)
        refs = await bounded(
            client.text_document_references_async(
                types.ReferenceParams(
                    text_document=ident(uri),
                    position=at,
                    context=types.ReferenceContext(include_declaration=True),
                )
            )
        )
        assert outside not in {r.uri for r in refs or []}
        try:
            edit = await bounded(
                client.text_document_rename_async(
                    types.RenameParams(text_document=ident(uri), position=at, new_name="stage")
                )
            )
        except JsonRpcException:
            edit = None  # refused: nothing to rename across files
        touched: set[str] = set()
        if edit is not None:
            touched |= {c.text_document.uri for c in edit.document_changes or []}  # type: ignore[union-attr]
            touched |= set(edit.changes or {})
        assert outside not in touched
    finally:
        client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=ident(uri)))


async def test_server_exits_after_shutdown_and_exit(client: LanguageClient) -> None:
    server = client._server  # noqa: SLF001
    assert server is not None
    await bounded(client.shutdown_session())
    assert server.returncode == 0
