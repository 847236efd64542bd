"""Quick fixes of the GitHub Actions security rules.

``script-injection``: move the expression into the step's ``env:`` (a new key, or the existing
mapping) and use the variable in the script, quoted for where the expression stood: ``"$VAR"``
in a shell script (``'"$VAR"'`` inside single quotes), ``$env:VAR`` in PowerShell,
``process.env.VAR`` in github-script. When the expression already reads ``env.X``, only the
script changes. Preferred (applied by ``check --fix``) where the result means the same text:
shell scripts, and JavaScript string literals; an expression written as JavaScript code is
offered, not applied. A fix whose result would not parse is not offered.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from wfspec.dialects.github import security
from wfspec.dialects.github.nodes import as_map, entries, get, text
from wfspec.findings import Finding
from wfspec.fixes import Fix, TextEdit, apply_edits, content_end
from wfspec.fsio import newline_of
from wfspec.syntax.parse import parse
from wfspec.syntax.tree import MapNode, ScalarNode, line_end, line_start

if TYPE_CHECKING:
    from wfspec.analysis.engine import Analysis

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_POSIX = ("bash", "sh")


def _shell(analysis: Analysis, job: security.JobFacts, step: security.StepFacts) -> str | None:
    """The shell of a run step: its ``shell``, the job's or workflow's ``defaults.run.shell``, else
    bash (pwsh on a Windows runner). None when it cannot be told."""
    s = text(get(step.mapping, "shell"))
    if s is not None:
        return s.split()[0].lower() if s.strip() else None
    for owner in (job.mapping, as_map(analysis.doc.root)):
        run = as_map(get(as_map(get(owner, "defaults")), "run")) if owner is not None else None
        s = text(get(run, "shell")) if run is not None else None
        if s is not None:
            return s.split()[0].lower() if s.strip() else None
    runs_on = get(job.mapping, "runs-on") if job.mapping is not None else None
    labels = text(runs_on) or ""
    if "${{" in labels:
        return None
    if "windows" in labels.lower():
        return "pwsh"
    return "bash"


def _quote_state(src: str, js: bool) -> str:
    """The quote ``src`` ends inside: ``'``, ``"``, a backtick (JavaScript) or ``""`` (none)."""
    state = ""
    i = 0
    quotes = "'\"`" if js else "'\""
    while i < len(src):
        ch = src[i]
        if ch == "\\" and state != "'" or (js and ch == "\\"):
            i += 2
            continue
        if state:
            if ch == state:
                state = ""
        elif ch in quotes:
            state = ch
        i += 1
    return state


def _use(kind: str, shell: str | None, before: str, after: str, var: str) -> tuple[str, bool, int] | None:
    """(replacement, preferred, extra code points to replace on each side) for the expression."""
    if kind == "run":
        if shell in _POSIX:
            state = _quote_state(before, js=False)
            if state == '"':
                plain = not after[:1] or not re.match(r"[A-Za-z0-9_]", after[:1])
                return (f"${var}" if plain else f"${{{var}}}"), True, 0
            if state == "'":
                if before.endswith("'") and after.startswith("'"):
                    return f'"${var}"', True, 1  # '${{ x }}' is the whole quoted word
                return f"'\"${var}\"'", True, 0
            return f'"${var}"', True, 0
        if shell in ("pwsh", "powershell"):
            if _quote_state(before, js=False) == "'":
                return None
            return f"$env:{var}", True, 0
        return None
    state = _quote_state(before, js=True)
    if state == "`":
        return f"${{process.env.{var}}}", True, 0
    if state in ("'", '"'):
        if before.endswith(state) and after.startswith(state):
            return f"process.env.{var}", True, 1  # the literal is the expression: drop its quotes
        return f"{state} + process.env.{var} + {state}", True, 0
    return f"process.env.{var}", False, 0


def _yaml_value(expression: str) -> str:
    value = f"${{{{ {expression} }}}}"
    if ": " in value or " #" in value or value.endswith(":"):
        return "'" + value.replace("'", "''") + "'"
    return value


def _indent_at(t: str, offset: int) -> str:
    return " " * (offset - line_start(t, offset))


