"""Files that are not open, through the protocol against workspace folders on disk: workspace
pull diagnostics (result ids, skipped directories, open documents left to document pulls, the
setting), the push fallback for the callers of an edited reusable workflow, file watchers, and
definition, references and rename across a local reusable workflow and its callers."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.lsp.conftest import (
    INIT_OPTIONS,
    SERVER,
    apply,
    fixture_text,
    ident,
    minimal_capabilities,
    pos,
    vscode_capabilities,
    vscode_client,
)
from wfspec.analysis.engine import analyze
from wfspec.lsp.workspace import WATCH_GLOB, classify, list_yaml

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]

REUSABLE = """\
name: reusable
on:
  workflow_call:
    inputs:
      env:
        type: string
        required: true
      region:
        type: string
        default: eu
    secrets:
      token:
        required: true
    outputs:
      url:
        value: ${{ jobs.deploy.outputs.url }}
jobs:
  deploy:
    runs-on: ubuntu-latest
    outputs:
      url: ${{ steps.ship.outputs.url }}
    steps:
      - id: ship
        run: echo "url=https://${{ inputs.env }}.${{ inputs.region }}.example" >> "$GITHUB_OUTPUT"
        env:
          TOKEN: ${{ secrets.token }}
"""

CI = """\
name: ci
on: push
jobs:
  deploy:
    uses: ./.github/workflows/reusable.yml
    with:
      env: prod
    secrets:
      token: ${{ secrets.DEPLOY_TOKEN }}
  report:
    needs: deploy
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ needs.deploy.outputs.url }}
"""

RELEASE = """\
name: release
on:
  workflow_call:
    outputs:
      link:
        value: ${{ jobs.ship.outputs.url }}
jobs:
  ship:
    uses: ./.github/workflows/reusable.yml
    with:
      env: staging
      region: us
    secrets: inherit  # wfspec: ignore[secrets-inherit]
  remote:
    uses: octo/pipelines/.github/workflows/deploy.yml@v1  # wfspec: ignore[unpinned-action]
    with:
      env: prod
"""

#: a reusable workflow that reads its input in another spelling: not renamable
ODD_REUSABLE = """\
on:
  workflow_call:
    inputs:
      env: {type: string, required: true}
jobs:
  go:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ inputs.ENV }}
"""

ODD_CALLER = """\
on: push
jobs:
  go:
    uses: ./.github/workflows/reusable.yml
    with:
      env: prod
      colour: blue
