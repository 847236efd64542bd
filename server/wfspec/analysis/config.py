"""Analysis configuration: rule selection, severities, limits, and inline suppressions.

Read from ``[tool.wfspec]`` in ``pyproject.toml`` or from ``.wfspec.toml`` (the nearest one
above the checked file wins); invalid values are reported, never fatal.

Limits are bounded: a workspace file may lower ``max-file-size`` but not raise it above
:data:`PROJECT_MAX_FILE_SIZE` (a larger value is clamped); only the user's own settings (the
``--max-file-size`` flag, the editor's ``maxFileSize``) may raise it, up to
:data:`HARD_MAX_FILE_SIZE`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from wfspec import fsio
from wfspec.findings import Finding, Severity
from wfspec.syntax.parse import DEFAULT_MAX_BYTES, Comment

DIALECTS = ("serverless", "github")
#: the most a workspace file (``.wfspec.toml``, ``pyproject.toml``) may set ``max-file-size`` to
PROJECT_MAX_FILE_SIZE = DEFAULT_MAX_BYTES
#: the most the user's own settings may raise it to
HARD_MAX_FILE_SIZE = 16 * 1024 * 1024


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Config:
    """What to check and how loud. ``select`` empty means every rule."""

    select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    severities: dict[str, Severity] = field(default_factory=dict)
    max_file_size: int = DEFAULT_MAX_BYTES
    dialect: str | None = None  # force a dialect instead of detecting it
    source: str | None = None  # the file the settings came from
    #: self-hosted runner labels (``runner-labels``; ``*`` globs allowed) the runner-label rule knows
    runner_labels: tuple[str, ...] = ()
    #: ``require-pinned-actions``: every remote action, GitHub's own included, must be pinned to a
    #: commit SHA (``unpinned-action`` then reports errors; by default, hints for third-party ones)
    require_pinned_actions: bool = False

    def enabled(self, rule_id: str) -> bool:
        if rule_id in self.ignore:
            return False
        return not self.select or rule_id in self.select

    def merged(self, **changes: Any) -> Config:
        return replace(self, **changes)


def from_mapping(
    data: dict[str, Any], source: str | None = None, known_rules: set[str] | None = None
) -> Config:
    """Build a Config from a ``[tool.wfspec]``-shaped mapping; raises ConfigError on bad values."""
    where = f" in {source}" if source else ""

    def rule_list(key: str) -> frozenset[str]:
        val = data.get(key, [])
        if isinstance(val, str):
            val = [val]
        if not isinstance(val, list) or not all(isinstance(v, str) for v in val):
            raise ConfigError(f'"{key}" must be a list of rule ids{where}')
        unknown = [v for v in val if known_rules is not None and v not in known_rules]
        if unknown:
            raise ConfigError(f'unknown rule id "{unknown[0]}" in "{key}"{where}')
        return frozenset(val)

    allowed = {"select", "ignore", "severity", "severities", "max-file-size", "max_file_size", "dialect"}
    allowed.add("runner-labels")
    allowed.add("require-pinned-actions")
    extra = sorted(set(data) - allowed)
    if extra:
        raise ConfigError(f'unknown setting "{extra[0]}"{where}')
    sev_raw = data.get("severity", data.get("severities", {}))
    if not isinstance(sev_raw, dict):
        raise ConfigError(f'"severity" must be a table of rule id = severity{where}')
    severities: dict[str, Severity] = {}
    for rule, value in sev_raw.items():
        if known_rules is not None and rule not in known_rules:
            raise ConfigError(f'unknown rule id "{rule}" in "severity"{where}')
        if not isinstance(value, str):
            raise ConfigError(f'severity of "{rule}" must be a string{where}')
        try:
            severities[rule] = Severity.parse(value)
        except ValueError as exc:
            raise ConfigError(f"{exc}{where}") from None
    size = data.get("max-file-size", data.get("max_file_size", DEFAULT_MAX_BYTES))
    if isinstance(size, float) and size.is_integer():
        size = int(size)
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise ConfigError(f'"max-file-size" must be a positive number of bytes{where}')
    size = min(size, PROJECT_MAX_FILE_SIZE)  # a workspace file cannot raise the limit
    dialect = data.get("dialect")
    if dialect is not None and dialect not in DIALECTS:
        raise ConfigError(f'"dialect" must be one of {", ".join(DIALECTS)}{where}')
    labels = data.get("runner-labels", [])
    if not isinstance(labels, list) or not all(isinstance(v, str) and v.strip() for v in labels):
        raise ConfigError(f'"runner-labels" must be a list of runner labels{where}')
    pinned = data.get("require-pinned-actions", False)
    if not isinstance(pinned, bool):
        raise ConfigError(f'"require-pinned-actions" must be true or false{where}')
    return Config(
        runner_labels=tuple(labels),
        require_pinned_actions=pinned,
        select=rule_list("select"),
        ignore=rule_list("ignore"),
        severities=severities,
        max_file_size=size,
        dialect=dialect,
        source=source,
    )


def find_config_file(start: Path) -> Path | None:
    """The nearest ``.wfspec.toml`` or ``pyproject.toml`` with ``[tool.wfspec]`` at or above."""
    cur = start if start.is_dir() else start.parent
    cur = cur.resolve()
    for d in (cur, *cur.parents):
        cand = d / ".wfspec.toml"
        if fsio.is_regular(cand):
            return cand
        py = d / "pyproject.toml"
        if fsio.is_regular(py):
            try:
                if "wfspec" in tomllib.loads(fsio.read_text(py)).get("tool", {}):
                    return py
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
                continue
    return None


def load_file(path: Path, known_rules: set[str] | None = None) -> Config:
    """Load a config file; raises ConfigError with a clear message on any problem."""
    try:
        data = tomllib.loads(fsio.read_text(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML in {path}: {exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("wfspec", {})
    if not isinstance(data, dict):
        raise ConfigError(f"[tool.wfspec] in {path} must be a table")
    return from_mapping(data, str(path), known_rules)


_SUPPRESS = re.compile(r"wfspec:\s*(?:ignore|disable)(?:\[([^\]]*)\])?", re.IGNORECASE)


def suppressions(comments: dict[int, Comment]) -> dict[int, frozenset[str] | None]:
    """Lines with ``# wfspec: ignore[rule, ...]`` -> the rule ids (None = every rule)."""
    out: dict[int, frozenset[str] | None] = {}
    for line, c in comments.items():
        m = _SUPPRESS.search(c.text)
        if m is None:
            continue
        ids = m.group(1)
        out[line] = None if ids is None else frozenset(x.strip() for x in ids.split(",") if x.strip())
    return out


def is_suppressed(f: Finding, sup: dict[int, frozenset[str] | None], comments: dict[int, Comment]) -> bool:
    """A finding is suppressed by a comment on its first line, or an own-line comment above."""
    line = f.span.start.line
    for ln in (line, line - 1):
        if ln not in sup:
            continue
        if ln == line - 1 and not comments[ln].own_line:
            continue
        ids = sup[ln]
        if ids is None or f.rule in ids:
            return True
    return False
