"""Fixtures for the LLM tests: a scripted endpoint and providers pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.llm.scripted import Reply, ScriptedServer
from wfspec.llm.provider import Provider, Settings


@pytest.fixture
def scripted() -> Iterator[Callable[..., ScriptedServer]]:
    """Start scripted servers: ``srv = scripted([reply, ...])``; all stop after the test."""
    servers: list[ScriptedServer] = []

    def make(replies: list[Reply | str] | None = None, **kw: Any) -> ScriptedServer:
        srv = ScriptedServer(replies or [], **kw)
        srv.start()
        servers.append(srv)
        return srv

    yield make
    for s in servers:
        s.stop()


def settings_for(srv: ScriptedServer, **kw: Any) -> Settings:
    """Settings for the scripted endpoint: fast backoff, a key from an env var that the
    provider gets through an explicit environ mapping."""
    base: dict[str, Any] = {
        "base_url": srv.base_url,
        "model": "scripted",
        "timeout": 5.0,
        "backoff": 0.01,
        "max_backoff": 0.05,
        "retries": 2,
        "api_key_env": "WFSPEC_TEST_KEY",
    }
    base.update(kw)
    return Settings(**base)


def provider_for(srv: ScriptedServer, **kw: Any) -> Provider:
    return Provider(settings_for(srv, **kw), environ={"WFSPEC_TEST_KEY": "sk-test-key-for-scripted-0000"})
