"""The model provider: settings and an async client over ``openai.AsyncOpenAI``.

Owns everything about talking to an OpenAI-compatible endpoint (OpenAI, Azure OpenAI, Ollama,
vLLM, llama.cpp's server, LM Studio, or the embedded model of :mod:`wfspec.llm.embedded`):

- :class:`Settings`: one typed tree with per-field docs and safe fallback to defaults. The API
  key is read from the environment variable named by ``api_key_env`` only; never from a file in
  the workspace, never logged, never put in an error message. A key goes only to the endpoint
  it was named with: ``OPENAI_API_KEY`` is used unnamed only for the OpenAI endpoint itself
  (:attr:`Settings.key_env`); any other endpoint gets a key only when its variable is named.
- :class:`Provider`: retries with bounded exponential backoff on 429 and 5xx (``Retry-After``
  honoured up to a cap), clear :class:`ProviderError` messages for auth errors, timeouts and
  unreachable endpoints, cancellation that propagates (``asyncio.CancelledError`` is never
  swallowed), JSON-schema constrained output with a fallback to plain text when the endpoint
  rejects ``response_format``, redaction of credentials before text leaves for any endpoint but
  the embedded model, and a small LRU cache keyed by (request, document version).
- Bounds on what comes back: the timeout covers the whole of one request (connection, headers,
  every byte of the body or stream), not one socket read, so an endpoint that trickles cannot
  hold a request open; an answer above ``max_answer_bytes`` is rejected (:class:`AnswerTooLarge`)
  while it is read, before anything parses it.
- :data:`UNAVAILABLE`: the error kinds that mean the model cannot be used at all (every caller
  stops asking on them).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from wfspec.llm.redact import Redactor

if TYPE_CHECKING:
    from openai import AsyncOpenAI

    from wfspec.llm.embedded import EmbeddedModel

log = logging.getLogger("wfspec.llm")

OPENAI_DEFAULT_URL = "https://api.openai.com/v1"
DEFAULT_REMOTE_MODEL = "gpt-4o-mini"
EMBEDDED_MODEL_NAME = "smollm2-135m-instruct"
EMBEDDED_MIN_TIMEOUT = 300.0
#: the key variable used, unnamed, for the OpenAI endpoint itself (and for no other endpoint)
OPENAI_KEY_ENV = "OPENAI_API_KEY"
#: default cap on one answer (UTF-8 bytes of the text the model wrote)
DEFAULT_MAX_ANSWER_BYTES = 64 * 1024
#: the :class:`ProviderError` kinds after which asking the model again is pointless
UNAVAILABLE = ("auth", "unreachable", "model-unavailable", "timeout")

Message = dict[str, str]

#: the placeholder bearer token for an endpoint without a key (not a secret)
NO_KEY = "sk-no-key-set"


@dataclass(frozen=True, slots=True)
class Settings:
    """How to reach the model. Every field has a safe default; see :meth:`from_mapping`."""

    #: OpenAI-compatible base URL (ending in ``/v1``); None means the embedded local model
    base_url: str | None = None
    #: model name sent to the endpoint; "" picks a default for the endpoint
    model: str = ""
    #: name of the environment variable that holds the API key for ``base_url`` (the key itself
    #: is never stored); empty: ``OPENAI_API_KEY`` for the OpenAI endpoint, no key elsewhere
    api_key_env: str = ""
    #: seconds one request may take from start to the last byte of the answer (the embedded
    #: model, on a busy CPU, gets at least ``EMBEDDED_MIN_TIMEOUT``)
    timeout: float = 60.0
    #: upper bound on tokens the model may write per request
    max_tokens: int = 768
    #: sampling temperature (low: steadier answers)
    temperature: float = 0.2
    #: generation/repair rounds: an answer with findings is fed back at most this many times - 1
    max_rounds: int = 3
    #: retries on 429, 5xx and connection errors (not on timeouts or auth errors)
    retries: int = 3
    #: first backoff delay in seconds (doubles per retry, capped at ``max_backoff``)
    backoff: float = 0.5
    #: cap on one backoff delay, including a server's Retry-After
    max_backoff: float = 8.0
    #: stream the answer (chunks arrive as they are written; cancellation is quicker)
    stream: bool = False
    #: redact credentials before sending: None redacts for every endpoint but the embedded
    #: model wfspec starts itself (a loopback URL may be a proxy or a tunnel); False turns it off
    #: for this endpoint (``--no-redact``, the ``llm.unredactedEndpoints`` setting)
    redact: bool | None = None
    #: ask for JSON-schema constrained output (falls back to plain text when rejected)
    structured: bool = True
    #: an answer longer than this many bytes is rejected unread (a model that runs on, or an
    #: endpoint that sends megabytes, never reaches the YAML parser or the analyzer)
    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES

    @property
    def embedded(self) -> bool:
        """True when the embedded local model serves the requests."""
        return self.base_url is None

    @property
    def effective_timeout(self) -> float:
        return max(self.timeout, EMBEDDED_MIN_TIMEOUT) if self.embedded else self.timeout

    @property
    def model_name(self) -> str:
        if self.model:
            return self.model
        return EMBEDDED_MODEL_NAME if self.embedded else DEFAULT_REMOTE_MODEL

    @property
    def key_env(self) -> str | None:
        """The environment variable whose key is sent to ``base_url``: the one named with it,
        else ``OPENAI_API_KEY`` when ``base_url`` is the OpenAI endpoint; None (no key) for any
        other endpoint, the embedded model included."""
        if self.api_key_env:
            return self.api_key_env
        return OPENAI_KEY_ENV if is_openai_endpoint(self.base_url) else None

    @property
    def should_redact(self) -> bool:
        return self.redact if self.redact is not None else not self.embedded

    def describe(self) -> str:
        """A one-line description for logs and messages (no key, no URL credentials)."""
        if self.embedded:
            return f"embedded model {self.model_name}"
        return f"{self.model_name} at {safe_url(self.base_url)}"

    @classmethod
    def resolve(
        cls,
        base_url: str | None = None,
        model: str | None = None,
        api_key_env: str | None = None,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> Settings:
        """Settings from explicit values, else the environment: ``OPENAI_BASE_URL`` when set,
        else the OpenAI endpoint when the key variable (named, or ``OPENAI_API_KEY``) is set,
        else the embedded model. The key variable stays as named: ``OPENAI_API_KEY`` is not
        sent to another endpoint unless it is named (see :attr:`key_env`)."""
        env = os.environ if environ is None else environ
        key_env = api_key_env or ""
        url = base_url or env.get("OPENAI_BASE_URL") or None
        if url is None and env.get(key_env or OPENAI_KEY_ENV):
            url = OPENAI_DEFAULT_URL
        name = model or (env.get("OPENAI_MODEL", "") if url is not None else "")
        return cls.from_mapping({"base_url": url, "model": name, "api_key_env": key_env, **overrides})

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> Settings:
        """Settings from a plain mapping (client settings, a config file): unknown keys are
        ignored, a value of the wrong type falls back to the default (and is logged)."""
        out: dict[str, Any] = {}
        if not data:
            return cls()
        aliases = {
            "baseUrl": "base_url",
            "apiKeyEnv": "api_key_env",
            "maxTokens": "max_tokens",
            "maxRounds": "max_rounds",
            "maxBackoff": "max_backoff",
            "maxAnswerBytes": "max_answer_bytes",
        }
        types = {f.name: f.type for f in dataclasses.fields(cls)}
        for raw_key, value in data.items():
            key = aliases.get(raw_key, raw_key)
            if key not in types:
                continue
            want = str(types[key])
            ok = _coerce(value, want)
            if ok is _BAD:
                log.warning("llm setting %s: ignoring a value of the wrong type", key)
                continue
            out[key] = ok
        try:
            s = cls(**out)
        except (TypeError, ValueError):
            return cls()
        return dataclasses.replace(
            s,
            timeout=max(0.1, s.timeout),
            max_tokens=max(16, s.max_tokens),
            max_rounds=max(1, min(s.max_rounds, 10)),
            retries=max(0, min(s.retries, 10)),
            backoff=max(0.0, s.backoff),
            max_answer_bytes=max(1024, min(s.max_answer_bytes, 16 * 1024 * 1024)),
        )


_BAD = object()


def _coerce(value: Any, want: str) -> Any:
    if "None" in want and value is None:
        return None
    if want.startswith("bool"):
        return value if isinstance(value, bool) else _BAD
    if want.startswith("int"):
        return value if isinstance(value, int) and not isinstance(value, bool) else _BAD
    if want.startswith("float"):
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else _BAD
    if want.startswith("str"):
        return value if isinstance(value, str) else _BAD
    return _BAD


def is_openai_endpoint(url: str | None) -> bool:
    """True for the OpenAI API itself (``https://api.openai.com``, any path)."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme == "https" and parts.hostname == "api.openai.com" and parts.port in (None, 443)
    except ValueError:
        return False


def safe_url(url: str | None) -> str:
    """``url`` without user info, query or fragment (fit for logs and messages)."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


class ProviderError(Exception):
    """A request that could not be answered. ``kind`` is one of ``auth``, ``timeout``,
    ``unreachable``, ``rate-limit``, ``server``, ``bad-request``, ``model-unavailable``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class AnswerTooLarge(ProviderError):
    """An answer longer than ``max_answer_bytes``: dropped while it was read, never parsed.
    Kind ``too-large``; generation and repair treat it as one rejected answer, not as an
    endpoint that cannot be used."""

    def __init__(self, limit: int, size: int | None = None) -> None:
        got = f"{size} bytes" if size is not None else "more"
        super().__init__(
            "too-large",
            f"the answer was rejected unread: {got}, above the limit of {limit} bytes "
            "(the max_answer_bytes setting)",
        )
        self.limit = limit
        self.size = size


@dataclass(frozen=True, slots=True)
class Completion:
    """One answer: the text and what it cost."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    structured: bool = False  # True when the endpoint enforced the JSON schema
    cached: bool = False
    latency: float = 0.0
    attempts: int = 1

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass
class Usage:
    """Running totals over several requests."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency: float = 0.0

    def add(self, c: Completion) -> None:
        self.requests += 1
        self.prompt_tokens += c.prompt_tokens
        self.completion_tokens += c.completion_tokens
        self.latency += c.latency

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass
class _Cache:
    size: int = 64
    items: OrderedDict[tuple[str, str], Completion] = field(default_factory=OrderedDict)

    def get(self, key: tuple[str, str]) -> Completion | None:
        got = self.items.get(key)
        if got is not None:
            self.items.move_to_end(key)
        return got

    def put(self, key: tuple[str, str], value: Completion) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)


