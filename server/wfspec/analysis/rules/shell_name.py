"""A ``shell`` (of a step, or ``defaults.run.shell`` of a job or the workflow) that the runner
does not have. GitHub knows ``bash``, ``sh``, ``pwsh`` and ``python`` on Linux and macOS, and
``bash``, ``pwsh``, ``python``, ``powershell`` and ``cmd`` on Windows (``sh`` is not available
there); anything else must be a custom command with a ``{0}`` placeholder for the script file
(``perl {0}``). The runner's system comes from its ``runs-on`` labels (an exact
``${{ matrix.KEY }}`` label counts every static value of that row); when it is not known only the
names no runner has are reported. The range is the shell name.

Bad::

    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: Get-ChildItem
            shell: powershell

Good::

    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: Get-ChildItem
            shell: pwsh
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.dialects.github import facts
from wfspec.findings import Finding, Severity
from wfspec.syntax.tree import ScalarNode

POSIX = frozenset(("bash", "sh", "pwsh", "python"))
WINDOWS = frozenset(("bash", "pwsh", "python", "powershell", "cmd"))
_SYSTEMS = {"linux": ("Linux", POSIX), "macos": ("macOS", POSIX), "windows": ("Windows", WINDOWS)}


def _problem(shell: ScalarNode, os: frozenset[str] | None) -> Iterator[tuple[str, dict[str, object]]]:
    value = shell.value.strip()
    if not value or "${{" in value or "{0}" in value:
        return
    name = value.split()[0].lower()  # GitHub compares shell names case-insensitively
    if name not in POSIX | WINDOWS:
        yield (
            f'unknown shell "{name}"; GitHub knows bash, sh, pwsh, python, powershell and cmd, and a custom '
            'shell needs "{0}" for the script (such as "perl {0}")',
            {"shell": name},
        )
        return
    for system in sorted(os or ()):
        label, names = _SYSTEMS[system]
        if name not in names:
            shown = ", ".join(sorted(names))
            yield (
                f'shell "{name}" is not available on {label} runners (there: {shown})',
                {"shell": name, "os": system},
            )
            return


def check(ctx: Context) -> Iterable[Finding]:
    f = facts.of(ctx.workflow.payload)
    reported: set[int] = set()
    places: list[tuple[ScalarNode, frozenset[str] | None]] = []
    if f.default_shell is not None:
        known = [j.os for j in f.jobs if j.os is not None]
        union = frozenset(x for o in known for x in o) if len(known) == len(f.jobs) else None
        places.append((f.default_shell, union))
    places.extend((j.default_shell, j.os) for j in f.jobs if j.default_shell is not None)
    places.extend((s.shell, s.os) for s in f.scripts if s.shell is not None)
    for shell, os in places:
        if shell.start_offset in reported:
            continue
        for message, data in _problem(shell, os):
            reported.add(shell.start_offset)
            yield RULE.finding(shell.span, message, data=data)


RULE = make_rule(
    __name__,
    Severity.ERROR,
    "a shell the runner does not have",
    check,
    dialects=frozenset({"github"}),
)
