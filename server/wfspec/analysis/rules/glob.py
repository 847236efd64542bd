"""An invalid glob in an event filter (``branches``, ``tags``, ``paths`` and their ``-ignore``
forms, ``versions``, ``names``), by GitHub's filter pattern syntax: ``*``, ``**``, ``?``, ``+``
(one or more of the preceding character, which must not itself be special), ``[...]`` character
sets and ranges (closed, and ranges that run upwards), ``!`` at the start (followed by a pattern)
and ``\\`` escapes. Branch and tag patterns are ref names too (no spaces, ``~``, ``^``, ``:``, no
``..``, not starting with ``/`` nor ending with ``/`` or ``.``; only special characters may be
escaped); path patterns have no ``.`` or ``..`` component and no leading or trailing spaces. The
range is the pattern.

Bad::

    on:
      push:
        branches:
          - "^release-"
        paths:
          - "./src/**"
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: make

Good::

    on:
      push:
        branches:
          - "release-*"
        paths:
          - "src/**"
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: make
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.dialects.github import facts
from wfspec.findings import Finding, Severity

SPECIAL = frozenset("*?+[]!\\")
_REF_FORBIDDEN = {" ": "a space", "~": '"~"', "^": '"^"', ":": '":"', "\t": "a tab"}


def _glob_problems(pattern: str, kind: str) -> Iterator[tuple[str, Severity]]:
    """(message, severity) for each problem of the glob syntax itself."""
    body = pattern[1:] if pattern.startswith("!") else pattern
    if pattern.startswith("!") and not body:
        yield '"!" must be followed by a pattern', Severity.ERROR
        return
    i, n = 0, len(body)
    prev_special = True  # "+" at the start has nothing to repeat
    while i < n:
        ch = body[i]
        if ch == "\\":
            if i + 1 >= n:
                yield 'a "\\" at the end escapes nothing', Severity.ERROR
                return
            if kind == "ref" and body[i + 1] not in SPECIAL:
                yield (
                    (
                        f'"\\{body[i + 1]}" escapes a character that is not special; only [ ] ? + * \\ ! can be '
                        "escaped in a branch or tag pattern"
                    ),
                    Severity.ERROR,
                )
            i += 2
            prev_special = False
            continue
        if ch == "[":
            close = body.find("]", i + 1)
            if close < 0:
                yield f'"[" at column {i + 1} is never closed with "]"', Severity.ERROR
                return
            inner = body[i + 1 : close]
            if not inner:
                yield '"[]" matches nothing', Severity.ERROR
            j = 0
            while j < len(inner):
                if j + 2 < len(inner) and inner[j + 1] == "-":
                    a, b = inner[j], inner[j + 2]
                    if a > b:
                        yield f'the range "{a}-{b}" runs backwards; write "{b}-{a}"', Severity.ERROR
                    j += 3
                else:
                    j += 1
            if len(inner) == 1:
                yield f'"[{inner}]" matches one character; write "{inner}"', Severity.WARNING
            i = close + 1
            prev_special = False
            continue
        if ch == "+":
            if prev_special:
                yield '"+" must follow a character that is not special', Severity.ERROR
            prev_special = True
            i += 1
            continue
        prev_special = ch in "*?"
        i += 1


def _ref_problems(pattern: str) -> Iterator[str]:
    body = pattern[1:] if pattern.startswith("!") else pattern
    for ch, what in _REF_FORBIDDEN.items():
        if ch in body:
            yield f"a branch or tag name cannot contain {what}"
    if ".." in body:
        yield 'a branch or tag name cannot contain ".."'
    if body.startswith("/"):
        yield 'a branch or tag name cannot start with "/"'
    if body.endswith(("/", ".")) and not body.endswith("\\."):
        yield f'a branch or tag name cannot end with "{body[-1]}"'


def _path_problems(pattern: str) -> Iterator[str]:
    if pattern != pattern.strip():
        yield "a path pattern cannot start or end with spaces or line breaks"
        return
    body = pattern[1:] if pattern.startswith("!") else pattern
    parts = body.split("/")
    if any(p in (".", "..") for p in parts):
        yield 'a path pattern cannot have a "." or ".." component (paths are relative to the repository root)'


def check(ctx: Context) -> Iterable[Finding]:
    for flt in facts.of(ctx.workflow.payload).filters:
        for node in flt.patterns:
            pattern = node.value
            if "${{" in pattern or (pattern.startswith("$") and "-" in pattern and "/" not in pattern):
                continue  # an expression, or a template placeholder such as $default-branch
            where = f'"{flt.name}" of the "{flt.event}" event'
            data = {"pattern": pattern, "filter": flt.name, "event": flt.event}
            extra = list(
                _ref_problems(pattern)
                if flt.kind == "ref"
                else _path_problems(pattern)
                if flt.kind == "path"
                else []
            )
            for message in extra:
                yield RULE.finding(node.span, f'invalid pattern "{pattern}" in {where}: {message}', data=data)
            if flt.kind == "path" and extra:
                continue
            for message, severity in _glob_problems(pattern, flt.kind):
                yield RULE.finding(
                    node.span, f'invalid glob "{pattern}" in {where}: {message}', data=data, severity=severity
                )


RULE = make_rule(
    __name__,
    Severity.ERROR,
    "an invalid glob in a branches, tags or paths filter",
    check,
    dialects=frozenset({"github"}),
)
