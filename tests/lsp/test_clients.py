"""Real editors' capability sets against the server, all without LSP specification warnings.

pytest-lsp's recorded sets (Emacs 29 eglot, Neovim 0.7 and 0.11) get diagnostics by pull or push
as announced, completion, a quick fix, hover and symbols. Helix and Zed cannot be installed here:
their sets were read from their source code (``tests/lsp/fixtures/clients``), and the server gets
the settings of the ``docs/editors.md`` snippets (parsed from the doc) the way each editor
delivers them: ``initializationOptions``, ``workspace/didChangeConfiguration`` after start, and
the editor's own way of answering ``workspace/configuration``. The snippets' keys are checked
against the fields the editors' sources read.
"""

from __future__ import annotations

import asyncio
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from lsprotocol.converters import get_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities, make_test_lsp_client

from tests.lsp.conftest import (
    FIXTURES,
    INIT_OPTIONS,
    SERVER,
    apply,
    fixture_text,
    ident,
    open_doc,
    pos,
    workspace_edits,
)

pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")
in_module_loop = pytest.mark.asyncio(loop_scope="module")  # the servers are module fixtures

FAULTY = fixture_text("faulty.sw.yaml")
ORDERS = fixture_text("orders.sw.yaml")
EDITORS_DOC = Path(__file__).resolve().parents[2] / "docs" / "editors.md"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER),
    scope="module",
    params=["emacs@v29.1", "neovim@v0.7.0", "neovim@v0.11.0"],
)
async def editor(lsp_client: LanguageClient, request: pytest.FixtureRequest):
    lsp_client.editor = request.param  # type: ignore[attr-defined]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param), initialization_options=INIT_OPTIONS
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    caps = client.capabilities
    assert caps is not None
    if caps.text_document is not None and caps.text_document.diagnostic is not None:
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=ident(uri))
        )
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
        return list(report.items)
    while True:
        params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri:
            return list(params.diagnostics)


@in_module_loop
async def test_editor_round_trip(editor: LanguageClient) -> None:
    client = editor
    uri = open_doc(client, FAULTY)
    diags = await _diagnostics(client, uri)
    assert sorted(str(d.code) for d in diags) == ["duplicate-id", "unknown-target"]
    at = pos(FAULTY, "then: finsh", len("then: "))
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=ident(uri), position=at)
    )
    items = result.items if isinstance(result, types.CompletionList) else result or []
    assert "finish" in {i.label for i in items} and "start" not in {i.label for i in items}
    target = next(d for d in diags if d.code == "unknown-target")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=ident(uri),
            range=target.range,
            context=types.CodeActionContext(diagnostics=[target]),
        )
    )
    assert actions and any(isinstance(a, types.CodeAction) and a.is_preferred for a in actions)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=ident(uri), position=pos(FAULTY, "  - start:", 5))
    )
    assert hover is not None
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=ident(uri))
    )
    assert symbols and {s.name for s in symbols} == {"start", "finish"}


# -- Helix and Zed, read from their sources -----------------------------------------------------

# the fields upstream's deserializers accept (see tests/lsp/fixtures/clients/README.md)
HELIX_SERVER_KEYS = {"command", "args", "environment", "config", "timeout", "required-root-patterns"}
HELIX_LANGUAGE_KEYS = {
    "name", "language-id", "scope", "file-types", "shebangs", "roots", "comment-token",
    "comment-tokens", "block-comment-tokens", "text-width", "soft-wrap", "auto-format",
    "formatter", "path-completion", "word-completion", "diagnostic-severity", "grammar",
    "injection-regex", "language-servers", "indent", "debugger", "auto-pairs", "rulers",
    "workspace-lsp-roots", "persistent-diagnostic-sources",
}  # fmt: skip
ZED_MANIFEST_REQUIRED = {"id", "name", "version", "schema_version"}
ZED_MANIFEST_KEYS = ZED_MANIFEST_REQUIRED | {
    "description", "repository", "authors", "lib", "themes", "icon_themes", "languages",
    "grammars", "language_servers", "context_servers", "slash_commands",
    "indexed_docs_providers", "snippets", "capabilities",
}  # fmt: skip
ZED_SERVER_KEYS = {"language", "languages", "language_ids", "code_action_kinds"}


def doc_blocks(heading: str) -> dict[str, list[str]]:
    """The fenced code blocks under ``## heading`` of docs/editors.md, by language."""
    text = EDITORS_DOC.read_text(encoding="utf-8")
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    blocks: dict[str, list[str]] = {}
    for lang, body in re.findall(r"```(\w+)\n(.*?)```", text[start : end if end > 0 else None], re.S):
        blocks.setdefault(lang, []).append(body)
    return blocks


