"""Quick fixes for ``deprecated-command``: an ``echo "::set-output name=N::V"`` line (and
``::save-state``, ``::set-env``, ``::add-path``) becomes an ``echo`` that appends to the
environment file (``$GITHUB_OUTPUT``, ``$GITHUB_STATE``, ``$GITHUB_ENV``, ``$GITHUB_PATH``).

Only a command that ends an ``echo`` line of a literal (``|``) or plain ``run:`` scalar is
rewritten, so the edit is plain text in the YAML and the script keeps its meaning. The step's
shell, which the rule records in the finding's data (``bash``, ``pwsh``, ``cmd``), picks how the
file is named; with the shell unknown the POSIX form is offered but not preferred.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from wfspec.findings import Finding
from wfspec.fixes import Fix, TextEdit
from wfspec.syntax.tree import line_start

if TYPE_CHECKING:
    from wfspec.analysis.engine import Analysis

_ECHO = re.compile(
    r"echo[ \t]+(?P<q>[\"']?)::(?P<cmd>set-output|save-state|set-env)[ \t]+name=(?P<name>[^:\s\"']+)::"
    r"(?P<value>.*?)(?P=q)[ \t]*$"
)
_ECHO_PATH = re.compile(r"echo[ \t]+(?P<q>[\"']?)::add-path::(?P<value>.*?)(?P=q)[ \t]*$")


def _target(file: str, shell: str | None) -> str:
    if shell == "pwsh":
        return f"$env:{file}"
    if shell == "cmd":
        return f"%{file}%"
    return f'"${file}"'


def rewrite(analysis: Analysis, finding: Finding) -> list[Fix]:
    """The rewrite of one deprecated command to its environment file, when it is safe."""
    data = finding.data
    cmd, file, shell = data.get("command"), data.get("file"), data.get("shell")
    if not isinstance(cmd, str) or not isinstance(file, str) or data.get("style") not in ("|", ""):
        return []
    known = shell if isinstance(shell, str) else None
    text = analysis.text
    at = finding.span.start.offset
    begin = line_start(text, at)
    stop = len(text)
    for brk in ("\n", "\r"):
        pos = text.find(brk, at)
        if pos >= 0:
            stop = min(stop, pos)
    line = text[begin:stop]
    echo = line.rfind("echo", 0, at - begin + 1)
    if echo < 0:
        return []
    m = (_ECHO_PATH if cmd == "add-path" else _ECHO).match(line, echo)
    if m is None or (cmd != "add-path" and m.group("cmd") != cmd):
        return []
    payload = m.group("value") if cmd == "add-path" else f"{m.group('name')}={m.group('value')}"
    if not payload or (data.get("style") == "" and (" #" in payload or ": " in payload)):
        return []
    q = "" if known == "cmd" else m.group("q") or '"'
    where = _target(file, known)
    gap = "" if known == "cmd" else " "  # cmd's echo would write the space into the file
    edit = TextEdit(begin + m.start(), begin + m.end(), f"echo {q}{payload}{q}{gap}>> {where}")
    return [
        Fix(
            f"Append to {where} instead of ::{cmd}",
            (edit,),
            finding.rule,
            preferred=known is not None,
            data={"file": file},
        )
    ]
