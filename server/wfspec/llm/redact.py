"""Redaction of credentials before text leaves for a model endpoint, and the rule for putting
them back.

What is a credential is decided by Yelp's ``detect-secrets`` plugins, used offline as plain
pattern matchers (never their network verification): AWS, Azure storage, GitHub, GitLab,
Slack (tokens and webhook URLs), Stripe, SendGrid, npm, PyPI, Twilio, Mailchimp, Discord,
Telegram, Square, IBM, SoftLayer, Cloudant, Artifactory and OpenAI formats, passwords in URLs,
values of secret-sounding keys (``password``, ``secret``, ``api_key``, ``DB_PASSWORD``,
``PGPASSWORD=...``) and high-entropy quoted strings. Our own patterns cover only what it lacks:
whole private-key blocks (PEM, OpenSSH, PGP), JWTs with their signature, bearer/basic
credentials and key headers (``Authorization``, ``x-api-key``, ...), ``curl -u user:pass`` and
``--password``, token query parameters, ``token``/``passphrase``/``credentials`` keys (multi-word
values too), and key formats it does not know (``sk-proj-``/``sk-ant-``, ``github_pat_``,
``npm_``, ``AIza``). References are not secrets and stay: ``${{ secrets.X }}``, ``${ $secrets.x
}``, ``$VAR``, ``secrets: inherit``, and values of keys that name or point at a secret
(``secretName``, ``password_file``, ``tokenUrl``).

Each value becomes a numbered placeholder (``REDACTED_1``; the same value, the same number).
:meth:`Redactor.restore` puts the originals back into an answer; nothing redacted is logged.
A credential may come back only where it was: :func:`moved_secret` finds one that an answer put
into new content (a new step that echoes it somewhere), and validation rejects such an answer.

Whether to redact is decided by :attr:`wfspec.llm.provider.Settings.should_redact`: always,
except for the embedded model wfspec starts itself, unless turned off for the endpoint.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

PLACEHOLDER = "REDACTED_{n}"
_PLACEHOLDER_RE = re.compile(r"REDACTED_(\d+)")

# -- our own patterns ----------------------------------------------------------------------

#: a value that is a reference or an expression, not a secret
_TEMPLATE = r"(?!\$\{|\$\(|\{\{|\$[A-Za-z_]|<[A-Za-z]|REDACTED_)"
#: private key blocks (PEM, OpenSSH, PGP); a block cut off by the end of the text, too
_KEY_BLOCK = re.compile(
    r"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
    r"(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\Z))"
)
#: one line's patterns: (pattern, group of the secret, whether the value is a keyed one that
#: may be a reference)
_OWN: tuple[tuple[re.Pattern[str], int, bool], ...] = (
    # JWTs, signature included
    (re.compile(r"\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"), 1, False),
    # Authorization-like headers: the whole credential after the scheme (or the whole value)
    (
        re.compile(
            r"(?im)(?:^|[\s{,\"'])[\"']?(?:proxy-)?authorization[\"']?[ \t]*[:=][ \t]*[\"']?"
            r"(?:(?:bearer|basic|token|digest|apikey|sso-key)[ \t]+)?"
            + _TEMPLATE
            + r"(?!(?i:bearer|basic|token|digest|apikey|sso-key)[ \t])([^\s\"',}{]{4,})"
        ),
        1,
        True,
    ),
    (
        re.compile(
            r"(?im)(?:^|[\s{,\"'])[\"']?(?:x-)?(?:api-?key|auth-?token|access-?token|apikey|"
            r"goog-api-key|vault-token|functions-key|subscription-key|private-token|"
            r"ocp-apim-subscription-key)[\"']?[ \t]*:[ \t]*[\"']?" + _TEMPLATE + r"([^\s\"',}{]{4,})"
        ),
        1,
        True,
    ),
    # "Bearer <token>" anywhere (a digit in it: prose such as "bearer authentication" stays)
    (
        re.compile(
            r"(?i)\b(?:bearer|basic)[ \t]+" + _TEMPLATE + r"((?=[A-Za-z._~+/=-]*\d)[A-Za-z0-9._~+/=-]{8,})"
        ),
        1,
        False,
    ),
    # curl -u user:password, --user, --password / -p secrets on command lines
    (re.compile(r"(?:\s|^)(?:-u|--user)[ \t=]+[\"']?[^\s:\"'$]+:" + _TEMPLATE + r"([^\s\"']+)"), 1, False),
    (
        re.compile(
            r"(?i)(?:\s|^)--(?:password|passwd|pass|token|api-key|secret|client-secret)[ \t=]+[\"']?"
            + _TEMPLATE
            + r"([^\s\"']+)"
        ),
        1,
        False,
    ),
    # mysql -pSECRET (the password glued to -p) on a MySQL/MariaDB client's command line
    (
        re.compile(
            r"(?i)\b(?:mysql|mariadb|mysqldump|mysqladmin|mysqlimport|mysqlsh)\b[^\n]*?\s-p"
            + _TEMPLATE
            + r"([^\s\"']{3,})"
        ),
        1,
        False,
    ),
    # ?token=... &api_key=... (query or form parameters)
    (
        re.compile(
            r"(?i)[?&;](?:access_token|id_token|refresh_token|token|api[_-]?key|apikey|key|secret|"
            r"client_secret|password|passwd|pwd|sig|signature|auth|code)=" + _TEMPLATE + r"([^\s&#'\"]+)"
        ),
        1,
        False,
    ),
    # key formats detect-secrets does not know
    (re.compile(r"\b(sk-(?:proj-|ant-(?:api\d+-)?|svcacct-)?[A-Za-z0-9_-]{20,})"), 1, False),
    (re.compile(r"\b(github_pat_[A-Za-z0-9_]{20,}|(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,})"), 1, False),
    (re.compile(r"\b(npm_[A-Za-z0-9]{30,})"), 1, False),
    (re.compile(r"\b(AIza[0-9A-Za-z_-]{35})"), 1, False),
    (re.compile(r"\b(xox[abposr]-[A-Za-z0-9-]{10,})"), 1, False),
    (re.compile(r"\b((?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,})"), 1, False),
)

#: keys that hold a secret, beyond the ones detect-secrets knows (``password``, ``secret``,
#: ``api_key``, ...): the whole rest of the line is the value (a passphrase has spaces)
_OWN_KEYS = re.compile(
    r"(?im)(?:^|[\s{,\"'])[\"']?([\w.-]*?(?:token|passphrase|pass_?phrase|credentials?|"
    r"api-key|access-key|secret-key|private-key|signing-key|encryption-key|master-key)[\w.-]*)"
    r"[\"']?[ \t]*[:=][ \t]*(?:[\"']([^\"'\n]+)[\"']|" + _TEMPLATE + r"([^\s\"'#,}{][^\n#\"']*?))"
    r"(?:[ \t]*(?:#.*)?$|(?=[\"']))"
)
#: keys whose value names, points at or describes a secret rather than being one
_NOT_A_SECRET_KEY = re.compile(
    r"(?i)(?:^secrets$|^max_?tokens?$|tokens?_?(?:count|limit|usage)$|"
    r"(?:name|names|ref|file|path|env|var|id|ids|url|uri|endpoint|type|policy|format|length|"
    r"from|source|scope|scopes|mode|header|prefix|location|store|kind|provider|use)$)"
)
#: values that are structure, enumerations or placeholders, never secrets
_NOT_A_SECRET_VALUE = frozenset(
    """| |- |+ > >- >+ ~ null true false yes no on off none inherit required optional read write
    string boolean number integer object array secret password token redacted changeme example
    xxx *** ... [] {}""".split()
)


def _plausible(value: str) -> bool:
    v = value.strip().strip("\"'").strip()
    if not v or v.lower() in _NOT_A_SECRET_VALUE or _PLACEHOLDER_RE.fullmatch(v):
        return False
    if v[0] in "$<{[|>&*!%" or v.startswith(("http://", "https://", "/", "./", "~/")):
        return False  # an expression, a reference, a flow collection, a path or a URL
    if not set(v) - _MASK:
        return False  # "********", "xxxx": a value masked already
    if _REFERENCE.match(v):
        return False  # secrets.DB_PASSWORD, env.TOKEN, $secrets.api.key
    return not ("{{" in v or "${" in v)


_MASK = frozenset("*xX.#-_ ")
_REFERENCE = re.compile(
    r"(?:secrets|env|vars|inputs|github|steps|needs|matrix|runner|jobs?|\$secrets|\$workflow|"
    r"\$context|\$input|\$task)\.[\w.-]+(?:\s*\}\}?)?$"
)


# -- detect-secrets, offline ------------------------------------------------------------------


@dataclass(frozen=True)
class _Detectors:
    regex: tuple[re.Pattern[str], ...]  # detect-secrets' own format patterns
    #: its secret-keyword patterns, YAML flavour: (pattern, value group, shell-style NAME=value)
    keyword: tuple[tuple[re.Pattern[str], int, bool], ...]
    entropy: tuple[Any, ...]  # its high-entropy string plugins (quoted strings)


#: detect-secrets plugins whose patterns are used (not IPPublicDetector: an address is no
#: secret; not PrivateKeyDetector and JwtTokenDetector: ours take the whole block and token)
_PLUGINS = (
    "artifactory.ArtifactoryDetector",
    "aws.AWSKeyDetector",
    "azure_storage_key.AzureStorageKeyDetector",
    "basic_auth.BasicAuthDetector",
    "cloudant.CloudantDetector",
    "discord.DiscordBotTokenDetector",
    "github_token.GitHubTokenDetector",
    "gitlab_token.GitLabTokenDetector",
    "ibm_cloud_iam.IbmCloudIamDetector",
    "ibm_cos_hmac.IbmCosHmacDetector",
    "mailchimp.MailchimpDetector",
    "npm.NpmDetector",
    "openai.OpenAIDetector",
    "pypi_token.PypiTokenDetector",
    "sendgrid.SendGridDetector",
    "slack.SlackDetector",
    "softlayer.SoftlayerDetector",
    "square_oauth.SquareOAuthDetector",
    "stripe.StripeDetector",
    "telegram_token.TelegramBotTokenDetector",
    "twilio.TwilioKeyDetector",
)


@lru_cache(maxsize=1)
def _detectors() -> _Detectors:
    """The detect-secrets patterns, loaded once (on the first redaction, not at import)."""
    from importlib import import_module

    from detect_secrets.plugins import high_entropy_strings, keyword

    regex: list[re.Pattern[str]] = []
    for path in _PLUGINS:
        module, name = path.rsplit(".", 1)
        cls = getattr(import_module(f"detect_secrets.plugins.{module}"), name)
        regex.extend(cls.denylist)
    return _Detectors(
        tuple(regex),
        tuple(
            (pattern, group, pattern is keyword.FOLLOWED_BY_EQUAL_SIGNS_REGEX)
            for pattern, group in keyword.CONFIG_DENYLIST_REGEX_TO_GROUP.items()
        ),
        (high_entropy_strings.Base64HighEntropyString(), high_entropy_strings.HexHighEntropyString()),
    )


def _secret_group(m: re.Match[str]) -> tuple[int, int]:
    """The span of the first non-empty group of a detect-secrets match (its secret), else the
    whole match."""
    for i in range(1, (m.re.groups or 0) + 1):
        s, e = m.span(i)
        if s >= 0 and e > s:
            return s, e
    return m.span()


_KEYWORD_HINT = re.compile(r"(?i)key|pass|pwd|secret|contrase")


def find_secrets(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` offsets of every credential-like value in ``text``, merged where
    they overlap, in order. Private-key blocks are found in the whole text; everything else
    line by line, on the lines that can hold a credential at all (a secret-sounding word, a
    password in a URL, ``-u``, a run of sixteen or more key characters, or of eight with
    letters and digits), each line's answer cached."""
    spans: list[tuple[int, int]] = []
    if "-----BEGIN" in text:
        spans.extend(m.span(1) for m in _KEY_BLOCK.finditer(text))
    pos = 0
    for line in text.splitlines(keepends=True):
        if _may_hold_secret(line):
            spans.extend((pos + s, pos + e) for s, e in _line_spans(line))
        pos += len(line)
    return _merge(spans)