def _get(value: Any, *path: str) -> Any:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


@dataclass(frozen=True)
class Delivery:
    """How an editor hands the server its settings."""

    init_options: Any  # initializationOptions
    pushed: Any  # workspace/didChangeConfiguration settings, sent after initialized
    answer: Callable[[str | None], Any]  # its answer to a workspace/configuration item

    def delivered(self, *path: str) -> Any:
        """A setting of the ``wfspec`` section as the server can get it: from the
        workspace/configuration answer, else from the initialization options."""
        found = _get(self.answer("wfspec"), *path)
        if found is None:
            init = self.init_options
            found = _get(init.get("wfspec", init) if isinstance(init, dict) else None, *path)
        return found


def helix_delivery() -> Delivery:
    """``config`` of ``[language-server.wfspec]``: sent as initializationOptions and again as
    didChangeConfiguration once the server is initialized; a workspace/configuration item is
    answered with the part of ``config`` its dotted section names (everything without a
    section, null where there is nothing)."""
    (block,) = doc_blocks("Helix")["toml"]
    config = tomllib.loads(block)["language-server"]["wfspec"].get("config")

    def answer(section: str | None) -> Any:
        value = config
        for part in section.split(".") if section else []:
            value = value.get(part) if isinstance(value, dict) else None
        return value

    return Delivery(init_options=config, pushed=config, answer=answer)


def zed_delivery() -> Delivery:
    """``lsp.wfspec.initialization_options`` as initializationOptions; the workspace
    configuration is what the extension's ``language_server_workspace_configuration`` returns
    (the doc's returns ``lsp.wfspec.settings``; an empty object when it returns nothing): sent as
    didChangeConfiguration after initialize, and a workspace/configuration item is answered with
    its top-level key named by the section (not split at dots), null when absent."""
    blocks = doc_blocks("Zed")
    (settings_json,) = blocks["json"]
    (lib_rs,) = blocks["rust"]
    lsp = json.loads(settings_json)["lsp"]["wfspec"]
    passes_settings = "fn language_server_workspace_configuration" in lib_rs and (
        'LspSettings::for_worktree("wfspec"' in lib_rs and ".settings" in lib_rs
    )
    workspace = (lsp.get("settings") if passes_settings else None) or {}

    def answer(section: str | None) -> Any:
        return workspace if section is None else workspace.get(section)

    return Delivery(init_options=lsp.get("initialization_options"), pushed=workspace, answer=answer)


READ_EDITORS: dict[str, tuple[str, Callable[[], Delivery]]] = {
    "helix": ("helix.json", helix_delivery),
    "zed": ("zed.json", zed_delivery),
}


def read_profile(name: str) -> types.InitializeParams:
    """A profile from tests/lsp/fixtures/clients, structured as pytest-lsp does its own (keys
    outside the specification are dropped, as the server's own parsing drops them)."""
    raw = json.loads((FIXTURES / "clients" / name).read_text(encoding="utf-8"))
    return get_converter().structure(raw, types.InitializeParams)


def read_editor_client() -> LanguageClient:
    """pytest-lsp's client answering workspace/configuration with ``delivery`` (set per editor
    before initialize) and accepting registrations, as both editors do."""
    lc = make_test_lsp_client()
    lc.asked = []  # type: ignore[attr-defined]
    lc.configured = asyncio.Event()  # type: ignore[attr-defined]
    lc.protocol.fm.features.pop(types.WORKSPACE_CONFIGURATION, None)

    @lc.feature(types.WORKSPACE_CONFIGURATION)
    def configuration(ls: LanguageClient, params: types.ConfigurationParams) -> list[Any]:
        delivery: Delivery = ls.delivery  # type: ignore[attr-defined]
        ls.asked.extend(item.section for item in params.items)  # type: ignore[attr-defined]
        ls.configured.set()  # type: ignore[attr-defined]
        return [delivery.answer(item.section) for item in params.items]

    @lc.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(ls: LanguageClient, params: types.RegistrationParams) -> None:
        return None

    return lc


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=read_editor_client),
    scope="module",
    params=sorted(READ_EDITORS),
)
async def read_editor(lsp_client: LanguageClient, request: pytest.FixtureRequest):
    profile_name, make_delivery = READ_EDITORS[request.param]
    profile = read_profile(profile_name)
    delivery = make_delivery()
    lsp_client.editor = request.param  # type: ignore[attr-defined]
    lsp_client.delivery = delivery  # type: ignore[attr-defined]
    lsp_client.init_result = await lsp_client.initialize_session(  # type: ignore[attr-defined]
        types.InitializeParams(
            capabilities=profile.capabilities,
            client_info=profile.client_info,
            initialization_options=delivery.init_options,
            root_uri=FIXTURES.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=FIXTURES.as_uri(), name=FIXTURES.name)],
        )
    )
    lsp_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings=delivery.pushed)
    )
    yield
    await lsp_client.shutdown_session()


