"""``run:`` scripts handed to shellcheck and pyflakes, with their findings mapped back into the YAML.

A script's ``${{ }}`` expressions become underscores of the same length first (so shellcheck
reads no ``$`` of ours and every column stays where it was). Positions map back exactly for a
literal block scalar (``|``), a single-line plain scalar and a single-line quoted scalar without
escapes; any other form maps every finding to the start of the scalar. The tools are optional:
when one is not installed, :func:`shellcheck` and :func:`pyflakes` answer nothing. shellcheck runs
as a child process (never through a shell) with a timeout and a bounded script and output;
pyflakes runs in-process on a bounded script (it only parses, never executes). Results are
cached by script text, so an editor re-checks only the scripts that changed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from wfspec.syntax.tree import LineIndex, ScalarNode, Span

MAX_SCRIPT = 64 * 1024
MAX_OUTPUT = 256 * 1024
TIMEOUT_S = 5.0
#: rules the placeholders and the runner's environment make meaningless (as actionlint does)
SHELLCHECK_EXCLUDE = "SC1091,SC2050,SC2194,SC2154,SC2157,SC2043"
_EXPR = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
_CACHE: dict[tuple[str, str], tuple[tuple[int, int, str, str], ...]] = {}
MAX_CACHED = 8192


@dataclass(frozen=True, slots=True)
class Issue:
    """One tool finding: where in the YAML, the tool's code and its message."""

    span: Span
    code: str
    message: str


def placeholder(script: str) -> str:
    """``script`` with each ``${{ ... }}`` replaced by underscores of the same length."""
    return _EXPR.sub(lambda m: "_" * len(m.group(0)), script)


def _locator(node: ScalarNode, text: str, lines: LineIndex) -> tuple[int, int] | None:
    """(first document line, column offset) of the script's first character, when each script
    line maps onto one document line at a fixed column; None otherwise."""
    raw = text[node.start_offset : node.end_offset]
    if node.style == "|":
        first = lines.position(node.start_offset).line + 1
        body = raw.split("\n")[1:]
        indents = [len(ln) - len(ln.lstrip(" ")) for ln in body if ln.strip()]
        if not indents:
            return None
        indent = min(indents)
        rebuilt = "\n".join(ln[indent:] for ln in body)
        if not rebuilt.startswith(node.value.rstrip("\n")):
            return None
        return first, indent
    if "\n" in raw:
        return None
    pos = lines.position(node.start_offset)
    if node.style == "" and raw == node.value:
        return pos.line, pos.character
    if node.style in ("'", '"') and raw[1:-1] == node.value:
        return pos.line, pos.character + 1
    return None


def _map(
    node: ScalarNode, text: str, lines: LineIndex, found: tuple[tuple[int, int, str, str], ...]
) -> list[Issue]:
    loc = _locator(node, text, lines)
    out: list[Issue] = []
    for line, col, code, message in found:
        if loc is None:
            span = lines.span(node.start_offset, node.start_offset)
        else:
            start = lines.at(loc[0] + line - 1, loc[1] + col - 1)
            span = Span(start, start)
        out.append(Issue(span, code, message))
    return out


def _remember(key: tuple[str, str], value: tuple[tuple[int, int, str, str], ...]) -> None:
    if len(_CACHE) >= MAX_CACHED:
        _CACHE.clear()
    _CACHE[key] = value


def shellcheck_path() -> str | None:
    """The shellcheck executable: next to this Python (a virtual environment's), else on PATH."""
    beside = Path(sys.executable).parent / ("shellcheck.exe" if os.name == "nt" else "shellcheck")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("shellcheck")


