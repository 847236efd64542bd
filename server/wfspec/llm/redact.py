"""Redaction of credentials before text leaves the machine for a non-loopback endpoint.

Values that look like credentials (passwords in URLs, token query parameters, bearer tokens,
well-known API key formats, private keys, literal values of ``password:``/``token:``-like keys)
are replaced by numbered placeholders. The :class:`Redactor` remembers what it replaced so a
model answer that repeats a placeholder can be restored locally; nothing redacted is logged.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

PLACEHOLDER = "REDACTED_{n}"
_PLACEHOLDER_RE = re.compile(r"REDACTED_(\d+)")

#: (pattern, group holding the secret) in the order they are applied
_PATTERNS: tuple[tuple[re.Pattern[str], int], ...] = (
    # -----BEGIN ... PRIVATE KEY----- blocks
    (
        re.compile(r"(-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----)"),
        1,
    ),
    # scheme://user:password@host
    (re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@'\"]+:([^\s@/'\"]+)@"), 1),
    # ?token=... &api_key=... (query or form parameters)
    (
        re.compile(
            r"(?i)[?&;](?:access_token|id_token|refresh_token|token|api[_-]?key|apikey|key|secret|"
            r"client_secret|password|passwd|pwd|sig|signature|auth|code)=([^\s&#'\"]+)"
        ),
        1,
    ),
    # Authorization: Bearer <literal>  (expressions such as ${ $secrets.x } are left alone)
    (re.compile(r"(?i)\b(?:bearer|basic|token)\s+((?=[A-Za-z._~+/=-]*\d)[A-Za-z0-9._~+/=-]{12,})"), 1),
    # well-known key formats
    (re.compile(r"\b(sk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,})"), 1),
    (re.compile(r"\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"), 1),
    (re.compile(r"\b(xox[abposr]-[A-Za-z0-9-]{10,})"), 1),
    (re.compile(r"\b((?:AKIA|ASIA)[0-9A-Z]{16})\b"), 1),
    (re.compile(r"\b(AIza[0-9A-Za-z_-]{35})"), 1),
    (re.compile(r"\b(glpat-[A-Za-z0-9_-]{20,})"), 1),
    (re.compile(r"\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"), 1),
    # password: hunter2 / "apiKey": "..." (a literal value, not an expression or a reference)
    (
        re.compile(
            r"(?im)[\"']?\b(?:password|passwd|pwd|secret|client_?secret|token|access_?token|api_?key|"
            r"apikey|private_?key|access_?key|secret_?key)[\"']?\s*[:=]\s*[\"']?"
            r"(?!\$\{|REDACTED_)([^\s\"',}{]{6,})"
        ),
        1,
    ),
)


@dataclass
class Redactor:
    """Replaces credential-like values with placeholders and can put them back."""

    secrets: dict[str, str] = field(default_factory=dict)  # placeholder -> original
    _by_value: dict[str, str] = field(default_factory=dict)

    def _placeholder(self, value: str) -> str:
        got = self._by_value.get(value)
        if got is None:
            got = PLACEHOLDER.format(n=len(self.secrets) + 1)
            self._by_value[value] = got
            self.secrets[got] = value
        return got

    def redact(self, text: str) -> str:
        """``text`` with every credential-like value replaced by a placeholder."""
        for pattern, group in _PATTERNS:
            text = self._sub(pattern, group, text)
        return text

    def _sub(self, pattern: re.Pattern[str], group: int, text: str) -> str:
        out: list[str] = []
        last = 0
        for m in pattern.finditer(text):
            s, e = m.span(group)
            value = m.group(group)
            if _PLACEHOLDER_RE.fullmatch(value):
                continue
            out.append(text[last:s])
            out.append(self._placeholder(value))
            last = e
        out.append(text[last:])
        return "".join(out)

    def restore(self, text: str) -> str:
        """Put the originals back for placeholders this redactor made (others stay as they are)."""
        if not self.secrets:
            return text
        return _PLACEHOLDER_RE.sub(lambda m: self.secrets.get(m.group(0), m.group(0)), text)

    @property
    def count(self) -> int:
        return len(self.secrets)


def redact(text: str) -> str:
    """One-shot redaction (placeholders are not remembered)."""
    return Redactor().redact(text)


def is_loopback(base_url: str | None) -> bool:
    """True when the endpoint is on this machine (127.0.0.0/8, ::1, localhost), so text sent
    there never leaves it. ``None`` (the embedded model) counts as loopback."""
    if base_url is None:
        return True
    try:
        host = urlsplit(base_url).hostname or ""
    except ValueError:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
