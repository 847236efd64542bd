"""The server's settings: one typed tree with per-field docs and safe fallback to defaults.

Settings arrive as JSON from ``initializationOptions`` and from ``workspace/configuration``
(section ``wfspec``), in camelCase. :func:`parse` never raises: every invalid value is reported
as a message (the server shows it with ``window/showMessage``) and that field keeps its
default. Unknown keys are ignored (clients send their own settings under the same section).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from wfspec.analysis.config import DIALECTS, HARD_MAX_FILE_SIZE, Config
from wfspec.findings import Severity
from wfspec.syntax.parse import DEFAULT_MAX_BYTES

SECTION = "wfspec"


def _doc(text: str, key: str) -> Any:
    return {"doc": text, "key": key}


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """Which rules run and how loud they are (on top of the project's ``[tool.wfspec]``)."""

    select: frozenset[str] = field(
        default=frozenset(), metadata=_doc("Only these rule ids run (empty: every rule).", "select")
    )
    ignore: frozenset[str] = field(default=frozenset(), metadata=_doc("Rule ids that never run.", "ignore"))
    severity: Mapping[str, Severity] = field(
        default_factory=dict,
        metadata=_doc('Severity per rule id: "error", "warning", "information" or "hint".', "severity"),
    )


@dataclass(frozen=True, slots=True)
class LlmSettings:
    """The model behind comment-to-workflow and repair suggestions (used by the LLM features)."""

    enabled: bool = field(
        default=True,
        metadata=_doc(
            "Offer model-backed suggestions at all. With no base URL they come from the embedded "
            "local model, started on the first AI request.",
            "enabled",
        ),
    )
    provider: str = field(
        default="openai",
        metadata=_doc(
            '"openai" (any OpenAI-compatible HTTP endpoint) or "local" (the embedded model).', "provider"
        ),
    )
    base_url: str | None = field(
        default=None,
        metadata=_doc("Base URL of the OpenAI-compatible API (null: the embedded local model).", "baseUrl"),
    )
    model: str | None = field(default=None, metadata=_doc("Model name to request.", "model"))
    api_key_env: str = field(
        default="",
        metadata=_doc(
            "Environment variable holding the API key of the endpoint at baseUrl; the key goes to "
            "that endpoint only (empty: WFSPEC_API_KEY when set, else OPENAI_API_KEY, which is "
            "sent to the OpenAI endpoint only). The key is only ever read from the server's environment.",
            "apiKeyEnv",
        ),
    )
    timeout_seconds: float = field(
        default=30.0,
        metadata=_doc("Seconds one model request may take, from start to the last byte.", "timeoutSeconds"),
    )
    max_rounds: int = field(
        default=3, metadata=_doc("Validation rounds before a suggestion is dropped.", "maxRounds")
    )
    unredacted_endpoints: frozenset[str] = field(
        default=frozenset(),
        metadata=_doc(
            "Base URLs that get the text as it is, credentials included. Every other endpoint "
            "(a loopback proxy or tunnel too) gets credentials redacted; the embedded model never "
            "needs this.",
            "unredactedEndpoints",
        ),
    )
    budget_seconds: float = field(
        default=20.0,
        metadata=_doc(
            "Seconds one suggestion (ghost text, generate from comment, fix with AI) may take in "
            "all: then the best validated answer so far is offered, or the reason there is none.",
            "budgetSeconds",
        ),
    )


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a user can set. Field metadata carries the JSON key and the documentation."""

    rules: RuleSettings = field(default_factory=RuleSettings, metadata=_doc("Rule selection.", "rules"))
    debounce_ms: int = field(
        default=150,
        metadata=_doc("Milliseconds of quiet after an edit before re-analysis (0: at once).", "debounceMs"),
    )
    max_file_size: int = field(
        default=DEFAULT_MAX_BYTES,
        metadata=_doc(
            f"Documents larger than this many bytes are not analyzed (at most {HARD_MAX_FILE_SIZE}).",
            "maxFileSize",
        ),
    )
    dialect: str | None = field(
        default=None,
        metadata=_doc(
            'Force a dialect for every document ("serverless", "github"; null or "auto": detect).', "dialect"
        ),
    )
    dialect_overrides: tuple[tuple[str, str], ...] = field(
        default=(),
        metadata=_doc(
            'Glob (matched against the document path) to dialect, e.g. {"**/*.sw.yaml": "serverless"}.',
            "dialectOverrides",
        ),
    )
    use_project_config: bool = field(
        default=True,
        metadata=_doc(
            "Read [tool.wfspec] / .wfspec.toml next to the document; editor settings override it.",
            "useProjectConfig",
        ),
    )
    script_linters: bool = field(
        default=True,
        metadata=_doc(
            "Run shellcheck and pyflakes on run: scripts when they are installed (about 10 ms a "
            "document; false: never).",
            "scriptLinters",
        ),
    )
    code_lens: bool = field(
        default=True, metadata=_doc('Show "N incoming · M outgoing" above each task.', "codeLens")
    )
    workspace_diagnostics: bool = field(
        default=True,
        metadata=_doc(
            "Report problems in workflow files that are not open: workspace diagnostics for clients "
            "that pull them, otherwise pushed diagnostics for the files that call a changed local "
            "reusable workflow or action.",
            "workspaceDiagnostics",
        ),
    )
    rules_docs_url: str | None = field(
        default=None,
        metadata=_doc(
            "Base URL of the rules reference; diagnostics then link to <url>#<rule-id>.", "rulesDocsUrl"
        ),
    )
    log_level: str = field(
        default="warning",
        metadata=_doc('Server log level on stderr: "debug", "info", "warning", "error".', "logLevel"),
    )
    llm: LlmSettings = field(default_factory=LlmSettings, metadata=_doc("Model-backed features.", "llm"))

    def dialect_for(self, uri: str) -> str | None:
        """The dialect forced for ``uri``: the first matching override, else ``dialect``."""
        path = uri.split("://", 1)[-1]
        for pattern, dialect in self.dialect_overrides:
            if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, "*/" + pattern.lstrip("*/")):
                return dialect
        return self.dialect

    def analysis_config(self, base: Config | None, uri: str) -> Config:
        """The analysis configuration for ``uri``: the project's config with these settings on top."""
        cfg = base or Config()
        changes: dict[str, Any] = {"max_file_size": self.max_file_size}
        if self.rules.select:
            changes["select"] = self.rules.select
        if self.rules.ignore:
            changes["ignore"] = cfg.ignore | self.rules.ignore
        if not self.script_linters:
            changes["ignore"] = changes.get("ignore", cfg.ignore) | {"shellcheck", "pyflakes"}
        if self.rules.severity:
            changes["severities"] = {**cfg.severities, **self.rules.severity}
        dialect = self.dialect_for(uri)
        if dialect is not None:
            changes["dialect"] = dialect
        return cfg.merged(**changes)


# -- parsing --------------------------------------------------------------------------------

Parser = Callable[[Any, str], Any]


class _Invalid(ValueError):
    pass


def _bool(v: Any, where: str) -> bool:
    if isinstance(v, bool):
        return v
    raise _Invalid(f'"{where}" must be true or false')


def _int_range(lo: int, hi: int) -> Parser:
    def parse_int(v: Any, where: str) -> int:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or int(v) != v or not lo <= v <= hi:
            raise _Invalid(f'"{where}" must be a whole number from {lo} to {hi}')
        return int(v)

    return parse_int


def _number(lo: float, hi: float) -> Parser:
    def parse_number(v: Any, where: str) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
            raise _Invalid(f'"{where}" must be a number from {lo} to {hi}')
        return float(v)

    return parse_number


def _opt_str(v: Any, where: str) -> str | None:
    if v is None or isinstance(v, str):
        return v or None
    raise _Invalid(f'"{where}" must be a string')


def _env_name(v: Any, where: str) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, str) and v.replace("_", "").isalnum():
        return v
    raise _Invalid(f'"{where}" must be an environment variable name')


