"""Retrieval: workspace vocabulary, the TF-IDF index over specs, and outlines of specs."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SPECS
from wfspec.analysis.engine import analyze
from wfspec.llm.retrieval import SpecIndex, cached_index, tokens, vocabulary_of


def test_tokens_split_identifiers():
    assert tokens("askBillingAgent post-reply HTTP_client a2a") == [
        "ask",
        "billing",
        "agent",
        "post",
        "reply",
        "http",
        "client",
        "a2a",
    ]


def test_vocabulary_of_a_spec():
    a = analyze((SPECS / "serverless" / "support-triage-a2a.yaml").read_text(), "file:///t.yaml")
    v = vocabulary_of(a)
    assert v.secrets == ["helpdesk"]
    assert "classifyTicket" in v.tasks and "postReply" in v.tasks
    urls = set(v.agents.values())
    assert "https://agents.example.com/triage/.well-known/agent-card.json" in urls
    assert "https://agents.example.com/technical/a2a" in urls
    assert "triage-agent" in v.agents
    text = v.render()
    assert "secrets" in text and "helpdesk" in text


def test_index_finds_the_similar_spec_and_skips_faulty_ones(tmp_path: Path):
    idx = SpecIndex.build([SPECS / "serverless"])
    names = {s.path.name for s in idx.specs}
    assert "support-triage-a2a.yaml" in names
    assert not any("faulty" in str(s.path) for s in idx.specs)
    best = idx.search("route a customer support ticket to a billing or technical agent", k=1)
    assert best and best[0][1].path.name == "support-triage-a2a.yaml"
    spec = best[0][1]
    assert spec.summary.startswith("Agentic customer-support triage")
    assert spec.outline[0] == ("classifyTicket", "call-agent", "triage-agent")
    assert "triage-agent" in idx.relevant_vocabulary("support ticket triage agent").agents
    # the cache is reused until a file changes
    d = tmp_path / "ws"
    d.mkdir()
    (d / "a.sw.yaml").write_text((SPECS / "serverless" / "support-triage-a2a.yaml").read_text())
    one = cached_index([d])
    assert cached_index([d]) is one
    (d / "b.yaml").write_text("not: a workflow\n")
    assert cached_index([d]) is not one