def _run_shellcheck(exe: str, script: str, shell: str) -> tuple[tuple[int, int, str, str], ...]:
    try:
        proc = subprocess.run(  # noqa: S603 - a fixed argument list, no shell
            [exe, "--norc", "-f", "json1", "-s", shell, "-e", SHELLCHECK_EXCLUDE, "-"],
            input=script.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ()
    if len(proc.stdout) > MAX_OUTPUT:
        return ()
    try:
        data = json.loads(proc.stdout.decode("utf-8", "replace") or "{}")
    except ValueError:
        return ()
    return tuple(x for found in _comments(data).values() for x in found)


#: scripts per shellcheck process when many are checked at once (one process per script costs
#: milliseconds each: thousands of steps would take seconds)
BATCH = 256


def _comments(data: object) -> dict[str, list[tuple[int, int, str, str]]]:
    """shellcheck's json1 comments per file name."""
    out: dict[str, list[tuple[int, int, str, str]]] = {}
    for c in data.get("comments", []) if isinstance(data, dict) else []:
        try:
            out.setdefault(str(c["file"]), []).append(
                (int(c["line"]), int(c["column"]), f"SC{int(c['code'])}", f"{c['level']}: {c['message']}")
            )
        except (KeyError, TypeError, ValueError):
            continue
    return out


def _run_shellcheck_many(
    exe: str, scripts_: list[str], shell: str
) -> dict[str, tuple[tuple[int, int, str, str], ...]]:
    """shellcheck's findings for each of ``scripts_`` (placeholders already in), from one process:
    each script is a file of its own in a private temporary directory. A script whose run fails
    gets no entry (the caller checks it alone)."""
    import tempfile  # noqa: PLC0415

    out: dict[str, tuple[tuple[int, int, str, str], ...]] = {}
    with tempfile.TemporaryDirectory(prefix="wfspec-sc-") as tmp:
        names = []
        for i, script in enumerate(scripts_):
            name = f"s{i}.sh"
            Path(tmp, name).write_text(script, encoding="utf-8")
            names.append(name)
        try:
            proc = subprocess.run(  # noqa: S603 - a fixed argument list, no shell
                [exe, "--norc", "-f", "json1", "-s", shell, "-e", SHELLCHECK_EXCLUDE, *names],
                cwd=tmp,
                capture_output=True,
                timeout=TIMEOUT_S * 4,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return out
        if len(proc.stdout) > MAX_OUTPUT * 8:
            return out
        try:
            data = json.loads(proc.stdout.decode("utf-8", "replace") or "{}")
        except ValueError:
            return out
        found = _comments(data)
        for name, script in zip(names, scripts_, strict=True):
            out[script] = tuple(found.get(name, ()))
    return out


def prefetch_shellcheck(work: list[tuple[str, str]]) -> None:
    """Check every (script, shell) of ``work`` that is not cached yet, a batch of scripts per
    shellcheck process, so that :func:`shellcheck` then answers from the cache."""
    exe = shellcheck_path()
    if exe is None:
        return
    todo: dict[str, list[str]] = {}
    for script, shell in work:
        if len(script) > MAX_SCRIPT or ("sh:" + shell, script) in _CACHE or "${{" in placeholder(script):
            continue
        group = todo.setdefault(shell, [])
        if script not in group:
            group.append(script)
    jobs = [
        (shell, group[i : i + BATCH])
        for shell, group in todo.items()
        if len(group) > 1  # one script: the plain path is as fast
        for i in range(0, len(group), BATCH)
    ]
    if not jobs:
        return
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    def run(job: tuple[str, list[str]]) -> dict[str, tuple[tuple[int, int, str, str], ...]]:
        return _run_shellcheck_many(exe, [placeholder(x) for x in job[1]], job[0])

    with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 1))) as pool:
        results = list(pool.map(run, jobs))  # the processes run side by side
    for (shell, chunk), got in zip(jobs, results, strict=True):
        for script in chunk:
            found = got.get(placeholder(script))
            if found is not None:
                _remember(("sh:" + shell, script), found)


def shellcheck(node: ScalarNode, shell: str, text: str, lines: LineIndex) -> list[Issue]:
    """shellcheck's findings on the script of ``node`` run by ``shell`` (``bash`` or ``sh``)."""
    script = node.value
    if len(script) > MAX_SCRIPT:
        return []
    exe = shellcheck_path()
    if exe is None or "${{" in placeholder(script):  # an unclosed expression: the expression rule's
        return []
    key = ("sh:" + shell, script)
    found = _CACHE.get(key)
    if found is None:
        found = _run_shellcheck(exe, placeholder(script), shell)
        _remember(key, found)
    return _map(node, text, lines, found)


def _run_pyflakes(script: str) -> tuple[tuple[int, int, str, str], ...]:
    try:
        from pyflakes import checker  # noqa: PLC0415 - optional dependency
    except ImportError:
        return ()
    import ast  # noqa: PLC0415

    try:
        tree = ast.parse(script, filename="<run>")
    except (SyntaxError, ValueError) as e:
        line = getattr(e, "lineno", None) or 1
        col = getattr(e, "offset", None) or 1
        return ((int(line), int(col), "syntax", f"syntax error: {getattr(e, 'msg', str(e))}"),)
    out: list[tuple[int, int, str, str]] = []
    for m in checker.Checker(tree, filename="<run>").messages:
        text = m.message % m.message_args
        if "undefined name '_" in text and set(str(m.message_args[0])) == {"_"}:
            continue  # a placeholder of an expression
        out.append((int(m.lineno), int(getattr(m, "col", 0)) + 1, type(m).__name__, text))
    return tuple(sorted(out))


def pyflakes_available() -> bool:
    try:
        import pyflakes  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


def pyflakes(node: ScalarNode, text: str, lines: LineIndex) -> list[Issue]:
    """pyflakes' findings on the Python script of ``node``."""
    script = node.value
    if len(script) > MAX_SCRIPT or not pyflakes_available() or "${{" in placeholder(script):
        return []
    key = ("py", script)
    found = _CACHE.get(key)
    if found is None:
        found = _run_pyflakes(placeholder(script))
        _remember(key, found)
    return _map(node, text, lines, found)