def _choice(*values: str, optional: bool = False) -> Parser:
    def parse_choice(v: Any, where: str) -> str | None:
        if optional and (v is None or v == "" or v == "auto"):
            return None
        if isinstance(v, str) and v.lower() in values:
            return v.lower()
        listed = ", ".join(f'"{x}"' for x in values)
        raise _Invalid(f'"{where}" must be one of {listed}' + (" or null" if optional else ""))

    return parse_choice


def _rule_ids(v: Any, where: str) -> frozenset[str]:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise _Invalid(f'"{where}" must be a list of rule ids')
    from wfspec.analysis.rules import BY_ID

    unknown = [x for x in v if x not in BY_ID]
    if unknown:
        raise _Invalid(f'"{where}" names unknown rule id "{unknown[0]}"')
    return frozenset(v)


def _severities(v: Any, where: str) -> dict[str, Severity]:
    if not isinstance(v, Mapping):
        raise _Invalid(f'"{where}" must map rule ids to severities')
    from wfspec.analysis.rules import BY_ID

    out: dict[str, Severity] = {}
    for rule, sev in v.items():
        if rule not in BY_ID:
            raise _Invalid(f'"{where}" names unknown rule id "{rule}"')
        try:
            out[rule] = Severity.parse(sev) if isinstance(sev, str) else Severity(sev)
        except ValueError:
            raise _Invalid(f'"{where}.{rule}" must be "error", "warning", "information" or "hint"') from None
    return out