_HINT_WORD = re.compile(
    r"(?i)key|pass|pwd|secret|token|auth|cred|bearer|phrase|sig|contrase|://\S*@|(?:^|\s)-u\s"
)
_RUN = re.compile(r"[A-Za-z0-9+/=_.\-]{8,}")
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[A-Za-z]")


def _may_hold_secret(line: str) -> bool:
    if _HINT_WORD.search(line):
        return True
    return any(len(r) >= 16 or (_DIGIT.search(r) and _LETTER.search(r)) for r in _RUN.findall(line))


@lru_cache(maxsize=16384)
def _line_spans(line: str) -> tuple[tuple[int, int], ...]:
    """The secret spans of one line (offsets within it)."""
    det = _detectors()
    out: list[tuple[int, int]] = []
    for pattern in det.regex:
        for m in pattern.finditer(line):
            s, e = _secret_group(m)
            if not _PLACEHOLDER_RE.fullmatch(line[s:e]):
                out.append((s, e))
    for pattern, group, keyed in _OWN:
        for m in pattern.finditer(line):
            s, e = m.span(group)
            value = line[s:e]
            if e > s and not _PLACEHOLDER_RE.fullmatch(value) and (not keyed or _plausible(value)):
                out.append((s, e))
    prose = line.lstrip().startswith("#")
    for m in _OWN_KEYS.finditer(line):
        key = m.group(1)
        g = 2 if m.group(2) is not None else 3
        value = m.group(g)
        if _NOT_A_SECRET_KEY.search(key) or not _plausible(value) or (prose and value.count(" ") >= 3):
            continue  # (a comment's "the token: comes from the vault ..." is prose)
        out.append(m.span(g))
    out.extend(_line_secrets(line, det))
    out.extend(_random_values(line))
    return tuple(out)