def test_helix_snippet_uses_the_keys_helix_reads() -> None:
    (block,) = doc_blocks("Helix")["toml"]
    conf = tomllib.loads(block)
    server = conf["language-server"]["wfspec"]
    assert set(server) <= HELIX_SERVER_KEYS
    assert server["command"] == "wfspec" and server["args"] == ["serve"]
    (yaml,) = [lang for lang in conf["language"] if lang["name"] == "yaml"]
    assert set(yaml) <= HELIX_LANGUAGE_KEYS and "wfspec" in yaml["language-servers"]
    # what Helix answers for the section the server asks for
    assert isinstance(helix_delivery().answer("wfspec"), dict)


def test_zed_snippets_use_the_keys_zed_reads() -> None:
    blocks = doc_blocks("Zed")
    (manifest_toml,) = blocks["toml"]
    manifest = tomllib.loads(manifest_toml)
    assert ZED_MANIFEST_REQUIRED <= set(manifest) <= ZED_MANIFEST_KEYS
    server = manifest["language_servers"]["wfspec"]
    assert set(server) <= ZED_SERVER_KEYS and "YAML" in server["languages"]
    (settings_json,) = blocks["json"]
    settings = json.loads(settings_json)
    assert "wfspec" in settings["languages"]["YAML"]["language_servers"]
    assert set(settings["lsp"]["wfspec"]) <= {"binary", "initialization_options", "settings"}
    # the extension passes `settings` on, so Zed has a `wfspec` section to answer with
    assert isinstance(zed_delivery().answer("wfspec"), dict)


async def _severity_of(client: LanguageClient, uri: str, code: str, want: types.DiagnosticSeverity) -> Any:
    """The severity of the ``code`` finding, re-pulled (or awaited) until it is ``want`` or
    5 seconds passed: settings from workspace/configuration arrive after initialized."""
    found: Any = None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while loop.time() < deadline:
        try:
            diags = await asyncio.wait_for(_diagnostics(client, uri), deadline - loop.time())
        except TimeoutError:
            break
        found = next((d.severity for d in diags if d.code == code), None)
        if found == want:
            break
        await asyncio.sleep(0.05)
    return found


SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


@in_module_loop
async def test_read_editor_settings_reach_the_server(read_editor: LanguageClient) -> None:
    client = read_editor
    delivery: Delivery = client.delivery  # type: ignore[attr-defined]
    await asyncio.wait_for(client.configured.wait(), 10)  # type: ignore[attr-defined]
    assert "wfspec" in client.asked  # type: ignore[attr-defined]
    wanted = delivery.delivered("rules", "severity", "unreachable")
    assert wanted in SEVERITIES and SEVERITIES[wanted] != types.DiagnosticSeverity.Warning  # the default
    uri = open_doc(client, ORDERS)
    assert await _severity_of(client, uri, "unreachable", SEVERITIES[wanted]) == SEVERITIES[wanted]