def _env_edit(
    analysis: Analysis, step: MapNode, var: str, expression: str
) -> tuple[TextEdit | None, str] | None:
    """(edit adding ``var`` to the step's env, or None when it is there already; the name used)."""
    t = analysis.text
    nl = newline_of(t)
    env = get(step, "env")
    value = _yaml_value(expression)
    if isinstance(env, MapNode):
        taken = {k.value: v for k, v in entries(env)}
        name, n = var, 2
        while name in taken:
            v = taken[name]
            if isinstance(v, ScalarNode) and v.value.replace(" ", "") == value.strip("'").replace(" ", ""):
                return None, name
            name, n = f"{var}_{n}", n + 1
        if env.flow:
            close = env.end_offset - 1
            if t[close : close + 1] != "}":
                return None
            sep = ", " if env.pairs else ""
            quoted = value if value.startswith("'") else "'" + value.replace("'", "''") + "'"
            return TextEdit(close, close, f"{sep}{name}: {quoted}"), name  # braces end a plain scalar
        if not env.pairs:
            return None
        last_key, last_val = env.pairs[-1]
        end = line_end(t, max(content_end(last_val) - 1, last_key.end_offset))
        line = f"{_indent_at(t, last_key.start_offset)}{name}: {value}{nl}"
        if end == len(t) and not t.endswith(("\n", "\r")):
            line = nl + line.rstrip("\r\n")
        return TextEdit(end, end, line), name
    if env is not None and not (
        isinstance(env, ScalarNode) and env.is_null and env.end_offset == env.start_offset
    ):
        return None  # ``env: ${{ fromJSON(...) }}`` or an empty ``env:``: leave it to the author
    if env is not None or step.flow or not step.pairs:
        return None
    first = step.pairs[0][0]
    ind = _indent_at(t, first.start_offset)
    end = line_end(t, max(content_end(step) - 1, first.end_offset))
    block = f"{ind}env:{nl}{ind}  {var}: {value}{nl}"
    if end == len(t) and not t.endswith(("\n", "\r")):
        block = nl + block.rstrip("\r\n")
    return TextEdit(end, end, block), var


def script_injection(analysis: Analysis, finding: Finding) -> list[Fix]:
    wf = analysis.workflow
    nid = finding.data.get("node")
    expression = finding.data.get("expression")
    var = finding.data.get("env")
    kind = finding.data.get("kind")
    if wf is None or not isinstance(nid, str) or not isinstance(expression, str) or not isinstance(var, str):
        return []
    found = next(
        ((jf, st) for jf in security.jobs(wf) for st in jf.steps if st.node.id == nid),
        None,
    )
    if found is None or not _IDENT.match(var) or not isinstance(kind, str):
        return []
    job, step = found
    script = step.run if kind == "run" else get(step.with_, "script") if step.with_ is not None else None
    if not isinstance(script, ScalarNode) or script.style not in ("", "|", ">"):
        return []  # quoted YAML scalars escape what the shell sees: leave them to the author
    t = analysis.text
    start, end = finding.span.start.offset, finding.span.end.offset
    if not (t.startswith("${{", start) and t[:end].endswith("}}")) or "\n" in t[start:end]:
        return []
    edits: list[TextEdit] = []
    name = var
    if not finding.data.get("via_env"):
        made = _env_edit(analysis, step.mapping, var, expression)
        if made is None:
            return []
        env_edit, name = made
        if env_edit is not None:
            edits.append(env_edit)
    shell = _shell(analysis, job, step) if kind == "run" else None
    use = _use(kind, shell, t[script.start_offset : start], t[end : script.end_offset], name)
    if use is None:
        return []
    replacement, preferred, widen = use
    edits.append(TextEdit(start - widen, end + widen, replacement))
    if parse(apply_edits(t, edits)).has_syntax_error:
        return []  # an odd layout the edits do not fit: better no fix than a broken file
    source = finding.data.get("sources")
    shown = source[0] if isinstance(source, list) and source else expression
    title = (
        f'Use "{name}" from the environment instead of expanding it into the script'
        if finding.data.get("via_env")
        else f'Pass "{shown}" through env "{name}"'
    )
    return [Fix(title, tuple(edits), finding.rule, preferred=preferred, data={"env": name})]