#: an unquoted value after ``key:`` or ``NAME=``: one run of key characters to the end of the
#: value (detect-secrets' entropy plugins look at quoted strings only)
_BARE_VALUE = re.compile(
    r"(?:^|[\s{,])[\w.-]+(?::[ \t]+|=)" + _TEMPLATE + r"([A-Za-z0-9+_=.-]{24,})(?=[\s,}#;&|]|$)"
)
#: the Shannon entropy (bits per character) above which such a value is taken for a random key;
#: hex digits alone carry at most 4 bits, so they have a lower bar (detect-secrets' own limits
#: are 4.5 and 3.0 for quoted strings)
_RANDOM_ENTROPY = 4.0
_RANDOM_HEX_ENTROPY = 3.0
_HEX = frozenset("0123456789abcdefABCDEF")


def _random_values(line: str) -> Iterator[tuple[int, int]]:
    """Unquoted values that look random, whatever their key is called (``MAILGUN: key-3ax6...``):
    24 or more key characters with letters and at least two digits, of high entropy, that are
    no digest (40 or 64 hex digits), path, UUID or sequence."""
    for m in _BARE_VALUE.finditer(line):
        s, e = m.span(1)
        value = line[s:e]
        if sum(c.isdigit() for c in value) < 2 or not _LETTER.search(value):
            continue
        hexadecimal = not set(value) - _HEX
        if hexadecimal and len(value) in (40, 64):
            continue  # a commit or content digest
        if _entropy(value) < (_RANDOM_HEX_ENTROPY if hexadecimal else _RANDOM_ENTROPY):
            continue
        if _PLACEHOLDER_RE.fullmatch(value):
            continue
        if _id_like(value) or _digest_or_path(value, line) or not _plausible(value):
            continue
        yield s, e