class Provider:
    """Async chat completions against the configured endpoint.

    One instance per server or CLI run; cheap to create, the HTTP client is made on first use.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        embedded: EmbeddedModel | None = None,
        environ: Mapping[str, str] | None = None,
        cache_size: int = 64,
    ) -> None:
        self.settings = settings
        self._embedded = embedded
        self._environ = environ
        self._client: AsyncOpenAI | None = None
        self._base_url: str | None = None
        self._schema_ok = settings.structured
        self._cache = _Cache(cache_size)
        self.usage = Usage()

    # -- client -----------------------------------------------------------------------------
    async def _ensure_client(self) -> AsyncOpenAI:
        if self._client is not None:
            return self._client
        from openai import AsyncOpenAI

        base_url = self.settings.base_url
        if base_url is None:
            from wfspec.llm.embedded import ModelUnavailable, default_model

            model = self._embedded or default_model()
            self._embedded = model
            try:
                base_url = await asyncio.to_thread(model.start)
            except ModelUnavailable as exc:
                raise ProviderError("model-unavailable", str(exc)) from None
        env = os.environ if self._environ is None else self._environ
        key_env = self.settings.key_env
        key = (env.get(key_env) or "") if key_env else ""
        if not key:
            key = NO_KEY  # local servers accept anything; remote ones answer 401
        self._base_url = base_url
        client = AsyncOpenAI(
            base_url=base_url, api_key=key, timeout=self.settings.effective_timeout, max_retries=0
        )
        if not is_openai_endpoint(base_url):
            # the client reads OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment: those
            # belong to the OpenAI account and go to no other endpoint either
            client.organization = None
            client.project = None
        self._client = client
        return client

    async def aclose(self) -> None:
        """Close the HTTP client (the embedded model keeps running until it is stopped)."""
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    # -- requests ---------------------------------------------------------------------------
    async def complete(
        self,
        messages: Sequence[Message],
        *,
        schema: dict[str, Any] | None = None,
        schema_name: str = "answer",
        version: object | None = None,
        max_tokens: int | None = None,
    ) -> Completion:
        """Ask for one chat completion. With ``schema`` the answer is constrained to that JSON
        schema where the endpoint supports it (plain text otherwise: callers extract what they
        need). With ``version`` (a document version) the answer is cached under (request,
        version). Raises :class:`ProviderError`; ``asyncio.CancelledError`` propagates."""
        s = self.settings
        msgs = [dict(m) for m in messages]
        limit = max_tokens or s.max_tokens
        cache_key: tuple[str, str] | None = None
        if version is not None:
            blob = json.dumps(
                [msgs, schema, s.model_name, s.base_url, s.temperature, limit], sort_keys=True, default=str
            )
            cache_key = (hashlib.sha256(blob.encode()).hexdigest(), repr(version))
            hit = self._cache.get(cache_key)
            if hit is not None:
                return dataclasses.replace(hit, cached=True, latency=0.0)
        redactor = Redactor() if s.should_redact else None
        if redactor is not None:
            redacted = redactor.redact_all([m.get("content", "") for m in msgs])
            for m, content in zip(msgs, redacted, strict=True):
                m["content"] = content
            if redactor.count:
                log.info("redacted %d credential-like value(s) before sending", redactor.count)
        client = await self._ensure_client()
        started = time.monotonic()
        result = await self._with_retries(client, msgs, schema, schema_name, limit)
        text = redactor.restore(result.text) if redactor is not None else result.text
        done = dataclasses.replace(result, text=text, latency=time.monotonic() - started)
        self.usage.add(done)
        if cache_key is not None:
            self._cache.put(cache_key, done)
        return done

    async def _with_retries(
        self,
        client: AsyncOpenAI,
        msgs: list[Message],
        schema: dict[str, Any] | None,
        schema_name: str,
        limit: int,
    ) -> Completion:
        import openai

        s = self.settings
        attempt = 0
        while True:
            attempt += 1
            use_schema = schema is not None and self._schema_ok
            try:
                # one deadline for the whole request: httpx's timeout bounds each socket read
                # only, and an endpoint that sends a byte every few seconds never trips it
                got = await asyncio.wait_for(
                    self._once(client, msgs, schema if use_schema else None, schema_name, limit),
                    s.effective_timeout,
                )
                return dataclasses.replace(got, attempts=attempt)
            except openai.AuthenticationError:
                raise ProviderError("auth", self._auth_message(401)) from None
            except openai.PermissionDeniedError:
                raise ProviderError("auth", self._auth_message(403)) from None
            except (openai.APITimeoutError, TimeoutError):
                raise ProviderError(
                    "timeout",
                    f"no complete answer from {s.describe()} within {s.effective_timeout:g} s (raise the "
                    "timeout setting or use a smaller request)",
                ) from None
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                if use_schema:
                    log.info("endpoint rejected response_format; falling back to plain text")
                    self._schema_ok = False
                    attempt -= 1
                    continue
                raise ProviderError(
                    "bad-request", f"the endpoint rejected the request: {_short(exc)}"
                ) from None
            except openai.NotFoundError:
                raise ProviderError(
                    "bad-request",
                    f'the endpoint {safe_url(self._base_url)} does not know model "{s.model_name}" '
                    "or has no /chat/completions route (404)",
                ) from None
            except openai.APIConnectionError:
                if attempt > s.retries:
                    raise ProviderError(
                        "unreachable",
                        f"cannot reach {s.describe()}; is the server running and the URL right?",
                    ) from None
                delay = self._delay(attempt, None)
            except openai.RateLimitError as exc:
                if attempt > s.retries:
                    raise ProviderError(
                        "rate-limit",
                        f"{s.describe()} kept answering 429 (rate limited) after {attempt} tries",
                    ) from None
                delay = self._delay(attempt, exc.response.headers.get("retry-after"))
            except openai.APIStatusError as exc:
                if exc.status_code < 500 or attempt > s.retries:
                    raise ProviderError(
                        "server", f"{s.describe()} answered HTTP {exc.status_code}: {_short(exc)}"
                    ) from None
                delay = self._delay(attempt, exc.response.headers.get("retry-after"))
            except ValueError as exc:  # a malformed body the client could not decode
                if attempt > s.retries:
                    raise ProviderError("server", f"{s.describe()} sent a malformed answer: {exc}") from None
                delay = self._delay(attempt, None)
            log.info("model request failed (attempt %d); retrying in %.2f s", attempt, delay)
            await asyncio.sleep(delay)

    def _auth_message(self, status: int) -> str:
        s = self.settings
        where = f"the endpoint {safe_url(self._base_url)}"
        if s.key_env is None:
            return (
                f"{where} wants an API key ({status}) and none is named for it: name the environment "
                "variable that holds its key (--api-key-env, or the apiKeyEnv setting next to baseUrl); "
                f"{OPENAI_KEY_ENV} is sent to the OpenAI endpoint only"
            )
        if status == 401:
            return (
                f"{where} rejected the API key (401); set the environment variable {s.key_env} to a valid key"
            )
        return (
            f'{where} refused access to model "{s.model_name}" (403); check the key in {s.key_env} '
            "and the model name"
        )

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        s = self.settings
        delay = s.backoff * (2 ** (attempt - 1))
        if retry_after:
            try:
                delay = max(delay, float(retry_after))
            except ValueError:
                pass
        return min(delay, s.max_backoff)

    async def _once(
        self,
        client: AsyncOpenAI,
        msgs: list[Message],
        schema: dict[str, Any] | None,
        schema_name: str,
        limit: int,
    ) -> Completion:
        s = self.settings
        kwargs: dict[str, Any] = {
            "model": s.model_name,
            "messages": msgs,
            "max_tokens": limit,
            "temperature": s.temperature,
        }
        if schema is not None:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema_name, "schema": schema, "strict": True},
            }
        if s.stream:
            return await self._streamed(client, kwargs, schema is not None)
        body = await self._read_body(client, kwargs)
        data = json.loads(body)  # a malformed body is a ValueError, retried like one
        choices = data.get("choices") if isinstance(data, dict) else None
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise ValueError("no choices in the answer")
        message = choices[0].get("message")
        content = message.get("content") if isinstance(message, dict) else None
        text = content if isinstance(content, str) else ""
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > s.max_answer_bytes:
            raise AnswerTooLarge(s.max_answer_bytes, size)
        usage = data.get("usage")
        pt = _int(usage, "prompt_tokens") if isinstance(usage, dict) else None
        ct = _int(usage, "completion_tokens") if isinstance(usage, dict) else None
        pt = _estimate(msgs) if pt is None else pt
        ct = max(1, len(text) // 4) if ct is None else ct
        return Completion(text, pt, ct, structured=schema is not None)

    async def _read_body(self, client: AsyncOpenAI, kwargs: dict[str, Any]) -> bytes:
        """The raw answer body, read in chunks and dropped as soon as it outgrows what an answer
        of ``max_answer_bytes`` can take as JSON (escapes included). Status errors are raised by
        the client as usual."""
        limit = self.settings.max_answer_bytes
        cap = 6 * limit + 64 * 1024  # a JSON escape writes one character in at most 6 bytes
        async with client.chat.completions.with_streaming_response.create(**kwargs) as resp:
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise AnswerTooLarge(limit)
            buf = bytearray()
            async for chunk in resp.iter_bytes():
                buf += chunk
                if len(buf) > cap:
                    raise AnswerTooLarge(limit)
        return bytes(buf)

    async def _streamed(self, client: AsyncOpenAI, kwargs: dict[str, Any], structured: bool) -> Completion:
        kwargs = {**kwargs, "stream": True, "stream_options": {"include_usage": True}}
        limit = self.settings.max_answer_bytes
        stream = await client.chat.completions.create(**kwargs)
        parts: list[str] = []
        size = 0
        pt = ct = 0
        try:
            async for chunk in stream:
                if chunk.usage is not None:
                    pt, ct = chunk.usage.prompt_tokens, chunk.usage.completion_tokens
                for choice in chunk.choices or ():
                    if choice.delta is not None and choice.delta.content:
                        piece = choice.delta.content
                        size += len(piece.encode("utf-8", "surrogatepass"))
                        if size > limit:
                            raise AnswerTooLarge(limit)  # the rest of the stream is never read
                        parts.append(piece)
        finally:
            await stream.close()
        text = "".join(parts)
        if not pt:
            pt = _estimate(kwargs["messages"])
        if not ct:
            ct = max(1, len(text) // 4) if text else 0
        return Completion(text, pt, ct, structured=structured)


def _int(data: dict[str, Any], key: str) -> int | None:
    v = data.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else None


def _estimate(msgs: Sequence[Message]) -> int:
    return sum(len(m.get("content", "")) for m in msgs) // 4


def _short(exc: Exception) -> str:
    msg = str(getattr(exc, "message", "") or exc)
    return msg if len(msg) <= 300 else msg[:297] + "..."