"""

FAULTY = fixture_text("faulty.sw.yaml")


def write_repo(root: Path) -> None:
    wfs = root / ".github" / "workflows"
    wfs.mkdir(parents=True)
    (wfs / "reusable.yml").write_text(REUSABLE, encoding="utf-8")
    (wfs / "ci.yml").write_text(CI, encoding="utf-8")
    (wfs / "release.yml").write_text(RELEASE, encoding="utf-8")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workspace")
    write_repo(root / "app")
    (root / "flows").mkdir()
    (root / "flows" / "orders.sw.yaml").write_text(FAULTY, encoding="utf-8")
    (root / "flows" / "notes.yaml").write_text("title: not a workflow\nitems: [1, 2\n", encoding="utf-8")
    for skipped in ("node_modules/pkg", ".cache", ".venv/lib"):
        (root / skipped).mkdir(parents=True)
        (root / skipped / "flow.sw.yaml").write_text(FAULTY, encoding="utf-8")
    odd = root / "odd" / ".github" / "workflows"
    odd.mkdir(parents=True)
    (odd / "reusable.yml").write_text(ODD_REUSABLE, encoding="utf-8")
    (odd / "caller.yml").write_text(ODD_CALLER, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def push_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("push-workspace")
    write_repo(root)
    return root


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=vscode_client), scope="module"
)
async def client(lsp_client: LanguageClient, workspace: Path):
    lsp_client.init_result = await lsp_client.initialize_session(  # type: ignore[attr-defined]
        types.InitializeParams(
            capabilities=vscode_capabilities(),
            initialization_options=INIT_OPTIONS,
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="workspace")],
        )
    )
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), scope="module")
async def push_client(lsp_client: LanguageClient, push_workspace: Path):
    lsp_client.init_result = await lsp_client.initialize_session(  # type: ignore[attr-defined]
        types.InitializeParams(
            capabilities=minimal_capabilities(),
            initialization_options=INIT_OPTIONS,
            workspace_folders=[types.WorkspaceFolder(uri=push_workspace.as_uri(), name="push")],
        )
    )
    yield
    await lsp_client.shutdown_session()


# -- helpers ------------------------------------------------------------------------------------


def wf_path(root: Path, name: str) -> Path:
    return root / ".github" / "workflows" / name


async def workspace_pull(
    client: LanguageClient, previous: dict[str, str] | None = None
) -> dict[str, types.WorkspaceDocumentDiagnosticReport]:
    result = await client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(
            identifier="wfspec",
            previous_result_ids=[types.PreviousResultId(uri=u, value=v) for u, v in (previous or {}).items()],
        )
    )
    return {item.uri: item for item in result.items}


def messages(report: types.WorkspaceDocumentDiagnosticReport) -> list[str]:
    assert isinstance(report, types.WorkspaceFullDocumentDiagnosticReport)
    return [d.message for d in report.items]


def open_file(client: LanguageClient, path: Path, text: str | None = None) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri,
                language_id="yaml",
                version=1,
                text=path.read_text(encoding="utf-8") if text is None else text,
            )
        )
    )
    return uri


def replace_text(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def close(client: LanguageClient, uri: str) -> None:
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=ident(uri)))


async def until(check: Callable[[], bool], what: str, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def edited_texts(edit: types.WorkspaceEdit | None, texts: dict[str, str]) -> dict[str, str]:
    """Apply a workspace edit (documentChanges or changes) to ``texts`` (uri -> text)."""
    assert edit is not None
    out = dict(texts)
    if edit.document_changes is not None:
        for change in edit.document_changes:
            assert isinstance(change, types.TextDocumentEdit)
            uri = change.text_document.uri
            out[uri] = apply(out[uri], [e for e in change.edits if isinstance(e, types.TextEdit)])
    for uri, edits in (edit.changes or {}).items():
        out[uri] = apply(out[uri], edits)
    return out


def analyze_as_repo(tmp: Path, files: dict[str, str]) -> dict[str, list[str]]:
    """The findings of workflow files (name -> text) written together into a fresh repository."""
    if tmp.exists():
        shutil.rmtree(tmp)
    wfs = tmp / ".github" / "workflows"
    wfs.mkdir(parents=True)
    for name, text in files.items():
        (wfs / name).write_text(text, encoding="utf-8")
    return {
        name: [f.message for f in analyze(text, (wfs / name).as_uri()).findings]
        for name, text in files.items()
    }


# -- pure helpers -------------------------------------------------------------------------------


async def test_listing_skips_hidden_and_vendored_trees(workspace: Path) -> None:
    paths, truncated = list_yaml([workspace])
    rel = sorted(p.relative_to(workspace).as_posix() for p in paths)
    assert not truncated
    assert "app/.github/workflows/ci.yml" in rel and "flows/orders.sw.yaml" in rel
    assert not any(r.startswith(("node_modules/", ".cache/", ".venv/")) for r in rel)
    assert list_yaml([workspace], limit=2) == (paths[:2], True)


async def test_classify_by_location_and_content(workspace: Path) -> None:
    ci = classify(wf_path(workspace / "app", "ci.yml"), 1 << 20)
    assert ci is not None and ci.dialect == "github"
    assert ci.deps == {str(wf_path(workspace / "app", "reusable.yml"))}
    flow = classify(workspace / "flows" / "orders.sw.yaml", 1 << 20)
    assert flow is not None and flow.dialect == "serverless"
    notes = classify(workspace / "flows" / "notes.yaml", 1 << 20)
    assert notes is not None and notes.dialect is None
    too_big = classify(workspace / "flows" / "orders.sw.yaml", 10)
    assert too_big is not None and too_big.dialect is None


# -- workspace pull diagnostics -----------------------------------------------------------------


async def test_capabilities_offer_workspace_diagnostics(client: LanguageClient) -> None:
    provider = client.init_result.capabilities.diagnostic_provider  # type: ignore[attr-defined]
    assert isinstance(provider, types.DiagnosticOptions)
    assert provider.workspace_diagnostics is True and provider.inter_file_dependencies is True
    await until(lambda: bool(client.registrations), "client/registerCapability")  # type: ignore[attr-defined]
    (registration,) = client.registrations  # type: ignore[attr-defined]
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    assert [w["globPattern"] for w in registration.register_options["watchers"]] == [WATCH_GLOB]


async def test_workspace_pull_reports_files_that_are_not_open(
    client: LanguageClient, workspace: Path
) -> None:
    app = workspace / "app"
    reports = await workspace_pull(client)
    expected = {
        wf_path(app, "ci.yml"),
        wf_path(app, "reusable.yml"),
        wf_path(app, "release.yml"),
        workspace / "flows" / "orders.sw.yaml",
        wf_path(workspace / "odd", "reusable.yml"),
        wf_path(workspace / "odd", "caller.yml"),
    }
    assert set(reports) == {p.as_uri() for p in expected}  # no notes.yaml, nothing skipped
    assert all(
        isinstance(r, types.WorkspaceFullDocumentDiagnosticReport) and r.result_id for r in reports.values()
    )
    assert messages(reports[wf_path(app, "ci.yml").as_uri()]) == []
    flow = reports[(workspace / "flows" / "orders.sw.yaml").as_uri()]
    assert isinstance(flow, types.WorkspaceFullDocumentDiagnosticReport)
    assert sorted(str(d.code) for d in flow.items) == ["duplicate-id", "unknown-target"]
    assert flow.version is None
    odd = messages(reports[wf_path(workspace / "odd", "caller.yml").as_uri()])
    assert odd == ['"./.github/workflows/reusable.yml" has no input "colour"']
    # the client's result ids still hold: everything unchanged
    previous = {uri: r.result_id for uri, r in reports.items() if r.result_id}
    again = await workspace_pull(client, previous)
    assert set(again) == set(reports)
    assert all(isinstance(r, types.WorkspaceUnchangedDocumentDiagnosticReport) for r in again.values())


async def test_open_documents_are_left_to_document_pulls(client: LanguageClient, workspace: Path) -> None:
    ci = wf_path(workspace / "app", "ci.yml")
    uri = open_file(client, ci)
    try:
        reports = await workspace_pull(client)
        assert uri not in reports and wf_path(workspace / "app", "reusable.yml").as_uri() in reports
    finally:
        close(client, uri)
    assert uri in await workspace_pull(client)


async def test_editing_a_reusable_workflow_reports_its_callers(
    client: LanguageClient, workspace: Path
) -> None:
    app = workspace / "app"
    ci, release = wf_path(app, "ci.yml").as_uri(), wf_path(app, "release.yml").as_uri()
    before = await workspace_pull(client)
    previous = {uri: r.result_id for uri, r in before.items() if r.result_id}
    refreshes = client.diagnostic_refresh_count
    uri = open_file(client, wf_path(app, "reusable.yml"))
    try:
        # rename the required input and drop the output: unsaved, only in the editor
        broken = REUSABLE.replace("      env:\n", "      environment:\n").replace(
            "inputs.env", "inputs.environment"
        )
        broken = broken.replace(
            "    outputs:\n      url:\n        value: ${{ jobs.deploy.outputs.url }}\n", ""
        )
        replace_text(client, uri, 2, broken)
        await until(lambda: client.diagnostic_refresh_count > refreshes, "workspace/diagnostic/refresh")
        reports = await workspace_pull(client, previous)
        assert uri not in reports
        assert sorted(messages(reports[ci])) == [
            '"./.github/workflows/reusable.yml" has no input "env"',
            'missing required input "environment" of "./.github/workflows/reusable.yml"',
            'the workflow called by job "deploy" has no output "url"; it declares no outputs',
        ]
        assert '"./.github/workflows/reusable.yml" has no input "env"' in messages(reports[release])
        assert isinstance(
            reports[(workspace / "flows" / "orders.sw.yaml").as_uri()],
            types.WorkspaceUnchangedDocumentDiagnosticReport,
        )
        # back to what is on disk: the callers are clean again
        refreshes = client.diagnostic_refresh_count
        replace_text(client, uri, 3, REUSABLE)
        await until(lambda: client.diagnostic_refresh_count > refreshes, "a second refresh")
        fixed = await workspace_pull(client, {u: r.result_id for u, r in reports.items() if r.result_id})
        assert messages(fixed[ci]) == [] and messages(fixed[release]) == []
    finally:
        close(client, uri)


async def test_created_files_are_listed_after_a_watcher_event(
    client: LanguageClient, workspace: Path
) -> None:
    await workspace_pull(client)  # the listing is fresh now
    new = wf_path(workspace / "app", "nightly.yml")
    new.write_text(CI.replace("env: prod", "env: nightly\n      typo: 1"), encoding="utf-8")
    try:
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=new.as_uri(), type=types.FileChangeType.Created)]
            )
        )
        reports = await workspace_pull(client)
        assert messages(reports[new.as_uri()]) == ['"./.github/workflows/reusable.yml" has no input "typo"']
    finally:
        new.unlink()
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=new.as_uri(), type=types.FileChangeType.Deleted)]
            )
        )
    gone = await workspace_pull(client)
    assert messages(gone[new.as_uri()]) == []  # cleared once: it had problems
    assert new.as_uri() not in await workspace_pull(client)


async def test_turning_the_setting_off_clears_reported_problems(
    client: LanguageClient, workspace: Path
) -> None:
    flow = (workspace / "flows" / "orders.sw.yaml").as_uri()
    odd = wf_path(workspace / "odd", "caller.yml").as_uri()
    assert messages((await workspace_pull(client))[flow])
    client.set_configuration({"debounceMs": 0, "workspaceDiagnostics": False}, section="wfspec")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    try:
        for _ in range(250):
            reports = await workspace_pull(client)
            if flow in reports and messages(reports[flow]) == []:
                break
            await asyncio.sleep(0.02)
        # only the files that had problems come back, once, empty
        assert set(reports) == {flow, odd} and messages(reports[flow]) == messages(reports[odd]) == []
        assert await workspace_pull(client) == {}
    finally:
        client.set_configuration({"debounceMs": 0}, section="wfspec")
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    for _ in range(250):
        if flow in await workspace_pull(client):
            break
        await asyncio.sleep(0.02)
    assert messages((await workspace_pull(client))[flow])


# -- navigation across files --------------------------------------------------------------------


async def test_rename_an_input_from_the_reusable_workflow(
    client: LanguageClient, workspace: Path, tmp_path: Path
) -> None:
    app = workspace / "app"
    texts = {
        wf_path(app, n).as_uri(): wf_path(app, n).read_text(encoding="utf-8")
        for n in ("reusable.yml", "ci.yml", "release.yml")
    }
    uri = open_file(client, wf_path(app, "reusable.yml"))
    try:
        at = pos(REUSABLE, "inputs.env }}", len("inputs."))
        prep = await client.text_document_prepare_rename_async(
            types.PrepareRenameParams(text_document=ident(uri), position=at)
        )
        assert isinstance(prep, types.PrepareRenamePlaceholder) and prep.placeholder == "env"
        edit = await client.text_document_rename_async(
            types.RenameParams(text_document=ident(uri), position=at, new_name="environment")
        )
        assert edit is not None and edit.document_changes is not None
        versions = {c.text_document.uri: c.text_document.version for c in edit.document_changes}  # type: ignore[union-attr]
        ci, release = wf_path(app, "ci.yml").as_uri(), wf_path(app, "release.yml").as_uri()
        assert versions == {uri: 1, ci: None, release: None}
        new = edited_texts(edit, texts)
        assert "      environment:\n        type: string" in new[uri] and "inputs.environment }}" in new[uri]
        assert "with:\n      environment: prod" in new[ci] and "environment: staging" in new[release]
        assert "with:\n      env: prod" in new[release]  # the remote workflow's input is another name
        findings = analyze_as_repo(
            tmp_path / "renamed", {"reusable.yml": new[uri], "ci.yml": new[ci], "release.yml": new[release]}
        )
        assert findings == {"reusable.yml": [], "ci.yml": [], "release.yml": []}
    finally:
        close(client, uri)


async def test_rename_from_a_caller_edits_the_reusable_workflow_and_other_callers(
    client: LanguageClient, workspace: Path
) -> None:
    app = workspace / "app"
    names = ("reusable.yml", "ci.yml", "release.yml")
    texts = {wf_path(app, n).as_uri(): wf_path(app, n).read_text(encoding="utf-8") for n in names}
    reusable, ci, release = (wf_path(app, n).as_uri() for n in names)
    open_file(client, wf_path(app, "ci.yml"))
    try:
        at = pos(CI, "      env: prod", 7)
        refs = await client.text_document_references_async(
            types.ReferenceParams(
                text_document=ident(ci), position=at, context=types.ReferenceContext(include_declaration=True)
            )
        )
        assert refs is not None
        assert sorted((r.uri, r.range.start.line) for r in refs) == sorted(
            [(reusable, 4), (reusable, 23), (ci, 6), (release, 10)]
        )
        defs = await client.text_document_definition_async(
            types.DefinitionParams(text_document=ident(ci), position=at)
        )
        assert isinstance(defs, list) and [(d.uri, d.range.start.line) for d in defs] == [(reusable, 4)]  # type: ignore[union-attr]
        hover = await client.text_document_hover_async(
            types.HoverParams(text_document=ident(ci), position=at)
        )
        assert hover is not None and isinstance(hover.contents, types.MarkupContent)
        assert hover.contents.value == "**env** · input of the reusable workflow `reusable.yml`"
        edit = await client.text_document_rename_async(
            types.RenameParams(text_document=ident(ci), position=at, new_name="stage")
        )
        new = edited_texts(edit, texts)
        assert "      stage:\n        type: string" in new[reusable] and "inputs.stage }}" in new[reusable]
        assert "      stage: prod" in new[ci] and "      stage: staging" in new[release]
        # outputs: from the read in a caller, to the declaration and the other caller's reads
        at = pos(CI, "outputs.url", len("outputs."))
        edit = await client.text_document_rename_async(
            types.RenameParams(text_document=ident(ci), position=at, new_name="link")
        )
        new = edited_texts(edit, texts)
        assert "    outputs:\n      link:\n        value: ${{ jobs.deploy.outputs.url }}" in new[reusable]
        assert "needs.deploy.outputs.link" in new[ci] and "jobs.ship.outputs.link" in new[release]
    finally:
        close(client, ci)


async def test_rename_a_secret_from_its_use(client: LanguageClient, workspace: Path) -> None:
    app = workspace / "app"
    texts = {
        wf_path(app, n).as_uri(): wf_path(app, n).read_text(encoding="utf-8")
        for n in ("reusable.yml", "ci.yml")
    }
    reusable, ci = wf_path(app, "reusable.yml").as_uri(), wf_path(app, "ci.yml").as_uri()
    open_file(client, wf_path(app, "reusable.yml"))
    try:
        edit = await client.text_document_rename_async(
            types.RenameParams(
                text_document=ident(reusable),
                position=pos(REUSABLE, "secrets.token", 9),
                new_name="DEPLOY_KEY",
            )
        )
        assert edit is not None and edit.document_changes is not None
        assert {c.text_document.uri for c in edit.document_changes} == {reusable, ci}  # type: ignore[union-attr]
        new = edited_texts(edit, texts)
        assert "    secrets:\n      DEPLOY_KEY:" in new[reusable] and "secrets.DEPLOY_KEY }}" in new[reusable]
        assert "      DEPLOY_KEY: ${{ secrets.DEPLOY_TOKEN }}" in new[ci]
        with pytest.raises(JsonRpcException, match="not a valid secret name"):
            await client.text_document_rename_async(
                types.RenameParams(
                    text_document=ident(reusable),
                    position=pos(REUSABLE, "secrets.token", 9),
                    new_name="deploy-key",
                )
            )
        with pytest.raises(JsonRpcException, match='already declares input "region"'):
            await client.text_document_rename_async(
                types.RenameParams(
                    text_document=ident(reusable), position=pos(REUSABLE, "      env:", 7), new_name="region"
                )
            )
    finally:
        close(client, reusable)


async def test_prepare_rename_refuses_with_the_reason(client: LanguageClient, workspace: Path) -> None:
    odd = workspace / "odd"
    caller = open_file(client, wf_path(odd, "caller.yml"))
    try:
        with pytest.raises(JsonRpcException, match="not spelled literally everywhere in reusable.yml"):
            await client.text_document_prepare_rename_async(
                types.PrepareRenameParams(
                    text_document=ident(caller), position=pos(ODD_CALLER, "env: prod", 1)
                )
            )
        with pytest.raises(JsonRpcException, match='declares no input "colour"'):
            await client.text_document_prepare_rename_async(
                types.PrepareRenameParams(text_document=ident(caller), position=pos(ODD_CALLER, "colour", 1))
            )
    finally:
        close(client, caller)
    release = open_file(client, wf_path(workspace / "app", "release.yml"))
    try:
        # the input of a remote reusable workflow is nothing wfspec can rename
        prep = await client.text_document_prepare_rename_async(
            types.PrepareRenameParams(text_document=ident(release), position=pos(RELEASE, "env: prod", 1))
        )
        assert prep is None
    finally:
        close(client, release)


# -- push fallback ------------------------------------------------------------------------------


async def test_push_client_gets_no_workspace_pull(push_client: LanguageClient) -> None:
    provider = push_client.init_result.capabilities.diagnostic_provider  # type: ignore[attr-defined]
    assert provider is None or not provider.workspace_diagnostics


async def test_callers_of_an_edited_reusable_workflow_are_pushed(
    push_client: LanguageClient, push_workspace: Path
) -> None:
    ci = wf_path(push_workspace, "ci.yml").as_uri()
    uri = open_file(push_client, wf_path(push_workspace, "reusable.yml"))
    try:
        broken = REUSABLE.replace("      env:\n", "      environment:\n").replace(
            "inputs.env", "inputs.environment"
        )
        replace_text(push_client, uri, 2, broken)
        await until(lambda: ci in push_client.diagnostics, "diagnostics pushed for ci.yml")
        assert sorted(d.message for d in push_client.diagnostics[ci]) == [
            '"./.github/workflows/reusable.yml" has no input "env"',
            'missing required input "environment" of "./.github/workflows/reusable.yml"',
        ]
        replace_text(push_client, uri, 3, REUSABLE)
        await until(lambda: list(push_client.diagnostics[ci]) == [], "ci.yml cleared")
    finally:
        close(push_client, uri)


async def test_disk_changes_reported_by_watchers_are_pushed(
    push_client: LanguageClient, push_workspace: Path
) -> None:
    reusable = wf_path(push_workspace, "reusable.yml")
    ci = wf_path(push_workspace, "ci.yml").as_uri()
    event = types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=reusable.as_uri(), type=types.FileChangeType.Changed)]
    )
    push_client.diagnostics.pop(ci, None)
    reusable.write_text(REUSABLE.replace("      token:\n        required: true\n", ""), encoding="utf-8")
    try:
        push_client.workspace_did_change_watched_files(event)
        await until(lambda: bool(push_client.diagnostics.get(ci)), "diagnostics pushed for ci.yml")
        assert [d.message for d in push_client.diagnostics[ci]] == [
            '"./.github/workflows/reusable.yml" has no secret "token"'
        ]
    finally:
        reusable.write_text(REUSABLE, encoding="utf-8")
        push_client.workspace_did_change_watched_files(event)
    await until(lambda: list(push_client.diagnostics.get(ci, [None])) == [], "ci.yml cleared")


async def test_rename_without_document_changes(push_client: LanguageClient, push_workspace: Path) -> None:
    reusable = wf_path(push_workspace, "reusable.yml")
    uri = open_file(push_client, reusable)
    try:
        edit = await push_client.text_document_rename_async(
            types.RenameParams(
                text_document=ident(uri), position=pos(REUSABLE, "      region:", 7), new_name="zone"
            )
        )
        assert edit is not None and edit.document_changes is None and edit.changes is not None
        release = wf_path(push_workspace, "release.yml").as_uri()
        assert set(edit.changes) == {uri, release}  # ci.yml does not pass "region"
        assert "      zone: us" in apply(RELEASE, edit.changes[release])
    finally:
        close(push_client, uri)
