"""A ``run:`` script that uses a deprecated workflow command: ``::set-output``, ``::save-state``,
``::set-env`` or ``::add-path``. GitHub disabled ``set-env`` and ``add-path`` and warns on the other
two (a disabled command printed by the script is an error, a mention of it elsewhere a warning);
each has an environment file instead (``$GITHUB_OUTPUT``, ``$GITHUB_STATE``, ``$GITHUB_ENV``,
``$GITHUB_PATH``). The range is the command. When the command is a whole ``echo`` line the quick
fix (``check --fix``) rewrites it to append to the environment file, in the syntax of the step's
shell (``$env:GITHUB_OUTPUT`` for PowerShell, ``%GITHUB_OUTPUT%`` for cmd).

Bad::

    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - id: version
            run: echo "::set-output name=tag::v1.2.3"

Good::

    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - id: version
            run: echo "tag=v1.2.3" >> "$GITHUB_OUTPUT"
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.dialects.github import facts
from wfspec.findings import Finding, Severity
from wfspec.syntax.tree import Span

#: command -> the environment file that replaces it
FILES = {
    "set-output": "GITHUB_OUTPUT",
    "save-state": "GITHUB_STATE",
    "set-env": "GITHUB_ENV",
    "add-path": "GITHUB_PATH",
}
_COMMAND = re.compile(r"::(set-output|save-state|set-env|add-path)(?=[\s:])")


def shell_family(shell: str | None, os: frozenset[str] | None) -> str | None:
    """``bash`` (POSIX shells and the default off Windows), ``pwsh``, ``cmd``; None when the
    shell cannot be told (a custom command, or no shell written on a runner of unknown OS)."""
    if shell is None:
        if os is None:
            return None
        if os == frozenset({"windows"}):
            return "pwsh"
        return "bash" if "windows" not in os else None
    name = shell.strip().split(" ")[0].lower()
    if name in ("bash", "sh"):
        return "bash"
    if name in ("pwsh", "powershell"):
        return "pwsh"
    if name == "cmd":
        return "cmd"
    return None


def _emitted(raw: str, at: int) -> bool:
    """True when the command is printed on its line (``echo``, ``printf``, ``Write-Output``...),
    so the runner sees it; a mention in a comment or a ``grep`` stays a warning."""
    head = raw[max(raw.rfind("\n", 0, at), 0) : at].lower()
    return "#" not in head and any(
        w in head for w in ("echo", "printf", "write-output", "write-host", "print(")
    )


def check(ctx: Context) -> Iterable[Finding]:
    text = ctx.doc.text
    for script in facts.of(ctx.workflow.payload).scripts:
        run = script.run
        start, end = run.start_offset, run.end_offset
        raw = text[start:end]
        if "::" not in raw:
            continue
        family = shell_family(script.shell.value if script.shell is not None else None, script.os)
        for m in _COMMAND.finditer(raw):
            cmd = m.group(1)
            span = Span(ctx.doc.index.position(start + m.start()), ctx.doc.index.position(start + m.end()))
            env = FILES[cmd]
            usage = '"{path}"' if cmd == "add-path" else '"{name}={value}"'
            yield RULE.finding(
                span,
                f'workflow command "{cmd}" is deprecated; append to the ${env} file instead '
                f'(echo {usage} >> "${env}")',
                data={
                    "command": cmd,
                    "file": env,
                    "shell": family,
                    "style": run.style,
                    "node": script.node_id,
                },
                severity=Severity.ERROR
                if cmd in ("set-env", "add-path") and _emitted(raw, m.start())
                else None,
                tags=("deprecated",),
            )


RULE = make_rule(
    __name__,
    Severity.WARNING,
    "a deprecated workflow command (::set-output, ::save-state, ::set-env, ::add-path) in run:",
    check,
    dialects=frozenset({"github"}),
)