def _entropy(value: str) -> float:
    import math
    from collections import Counter

    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def _line_secrets(line: str, det: _Detectors) -> Iterator[tuple[int, int]]:
    comment_line = line.lstrip().startswith("#")
    if _KEYWORD_HINT.search(line):
        for pattern, group, shell in det.keyword:
            for m in pattern.finditer(line):
                s, e = m.span(group)
                value = line[s:e]
                if shell or (not m.group(group - 1) and "{" in line[: m.start()]):
                    cut = _SHELL_END.search(value) if shell else _FLOW_END.search(value)
                    if cut:
                        value = value[: cut.start()]
                comment = value.find(" #")
                if comment >= 0:
                    value = value[:comment]
                value = value.rstrip()
                e = s + len(value)
                if (
                    not value
                    or not _plausible(value)
                    or (comment_line and value.count(" ") >= 3)  # prose in a comment
                    or _NOT_A_SECRET_KEY.search(_key_at(line, m.start(1)))
                    or _referenced(value, line)
                ):
                    continue
                yield s, e
    if "'" in line or '"' in line:
        for plugin in det.entropy:
            for m in plugin.regex.finditer(line):
                s, e = m.span(2)
                value = m.group(2)
                if len(value) < 16 or plugin.calculate_shannon_entropy(value) <= plugin.entropy_limit:
                    continue
                if _id_like(value) or _PLACEHOLDER_RE.fullmatch(value) or _digest_or_path(value, line):
                    continue
                yield s, e


_PATH_WORD = re.compile(r"[a-z]{4,}/")


def _digest_or_path(value: str, line: str) -> bool:
    """A quoted commit or content digest (40 or 64 hex digits on a line that says so), or a
    resource path (``projects/123/locations/global/...``): high entropy, no secret."""
    if len(value) in (40, 64) and all(c in "0123456789abcdefABCDEF" for c in value):
        low = line.lower()
        return "sha" in low or "digest" in low or "hash" in low or "commit" in low
    return "/" in value and _PATH_WORD.search(value) is not None


_SHELL_END = re.compile(r"[\s;&|]")
_FLOW_END = re.compile(r"[,}\]]")


def _referenced(value: str, line: str) -> bool:
    """True when a keyword hit is a reference or a template (detect-secrets' filters)."""
    from detect_secrets.filters import heuristic

    return bool(
        heuristic.is_templated_secret(value)
        or heuristic.is_prefixed_with_dollar_sign(value)
        or heuristic.is_indirect_reference(line)
    )