@in_module_loop
async def test_read_editor_round_trip(read_editor: LanguageClient) -> None:
    client = read_editor
    caps = client.capabilities
    assert caps is not None and caps.text_document is not None
    init: types.InitializeResult = client.init_result  # type: ignore[attr-defined]
    assert init.capabilities.position_encoding in (None, types.PositionEncodingKind.Utf16)

    uri = open_doc(client, FAULTY)
    diags = await _diagnostics(client, uri)
    assert sorted(str(d.code) for d in diags) == ["duplicate-id", "unknown-target"]

    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=ident(uri), position=pos(FAULTY, "then: finsh", len("then: ")))
    )
    items = result.items if isinstance(result, types.CompletionList) else result or []
    assert "finish" in {i.label for i in items} and "start" not in {i.label for i in items}

    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=ident(uri), position=pos(FAULTY, "  - start:", 5))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown and hover.contents.value

    # the quick fix, resolved first where it comes without its edit, as these editors do
    target = next(d for d in diags if d.code == "unknown-target")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=ident(uri),
            range=target.range,
            context=types.CodeActionContext(diagnostics=[target]),
        )
    )
    fix = next(
        a
        for a in actions or []
        if isinstance(a, types.CodeAction)
        and a.kind == types.CodeActionKind.QuickFix
        and a.title == 'Change to "finish"'
    )
    if fix.edit is None:
        fix = await client.code_action_resolve_async(fix)
    assert "then: finish" in apply(FAULTY, workspace_edits(fix.edit, uri))
    action_caps = caps.text_document.code_action
    if action_caps is not None and action_caps.is_preferred_support:
        assert fix.is_preferred

    messy = re.sub(r"^  (dsl|namespace|name|version):", r"    \1:", FAULTY, flags=re.M)
    assert messy != FAULTY
    messy_uri = open_doc(client, messy)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=ident(messy_uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True)
        )
    )
    assert edits and apply(messy, edits) == FAULTY

    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=ident(uri))
    )
    assert symbols and {s.name for s in symbols} == {"start", "finish"}
    symbol_caps = caps.text_document.document_symbol
    hierarchical = symbol_caps is not None and symbol_caps.hierarchical_document_symbol_support
    kind = types.DocumentSymbol if hierarchical else types.SymbolInformation
    assert all(isinstance(s, kind) for s in symbols)


# -- the "Generate steps from this comment" completion item: only where accepting it runs it ----

RECORDED = Path(pytest_lsp.__file__).parent / "clients"
REQUEST_DOC = """\
document:
  dsl: '1.0.3'
  namespace: support
  name: tickets
  version: '0.1.0'
do:
  - loadTicket:
      set:
        ticket: 1
  # then ask the billing agent about the ticket and post its answer
  - closeTicket:
      set:
        closed: true
"""
REQUEST_LINE = REQUEST_DOC.splitlines().index(
    "  # then ask the billing agent about the ticket and post its answer"
)
# (profile, whether accepting a completion item runs its command): Neovim up to 0.10 inserts the
# label of an item with an empty text edit and drops its command, eglot ignores the command;
# Neovim 0.11 and Zed resolve ``command`` lazily, VS Code runs it
ITEM_COMMAND_PROFILES = [
    (RECORDED / "neovim_v0.7.0.json", False),
    (RECORDED / "neovim_v0.9.1.json", False),
    (RECORDED / "neovim_v0.10.0.json", False),
    (RECORDED / "neovim_v0.11.0.json", True),
    (RECORDED / "emacs_v29.1.json", False),
    (RECORDED / "visual_studio_code_v1.65.2.json", True),
    (FIXTURES / "clients" / "helix.json", False),
    (FIXTURES / "clients" / "zed.json", True),
]


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER),
    params=ITEM_COMMAND_PROFILES,
    ids=[p.stem for p, _ in ITEM_COMMAND_PROFILES],
)
async def recorded_editor(lsp_client: LanguageClient, request: pytest.FixtureRequest):
    path, runs = request.param
    raw = json.loads(path.read_text(encoding="utf-8"))
    profile = get_converter().structure(raw, types.InitializeParams)
    lsp_client.runs_item_commands = runs  # type: ignore[attr-defined]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=profile.capabilities,
            client_info=profile.client_info,
            initialization_options=INIT_OPTIONS,
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_generate_item_only_for_clients_that_run_its_command(recorded_editor: LanguageClient) -> None:
    client = recorded_editor
    runs = client.runs_item_commands  # type: ignore[attr-defined]
    uri = open_doc(client, REQUEST_DOC)
    at = types.Position(line=REQUEST_LINE, character=len(REQUEST_DOC.splitlines()[REQUEST_LINE]))
    got = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=ident(uri),
            position=at,
            context=types.CompletionContext(trigger_kind=types.CompletionTriggerKind.Invoked),
        )
    )
    items = got.items if isinstance(got, types.CompletionList) else got or []
    offered = [i for i in items if i.label == "Generate steps from this comment"]
    assert bool(offered) == runs, [i.label for i in items]
    # every one of them gets the code action, which runs the same command
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=ident(uri),
            range=types.Range(start=at, end=at),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    # (a code action of only title, kind and command reads back as a Command here: the client's
    # converter takes the first member of the result's union that fits)
    generate = [a for a in actions or [] if a.title == "Generate from comment"]
    assert len(generate) == 1 and "wfspec.generate" in str(generate[0].command)
