"""Provider behaviour over real HTTP against the scripted server: answers, streaming, retries,
timeouts, errors, schema fallback, cache, cancellation and redaction."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest

from tests.llm.conftest import provider_for
from tests.llm.scripted import Reply
from wfspec.llm.provider import Provider, ProviderError, Settings, safe_url
from wfspec.llm.redact import Redactor

MSGS = [{"role": "user", "content": "hello"}]


async def test_plain_answer_and_usage(scripted):
    srv = scripted([Reply("hi there")])
    p = provider_for(srv)
    c = await p.complete(MSGS)
    assert c.text == "hi there"
    assert c.prompt_tokens >= 1 and c.completion_tokens >= 1
    assert p.usage.requests == 1
    req = srv.requests[0]
    assert req.body["model"] == "scripted"
    assert req.headers["authorization"] == "Bearer sk-test-key-for-scripted-0000"
    await p.aclose()


async def test_streaming_answer(scripted):
    text = "- a:\n    set:\n      x: 1\n" * 3
    srv = scripted([Reply(text)])
    p = provider_for(srv, stream=True)
    c = await p.complete(MSGS)
    assert c.text == text
    assert c.completion_tokens == max(1, len(text) // 4)
    assert srv.requests[0].body["stream"] is True
    await p.aclose()


async def test_schema_is_sent(scripted):
    srv = scripted([Reply('{"yaml": "x: 1"}')])
    p = provider_for(srv)
    schema = {"type": "object", "properties": {"yaml": {"type": "string"}}, "required": ["yaml"]}
    c = await p.complete(MSGS, schema=schema, schema_name="tasks")
    assert c.structured
    rf = srv.requests[0].body["response_format"]
    assert rf["type"] == "json_schema" and rf["json_schema"]["schema"] == schema
    await p.aclose()


async def test_schema_rejected_falls_back_to_plain_text(scripted):
    srv = scripted([Reply(status=400, error="response_format json_schema is not supported"), Reply("x: 1")])
    p = provider_for(srv)
    c = await p.complete(MSGS, schema={"type": "object"})
    assert c.text == "x: 1" and not c.structured
    assert "response_format" in srv.requests[0].body
    assert "response_format" not in srv.requests[1].body
    # remembered: the next request goes plain straight away
    srv.replies.append(Reply("y: 2"))
    await p.complete([{"role": "user", "content": "again"}], schema={"type": "object"})
    assert "response_format" not in srv.requests[2].body
    await p.aclose()


async def test_timeout_is_a_clear_error(scripted):
    srv = scripted([Reply("late", delay=2.0)])
    p = provider_for(srv, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        await p.complete(MSGS)
    assert info.value.kind == "timeout"
    assert "within 0.3 s" in info.value.message
    assert time.monotonic() - started < 1.5
    assert len(srv.requests) == 1  # timeouts are not retried
    await p.aclose()


async def test_429_then_success(scripted):
    srv = scripted([Reply(status=429, headers={"retry-after": "0"}), Reply("fine")])
    p = provider_for(srv)
    c = await p.complete(MSGS)
    assert c.text == "fine" and c.attempts == 2
    assert len(srv.requests) == 2
    await p.aclose()


async def test_429_forever_is_bounded(scripted):
    srv = scripted(default=Reply(status=429))
    p = provider_for(srv, retries=2)
    with pytest.raises(ProviderError) as info:
        await p.complete(MSGS)
    assert info.value.kind == "rate-limit"
    assert len(srv.requests) == 3
    await p.aclose()


async def test_500_then_success_and_500_forever(scripted):
    srv = scripted([Reply(status=500), Reply("ok now")])
    p = provider_for(srv)
    assert (await p.complete(MSGS)).text == "ok now"
    await p.aclose()
    srv2 = scripted(default=Reply(status=503))
    p2 = provider_for(srv2, retries=1)
    with pytest.raises(ProviderError) as info:
        await p2.complete(MSGS)
    assert info.value.kind == "server" and "503" in info.value.message
    assert len(srv2.requests) == 2
    await p2.aclose()


async def test_malformed_json_body(scripted):
    srv = scripted(default=Reply(raw=b'{"choices": [ this is not json'))
    p = provider_for(srv, retries=1)
    with pytest.raises(ProviderError) as info:
        await p.complete(MSGS)
    assert info.value.kind == "server"
    await p.aclose()


async def test_malformed_then_good(scripted):
    srv = scripted([Reply(raw=b"<html>oops</html>"), Reply("good")])
    p = provider_for(srv)
    assert (await p.complete(MSGS)).text == "good"
    await p.aclose()


async def test_auth_error_names_the_variable_not_the_key(scripted):
    srv = scripted([Reply(status=401, error="invalid api key")])
    p = provider_for(srv)
    with pytest.raises(ProviderError) as info:
        await p.complete(MSGS)
    assert info.value.kind == "auth"
    assert "WFSPEC_TEST_KEY" in info.value.message
    assert "sk-test-key" not in info.value.message
    await p.aclose()


async def test_unreachable_endpoint():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = Provider(Settings(base_url=f"http://127.0.0.1:{port}/v1", retries=1, backoff=0.01, timeout=2))
    with pytest.raises(ProviderError) as info:
        await p.complete(MSGS)
    assert info.value.kind == "unreachable"
    assert f"127.0.0.1:{port}" in info.value.message
    await p.aclose()


async def test_cache_by_request_and_version(scripted):
    srv = scripted(default=Reply("same"))
    p = provider_for(srv)
    a = await p.complete(MSGS, version=1)
    b = await p.complete(MSGS, version=1)
    assert not a.cached and b.cached
    assert len(srv.requests) == 1
    await p.complete(MSGS, version=2)
    await p.complete([{"role": "user", "content": "other"}], version=2)
    assert len(srv.requests) == 3
    await p.complete(MSGS)  # no version: never cached
    await p.complete(MSGS)
    assert len(srv.requests) == 5
    await p.aclose()


@pytest.mark.parametrize("stream", [False, True])
async def test_cancellation_mid_request(scripted, stream):
    srv = scripted([Reply("too late", delay=3.0)])
    p = provider_for(srv, stream=stream, timeout=10)
    task = asyncio.create_task(p.complete(MSGS))
    for _ in range(100):
        if srv.requests:
            break
        await asyncio.sleep(0.02)
    assert srv.requests, "the request reached the server"
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 1.0
    assert p.usage.requests == 0
    await p.aclose()


async def test_redaction_of_a_planted_token(scripted):
    planted = "sk-live-THISISAPLANTEDTOKEN1234567890"
    url_pw = "https://deploy:s3cretPassw0rd@git.example.com/repo.git"
    content = f"key {planted} and clone {url_pw} with ?token={planted}"
    mirror = Redactor()
    mirror.redact(content)  # numbering is deterministic: find the planted token's placeholder
    (placeholder,) = [k for k, v in mirror.secrets.items() if v == planted]
    srv = scripted([Reply(f"endpoint: https://api.example.com/x?token={placeholder}")])
    p = provider_for(srv, redact=True)
    msgs = [{"role": "user", "content": content}]
    c = await p.complete(msgs)
    sent = srv.requests[0].text
    assert planted not in sent
    assert "s3cretPassw0rd" not in sent
    assert "REDACTED_" in sent
    # a placeholder the model repeats is put back locally
    assert planted in c.text
    await p.aclose()


def test_redaction_is_automatic_for_every_endpoint_but_the_embedded_model():
    assert Settings(base_url="https://api.openai.com/v1").should_redact
    # loopback may be a proxy or a tunnel to a cloud model (see tests/llm/test_redaction.py)
    assert Settings(base_url="http://127.0.0.1:8080/v1").should_redact
    assert Settings(base_url="http://localhost:11434/v1").should_redact
    assert not Settings().should_redact  # the embedded model wfspec starts itself
    assert not Settings(base_url="http://127.0.0.1:8080/v1", redact=False).should_redact


def test_settings_fallback_and_resolve():
    s = Settings.from_mapping(
        {"timeout": "soon", "maxRounds": 4, "temperature": 0, "bogus": 1, "stream": "yes"}
    )
    assert (
        s.timeout == Settings().timeout and s.max_rounds == 4 and s.temperature == 0.0 and s.stream is False
    )
    assert Settings.resolve(environ={}).embedded
    r = Settings.resolve(environ={"OPENAI_API_KEY": "sk-x"})
    assert r.base_url == "https://api.openai.com/v1"
    r = Settings.resolve(environ={"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "OPENAI_MODEL": "m"})
    assert r.base_url == "http://127.0.0.1:9/v1" and r.model == "m"
    r = Settings.resolve("http://h/v1", "mine", "MY_KEY", environ={"OPENAI_BASE_URL": "http://other/v1"})
    assert (r.base_url, r.model, r.api_key_env) == ("http://h/v1", "mine", "MY_KEY")
    assert safe_url("https://u:pw@h.example:8443/v1?key=abc") == "https://h.example:8443/v1"
    assert "pw" not in Settings(base_url="https://u:pw@h/v1").describe()


def test_recorded_json_is_plain(scripted):
    # the scripted server itself: a non-chat path answers 404
    import urllib.error
    import urllib.request

    srv = scripted()
    req = urllib.request.Request(srv.base_url + "/embeddings", data=json.dumps({}).encode(), method="POST")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req, timeout=5)
    assert info.value.code == 404