def _id_like(value: str) -> bool:
    """True for a high-entropy string that is a sequence or a UUID (detect-secrets' filters)."""
    from detect_secrets.filters import heuristic

    return bool(heuristic.is_sequential_string(value) or heuristic.is_potential_uuid(value))


_KEY_HEAD = re.compile(r"[\w.-]+$")
_KEY_TAIL = re.compile(r"[\w.-]*")


def _key_at(line: str, start: int) -> str:
    """The whole key around a keyword match starting at ``start`` (``AWS_SECRET_ACCESS_KEY``
    for the ``SECRET_ACCESS_KEY`` that matched, ``secretName`` for ``secret``)."""
    if start < 0:
        return ""
    head = _KEY_HEAD.search(line, 0, start)
    tail = _KEY_TAIL.match(line, start)
    return (head.group(0) if head else "") + (tail.group(0) if tail else "")


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


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
        return self.redact_all([text])[0]

    def redact_all(self, texts: Sequence[str]) -> list[str]:
        """Redact the texts of one request together: a value found in any of them (or by an
        earlier call) is redacted wherever it occurs in all of them, so that a model answer
        fed back, which holds restored values where no pattern recognises them, sends none."""
        found = [find_secrets(t) for t in texts]
        values = {t[s:e] for t, spans in zip(texts, found, strict=True) for s, e in spans}
        values.update(self._by_value)
        values = {v for v in values if len(v) >= _MIN_FRAGMENT}
        out: list[str] = []
        for text, spans in zip(texts, found, strict=True):
            spans = list(spans)
            for v in values:
                i = text.find(v)
                while i >= 0:
                    spans.append((i, i + len(v)))
                    i = text.find(v, i + len(v))
            out.append(self._replace(text, _merge(spans)))
        return out

    def _replace(self, text: str, spans: list[tuple[int, int]]) -> str:
        if not spans:
            return text
        parts: list[str] = []
        last = 0
        for s, e in spans:
            parts.append(text[last:s])
            parts.append(self._placeholder(text[s:e]))
            last = e
        parts.append(text[last:])
        return "".join(parts)

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


# -- restoring only where they were -----------------------------------------------------------

#: a line of a multi-line secret shorter than this is not looked for on its own
_MIN_FRAGMENT = 3


@lru_cache(maxsize=8)
def _fragments(text: str) -> frozenset[str]:
    """The secret values of ``text``, multi-line ones (key blocks) line by line."""
    out: set[str] = set()
    for s, e in find_secrets(text):
        for part in text[s:e].splitlines():
            part = part.strip()
            if len(part) >= _MIN_FRAGMENT and not part.startswith("-----"):
                out.add(part)
    return frozenset(out)


def moved_secret(original: str, new_text: str) -> int | None:
    """The 0-based line of ``new_text`` on which a credential of ``original`` appears in content
    that is not original's own unchanged text (a model that got a placeholder put it somewhere
    new, and restoring it would write the credential there); None when there is none.

    Unchanged lines are those outside the edited region and, inside it, the lines a line diff
    matches one for one with the original's; a credential may stay on those only."""
    if original == new_text:
        return None
    values = _fragments(original)
    if not values:
        return None
    old = original.splitlines(keepends=True)
    new = new_text.splitlines(keepends=True)
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_mid = old[head : len(old) - tail]
    new_mid = new[head : len(new) - tail]
    if not any(v in line for line in new_mid for v in values):
        return None
    matcher = difflib.SequenceMatcher(None, old_mid, new_mid, autojunk=False)
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for j in range(j1, j2):
            if any(v in new_mid[j] for v in values):
                return head + j
    return None


# -- endpoints --------------------------------------------------------------------------------


def is_loopback(base_url: str | None) -> bool:
    """True when the endpoint is on this machine (127.0.0.0/8, ::1, localhost). A loopback
    address may still be a proxy or a tunnel to anywhere: this decides nothing about redaction.
    ``None`` (the embedded model) counts as loopback."""
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


def same_endpoint(a: str | None, b: str | None) -> bool:
    """True when two base URLs name the same endpoint: scheme, host, port and path compared
    without case in scheme and host, a trailing slash and the default port."""
    if not a or not b:
        return False

    def norm(url: str) -> tuple[str, str, int | None, str] | None:
        try:
            p = urlsplit(url.strip())
            port = p.port
        except ValueError:
            return None
        scheme = p.scheme.lower()
        if port == {"http": 80, "https": 443}.get(scheme):
            port = None
        return scheme, (p.hostname or "").lower(), port, p.path.rstrip("/")

    na, nb = norm(a), norm(b)
    return na is not None and na == nb
