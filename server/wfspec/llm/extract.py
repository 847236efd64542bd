"""Pull YAML (or JSON) out of model answers.

Model output is untrusted input: it is only ever parsed as data (``json.loads`` and the safe
YAML parser of :mod:`wfspec.syntax`), never executed or evaluated. Answers come in many shapes:
a JSON object from schema-constrained output (``{"yaml": "..."}``), a fenced block with prose
around it, bare YAML after a sentence of chatter, or JSON inside a fence.
"""

from __future__ import annotations

import json
import re
from typing import Any

from wfspec.syntax.parse import parse
from wfspec.syntax.tree import MapNode, SeqNode

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.S)
#: keys under which a JSON answer may carry its YAML
YAML_KEYS = ("yaml", "tasks_yaml", "spec", "workflow", "replacement", "code", "content", "text")
#: a line that plausibly starts YAML: a key, a list item, a document marker or a comment
_YAML_START = re.compile(r"^(?:---\s*$|#|- |-$|[A-Za-z_$\"'][\w$\"'./-]*:(?:\s|$))")


def strip_think(text: str) -> str:
    """Drop ``<think>...</think>`` reasoning blocks some models emit."""
    return re.sub(r"<think>.*?</think>", "", text, flags=re.S | re.I).strip()


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """Every fenced code block as (language, body), in order (an unclosed last fence counts)."""
    return [(m.group(1).lower(), m.group(2)) for m in _FENCE.finditer(text)]


def extract_json(text: str) -> Any | None:
    """The first JSON value (object or array) in ``text``: the whole text, a fenced block or the
    first balanced ``{...}``/``[...]`` span. None when there is none."""
    text = strip_think(text)
    candidates = [text.strip()]
    candidates += [body.strip() for lang, body in fenced_blocks(text) if lang in ("", "json", "jsonc")]
    for c in candidates:
        try:
            return json.loads(c)
        except (ValueError, RecursionError):
            pass
    for opener in ("{", "["):
        start = text.find(opener)
        while start >= 0:
            end = _balanced_end(text, start)
            if end is not None:
                try:
                    return json.loads(text[start:end])
                except (ValueError, RecursionError):
                    pass
            start = text.find(opener, start + 1)
    return None


def _balanced_end(text: str, start: int) -> int | None:
    """End offset of the bracketed JSON value starting at ``start`` (strings respected)."""
    depth = 0
    in_str = False
    esc = False
    for i in range(start, min(len(text), start + 200_000)):
        ch = text[i]
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
            continue
        if ch == '"':
            in_str = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _is_yamlish(text: str) -> bool:
    """True when ``text`` parses as YAML into a mapping or a sequence (not a lone scalar)."""
    if not text.strip():
        return False
    doc = parse(text)
    return not doc.has_syntax_error and isinstance(doc.root, (MapNode, SeqNode))


def _bare_yaml(text: str) -> str | None:
    """The longest YAML-looking run of lines in prose. A run starts at a line that looks like
    YAML and ends before unindented prose; it shrinks from the end (a few lines at most) until
    it parses. The run with the most lines wins, so ``Note: ...`` chatter loses to the spec."""
    lines = text.splitlines()
    best: str | None = None
    best_len = 0
    i = 0
    while i < len(lines):
        if not _YAML_START.match(lines[i]):
            i += 1
            continue
        tail = lines[i:]
        end = len(tail)
        for j in range(1, len(tail)):
            ln = tail[j]
            if ln and not ln[0].isspace() and not _YAML_START.match(ln):
                end = j
                break
        found = 0
        for cut in range(end, max(0, end - 20), -1):
            chunk = "\n".join(tail[:cut]).rstrip() + "\n"
            if _is_yamlish(chunk):
                found = cut
                if cut > best_len:
                    best, best_len = chunk, cut
                break
        i += max(found, 1)
    return best


def extract_yaml(answer: str) -> str | None:
    """The YAML a model answer carries, or None. Order: a JSON object with a YAML-bearing key,
    a fenced YAML block, any fenced block that parses, the whole answer, bare YAML in prose."""
    if not answer or not answer.strip():
        return None
    text = strip_think(answer)
    data = extract_json(text)
    if isinstance(data, dict):
        for key in YAML_KEYS:
            val = data.get(key)
            if isinstance(val, str) and val.strip():
                inner = extract_yaml(val) if "```" in val else val
                if inner and _is_yamlish(inner):
                    return _ensure_newline(inner)
    blocks = fenced_blocks(text)
    for lang, body in blocks:
        if lang in ("yaml", "yml") and _is_yamlish(body):
            return _ensure_newline(body)
    for lang, body in blocks:
        if lang not in ("json", "jsonc") and _is_yamlish(body):
            return _ensure_newline(body)
    if "```" not in text and data is None and _is_yamlish(text) and not _looks_like_prose(text):
        return _ensure_newline(text)
    bare = _bare_yaml(text.replace("```", ""))
    return _ensure_newline(bare) if bare else None


def _looks_like_prose(text: str) -> bool:
    first = text.strip().splitlines()[0]
    return not _YAML_START.match(first)


def _ensure_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"