def _overrides(v: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(v, Mapping):
        raise _Invalid(f'"{where}" must map file globs to dialects')
    out = []
    for glob, dialect in v.items():
        if dialect not in DIALECTS:
            raise _Invalid(f'"{where}" maps "{glob}" to unknown dialect "{dialect}"')
        out.append((str(glob), str(dialect)))
    return tuple(out)


def _urls(v: Any, where: str) -> frozenset[str]:
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise _Invalid(f'"{where}" must be a list of base URLs')
    return frozenset(x.strip() for x in v)


def _log_level(v: Any, where: str) -> str:
    return _choice("debug", "info", "warning", "error")(v, where) or "warning"


_PARSERS: dict[type, dict[str, Parser]] = {
    RuleSettings: {"select": _rule_ids, "ignore": _rule_ids, "severity": _severities},
    LlmSettings: {
        "enabled": _bool,
        "provider": _choice("openai", "local"),
        "base_url": _opt_str,
        "model": _opt_str,
        "api_key_env": _env_name,
        "timeout_seconds": _number(0.1, 600),
        "max_rounds": _int_range(1, 10),
        "unredacted_endpoints": _urls,
        "budget_seconds": _number(1, 600),
    },
    Settings: {
        "debounce_ms": _int_range(0, 10_000),
        "max_file_size": _int_range(1, HARD_MAX_FILE_SIZE),
        "dialect": _choice(*DIALECTS, optional=True),
        "dialect_overrides": _overrides,
        "use_project_config": _bool,
        "code_lens": _bool,
        "script_linters": _bool,
        "workspace_diagnostics": _bool,
        "rules_docs_url": _opt_str,
        "log_level": _log_level,
    },
}


def _parse_into(cls: type, data: Any, prefix: str, errors: list[str]) -> Any:
    default = cls()
    if data is None:
        return default
    if not isinstance(data, Mapping):
        errors.append(f'"{prefix or SECTION}" must be an object; using defaults')
        return default
    changes: dict[str, Any] = {}
    for f in fields(cls):
        key = f.metadata["key"]
        if key not in data:
            continue
        where = f"{prefix}.{key}" if prefix else key
        value = data[key]
        if f.type in ("RuleSettings", "LlmSettings"):
            sub = RuleSettings if f.type == "RuleSettings" else LlmSettings
            changes[f.name] = _parse_into(sub, value, where, errors)
            continue
        try:
            changes[f.name] = _PARSERS[cls][f.name](value, where)
        except _Invalid as exc:
            errors.append(f"{exc}; using the default")
    return replace(default, **changes) if changes else default


def parse(data: Any) -> tuple[Settings, list[str]]:
    """Settings from a JSON value (the ``wfspec`` section or an object containing it), plus
    one message per invalid value. Never raises."""
    errors: list[str] = []
    if isinstance(data, Mapping) and isinstance(data.get(SECTION), Mapping):
        data = data[SECTION]
    settings = _parse_into(Settings, data, "", errors)
    return settings, errors


def describe() -> list[tuple[str, str, str]]:
    """(JSON key, default, documentation) of every setting, for the editor docs."""
    out: list[tuple[str, str, str]] = []

    def walk(cls: type, prefix: str) -> None:
        inst = cls()
        for f in fields(cls):
            key = f"{prefix}{f.metadata['key']}"
            if f.type in ("RuleSettings", "LlmSettings"):
                walk(RuleSettings if f.type == "RuleSettings" else LlmSettings, key + ".")
                continue
            value = getattr(inst, f.name)
            if isinstance(value, frozenset):
                value = sorted(value)
            elif isinstance(value, tuple):
                value = dict(value)
            out.append((key, json.dumps(value), f.metadata["doc"]))

    walk(Settings, f"{SECTION}.")
    return out
