"""What an endpoint gets and how long it may take, over real HTTP on 127.0.0.1: the API key goes
only to the endpoint it was named with (the scripted server records the Authorization header),
one timeout bounds a whole request however slowly the answer trickles in, and an answer above
the size limit is dropped while it is read, streamed or not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SPECS
from tests.llm.conftest import provider_for
from tests.llm.scripted import Reply
from tests.llm.test_generate import OUTLINE
from wfspec.cli import main
from wfspec.llm.provider import (
    NO_KEY,
    OPENAI_DEFAULT_URL,
    UNAVAILABLE,
    AnswerTooLarge,
    Provider,
    ProviderError,
    Settings,
)

OPENAI_KEY = "sk-openai-account-key-0000000000"
MSGS = [{"role": "user", "content": "hello"}]


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    for var in ("OPENAI_BASE_URL", "OPENAI_MODEL", "WFSPEC_API_KEY", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("OPENAI_ORG_ID", "org-of-the-openai-account")
    monkeypatch.setenv("MY_PROXY_KEY", "sk-proxy-key-1111111111")
    monkeypatch.chdir(tmp_path)


def _auth(srv) -> list[str]:
    return [r.headers.get("authorization", "") for r in srv.requests]


# -- the key goes to its own endpoint only --------------------------------------------------


def test_openai_key_is_not_sent_to_another_base_url(scripted, capsys):
    srv = scripted(default=Reply("no idea"))
    main(["generate", "onboard a new hire", "--base-url", srv.base_url, "--max-rounds", "1"])
    capsys.readouterr()
    assert srv.requests, "the endpoint was asked"
    assert all(OPENAI_KEY not in a for a in _auth(srv))
    assert _auth(srv)[0] == f"Bearer {NO_KEY}"
    assert "openai-organization" not in srv.requests[0].headers  # nor the account's organization


def test_a_named_key_goes_to_the_endpoint_named_with_it(scripted, capsys):
    srv = scripted(default=Reply("no idea"))
    args = ["generate", "onboard a new hire", "--base-url", srv.base_url, "--max-rounds", "1"]
    main([*args, "--api-key-env", "MY_PROXY_KEY"])
    assert _auth(srv)[0] == "Bearer sk-proxy-key-1111111111"
    main([*args, "--api-key-env", "OPENAI_API_KEY"])  # named explicitly: then it goes
    capsys.readouterr()
    assert _auth(srv)[-1] == f"Bearer {OPENAI_KEY}"


def test_a_401_without_a_named_key_says_how_to_name_one(scripted, capsys):
    srv = scripted(default=Reply(status=401, error="missing key"))
    rc = main(["generate", "onboard a new hire", "--base-url", srv.base_url])
    _, err = capsys.readouterr()
    assert rc == 2
    assert "--api-key-env" in err and "OpenAI endpoint only" in err
    assert OPENAI_KEY not in err


def test_which_variable_each_endpoint_gets():
    env = {"OPENAI_API_KEY": OPENAI_KEY}
    assert Settings.resolve(environ=env).key_env == "OPENAI_API_KEY"  # no URL: OpenAI itself
    assert Settings.resolve(environ=env).base_url == OPENAI_DEFAULT_URL
    assert Settings(base_url="https://api.openai.com/v1/").key_env == "OPENAI_API_KEY"
    assert Settings(base_url="http://127.0.0.1:8080/v1").key_env is None
    assert Settings(base_url="https://api.openai.com.evil.example/v1").key_env is None
    assert Settings(base_url="http://api.openai.com/v1").key_env is None  # not over plain HTTP
    assert Settings().key_env is None  # the embedded model needs none
    assert Settings.resolve("http://h/v1", environ=env).key_env is None
    assert Settings.resolve(environ={**env, "OPENAI_BASE_URL": "http://h/v1"}).key_env is None
    assert Settings.resolve("http://h/v1", api_key_env="K", environ=env).key_env == "K"


def test_the_editor_settings_send_the_key_to_their_endpoint_only(scripted):
    # the server's llm settings go through the same rule: baseUrl without apiKeyEnv gets no key
    import asyncio

    from wfspec.lsp.ai import provider_settings
    from wfspec.lsp.settings import LlmSettings

    srv = scripted(default=Reply("ok"))
    env = {"OPENAI_API_KEY": OPENAI_KEY, "MY_PROXY_KEY": "sk-proxy-key-1111111111"}

    async def ask(llm: LlmSettings) -> None:
        p = Provider(provider_settings(llm, env), environ=env)
        await p.complete(MSGS)
        await p.aclose()

    asyncio.run(ask(LlmSettings(base_url=srv.base_url)))
    asyncio.run(ask(LlmSettings(base_url=srv.base_url, api_key_env="MY_PROXY_KEY")))
    assert _auth(srv) == [f"Bearer {NO_KEY}", "Bearer sk-proxy-key-1111111111"]


# -- one timeout for the whole request ------------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("stream", [False, True])
async def test_a_trickling_answer_times_out_as_a_whole(scripted, stream):
    # one byte (a chunk, streamed) every 0.3 s: every socket read succeeds within any read timeout
    srv = scripted(default=Reply("- a:\n    set:\n      x: 1\n" * 40, trickle=0.3))
    p = provider_for(srv, timeout=1.0, stream=stream)
    with pytest.raises(ProviderError) as info:
        await p.complete(MSGS)
    assert info.value.kind == "timeout" and "within 1 s" in info.value.message
    assert len(srv.requests) == 1  # a timeout is not retried
    await p.aclose()


@pytest.mark.timeout(120)
def test_generate_against_a_trickling_endpoint_stops_at_the_timeout(scripted, capsys):
    srv = scripted(default=Reply(OUTLINE, trickle=1.0))
    rc = main(["generate", "onboard a new hire", "--base-url", srv.base_url, "--timeout", "2"])
    out, err = capsys.readouterr()
    assert rc == 2 and out == ""
    assert "no complete answer" in err and "within 2 s" in err, err


@pytest.mark.timeout(120)
def test_repair_against_a_trickling_endpoint_stops_at_the_timeout(scripted, capsys, tmp_path: Path):
    src = (SPECS / "serverless" / "faulty" / "unknown-target-support-triage.yaml").read_text()
    f = tmp_path / "triage.yaml"
    f.write_text(src)
    srv = scripted(default=Reply(json.dumps({"choice": 1, "replacement": ""}), trickle=1.0))
    rc = main(["repair", str(f), "--apply", "--base-url", srv.base_url, "--timeout", "2"])
    _, err = capsys.readouterr()
    assert rc == 2
    assert "within 2 s" in err, err
    assert f.read_text() == src
    assert len(srv.requests) == 1  # a timeout ends the run: no second finding, no second round


def test_one_list_of_unavailable_kinds():
    from wfspec.llm import repair
    from wfspec.lsp import ai

    assert "timeout" in UNAVAILABLE
    assert repair.UNAVAILABLE is UNAVAILABLE
    assert not hasattr(ai, "UNAVAILABLE")  # no second copy to drift


# -- the size of an answer ------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
async def test_an_answer_above_the_limit_is_dropped_while_read(scripted, stream):
    srv = scripted([Reply("x" * 5000), Reply("y" * 1000)])
    p = provider_for(srv, stream=stream, max_answer_bytes=2048)
    with pytest.raises(AnswerTooLarge) as info:
        await p.complete(MSGS)
    assert info.value.kind == "too-large" and "2048 bytes" in info.value.message
    assert info.value.kind not in UNAVAILABLE
    assert (await p.complete(MSGS)).text == "y" * 1000
    await p.aclose()


async def test_a_body_of_megabytes_is_not_read_to_the_end(scripted):
    body = json.dumps({"choices": [{"message": {"content": "z" * 3_000_000}}]}).encode()
    srv = scripted([Reply(raw=body)])
    p = provider_for(srv)
    with pytest.raises(AnswerTooLarge) as info:
        await p.complete(MSGS)
    assert info.value.size is None  # dropped before it was parsed
    await p.aclose()


def test_the_limit_is_a_setting():
    assert Settings().max_answer_bytes == 64 * 1024
    assert Settings.from_mapping({"maxAnswerBytes": 4096}).max_answer_bytes == 4096
    assert Settings.from_mapping({"maxAnswerBytes": 1}).max_answer_bytes == 1024  # clamped
    assert Settings.from_mapping({"maxAnswerBytes": 10**12}).max_answer_bytes == 16 * 1024 * 1024
