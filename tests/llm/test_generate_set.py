"""The generation evaluation set (``benchmarks/llm_data/generate_set.json``, no model involved):
its size per dialect, its intent items, its inline references, and that its requests are held
out (not duplicated, not in the project's specs, docs or package, not the issue's examples)."""

from __future__ import annotations

import inspect
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from wfspec.analysis.engine import analyze
from wfspec.llm.plan import ITEM_KINDS, item_from_json

ROOT = Path(__file__).resolve().parents[2]
SET = ROOT / "benchmarks" / "llm_data" / "generate_set.json"

#: the requests quoted in the issue that asked for this set, and the demo's: the set must not
#: reuse their wording
QUOTED = (
    "route billing issues to the billing agent and everything else to the general agent",
    "For each new signup, send a welcome email, then add all of them to the CRM in one call",
    "Ping the status page; if the site is down, page the on-call engineer through PagerDuty, "
    "otherwise log that all is well",
    "then ask the billing agent to refund the customer",
    "every night, run the test suite on ubuntu and upload the coverage report",
)


@pytest.fixture(scope="module")
def entries() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(SET.read_text(encoding="utf-8"))
    return data


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _norm(text: str) -> str:
    return " ".join(_words(text))


def test_size_per_dialect_and_fields(entries):
    per = Counter(e["dialect"] for e in entries)
    assert per["serverless"] >= 50 and per["github"] >= 30
    assert set(per) == {"serverless", "github"}
    assert len({e["id"] for e in entries}) == len(entries)
    for e in entries:
        assert set(e) == {"id", "dialect", "request", "items", "reference"}, e["id"]
        assert e["id"].startswith("sw-" if e["dialect"] == "serverless" else "gh-"), e["id"]
        assert 3 <= len(e["request"].split()) <= 40, e["id"]  # a comment, not a specification
        assert e["items"], e["id"]


def test_every_item_is_a_plan_item(entries):
    for e in entries:
        for raw in e["items"]:
            item = item_from_json(raw)
            assert item is not None and item.kind in ITEM_KINDS, (e["id"], raw)
            assert item.to_json() == raw, (e["id"], raw)  # nothing dropped or coerced
            assert set(raw) <= {"kind", "name", "values", "count"}, (e["id"], raw)
            assert item.name or item.values or item.count, (e["id"], raw)


def test_item_shapes(entries):
    """Durations are ISO 8601, schedules five-field cron, retries carry a count, branches and
    parallel work name their outcomes."""
    for e in entries:
        for raw in e["items"]:
            kind, name = raw["kind"], raw.get("name", "")
            if kind in ("wait", "timeout"):
                assert re.fullmatch(r"P(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?", name) and len(name) > 2, e["id"]
            if kind == "schedule":
                assert len(name.split()) == 5, e["id"]
            if kind == "retry":
                assert raw.get("count", 0) >= 2, e["id"]
            if kind in ("branch", "parallel", "fallback"):
                assert raw.get("values"), e["id"]
            if kind == "parallel":
                assert len(raw["values"]) >= 2, e["id"]


def test_every_construct_several_times(entries):
    def kinds(dialect: str) -> Counter[str]:
        return Counter(i["kind"] for e in entries if e["dialect"] == dialect for i in e["items"])

    sw, gh = kinds("serverless"), kinds("github")
    for kind in ("agent", "tool", "api", "function", "branch", "loop", "foreach", "parallel", "retry"):
        assert sw[kind] >= 4, kind
    for kind in ("fallback", "wait", "timeout", "listen", "emit", "schedule", "secret"):
        assert sw[kind] >= 2, kind
    for kind in ("trigger", "schedule", "input", "matrix", "job", "secret"):
        assert gh[kind] >= 4, kind
    branches = [len(i["values"]) for e in entries for i in e["items"] if i["kind"] == "branch"]
    assert sum(n == 2 for n in branches) >= 3 and sum(n == 3 for n in branches) >= 3
    triggers = Counter(i["name"] for e in entries for i in e["items"] if i["kind"] == "trigger")
    for event in ("push", "pull_request", "workflow_dispatch", "release", "issues"):
        assert triggers[event] >= 2, event
    axes = Counter(i["name"] for e in entries for i in e["items"] if i["kind"] == "matrix")
    assert axes["node"] >= 2 and axes["os"] >= 2 and axes["python"] >= 2


def test_every_reference_analyzes_clean_in_its_dialect(entries):
    for e in entries:
        a = analyze(e["reference"], "untitled:reference")
        assert a.dialect == e["dialect"], e["id"]
        bad = [(f.rule, f.message) for f in a.findings if f.severity <= 2]
        assert bad == [], e["id"]


def test_requests_are_distinct_and_held_out(entries):
    requests = [_norm(e["request"]) for e in entries]
    dupes = [r for r, n in Counter(requests).items() if n > 1]
    assert dupes == []
    shipped: list[str] = []
    for folder in ("specs", "docs", "server"):
        for p in sorted((ROOT / folder).rglob("*")):
            if p.is_file() and p.suffix in (".yaml", ".yml", ".md", ".json", ".py", ".txt"):
                shipped.append(_norm(p.read_text(encoding="utf-8", errors="replace")))
    text = "\n".join(shipped)
    found = [e["id"] for e in entries if _norm(e["request"]) in text]
    assert found == []


def test_requests_do_not_reuse_the_quoted_wording(entries):
    def grams(text: str, n: int = 4) -> set[tuple[str, ...]]:
        w = _words(text)
        return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}

    quoted = set().union(*(grams(q) for q in QUOTED))
    assert [e["id"] for e in entries if grams(e["request"]) & quoted] == []


def test_every_reference_covers_its_own_items(entries):
    """The references are what a faithful answer looks like: lifted to a plan, each covers all
    of its items."""
    try:
        from wfspec.llm.coverage import cover
        from wfspec.llm.lift import lift
    except ImportError as exc:
        pytest.skip(f"wfspec.llm.coverage / wfspec.llm.lift not available yet: {exc}")
    missing = []
    for e in entries:
        items = [i for i in (item_from_json(raw) for raw in e["items"]) if i is not None]
        plan = lift(e["reference"], e["dialect"])
        got = (
            cover(items, plan, e["reference"])
            if "text" in inspect.signature(cover).parameters
            else cover(items, plan)
        )
        missing.extend((e["id"], c.item.kind, c.item.name) for c in got if not c.ok)
    assert missing == []
