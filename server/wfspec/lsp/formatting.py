"""Document formatting with a ruamel.yaml round trip: consistent indentation (mappings by the
editor's tab size, sequences indented under their key), comments kept, line breaks kept.

Scalars keep their quoting as written: removing quotes can change what a YAML 1.1 reader sees
(``'1.0'``, ``'yes'``, ``'012'``). The formatter refuses (answers no edits) when the document has
syntax errors, when ruamel cannot round-trip it, or when the result would not load to the same
data or would lose a comment. Edits are per changed line run, so the cursor stays put.

The result keeps the document's byte order mark and line endings: the ending it uses most
(``\r\n``, ``\r`` or ``\n``) for every line, so a second run changes nothing.
"""

from __future__ import annotations

import difflib
import io
import logging

from lsprotocol import types

from wfspec.fsio import newline_of, with_newlines
from wfspec.lsp.documents import TextDocument, line_starts
from wfspec.lsp.state import WfspecServer

log = logging.getLogger("wfspec.lsp")


def format_text(text: str, indent: int = 2) -> str | None:
    """The formatted text, or None when it cannot be formatted safely."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    indent = min(max(indent, 2), 8)
    rt = YAML(typ="rt")
    rt.indent(mapping=indent, sequence=indent + 2, offset=indent)
    rt.width = 4096
    rt.preserve_quotes = True
    rt.allow_duplicate_keys = False
    body = text[1:] if text.startswith("\ufeff") else text
    first = next(
        (ln.strip() for ln in body.splitlines() if ln.strip() and not ln.lstrip().startswith("#")), ""
    )
    rt.explicit_start = first.startswith("---")
    try:
        data = rt.load(body)
        if data is None:
            return None
        out = io.StringIO()
        rt.dump(data, out)
        result = out.getvalue()
        safe = YAML(typ="safe", pure=True)
        if safe.load(body) != safe.load(result):
            log.warning("formatting would change the data; refused")
            return None
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        log.info("cannot format: %s", exc)
        return None
    if _comment_count(result) < _comment_count(body):
        log.warning("formatting would drop a comment; refused")
        return None
    result = with_newlines(result, newline_of(text))
    if not text.endswith(("\n", "\r")):
        result = result.rstrip("\r\n")
    if text.startswith("\ufeff"):
        result = "\ufeff" + result
    return result


def _comment_count(text: str) -> int:
    from wfspec.syntax.parse import parse

    return len(parse(text).comments)


def _lines(text: str) -> list[str]:
    """Lines with their breaks, split the way LSP counts lines."""
    starts = [0, *line_starts(text)]
    out = [text[s:e] for s, e in zip(starts, starts[1:] + [len(text)], strict=True)]
    return out if out[-1] else out[:-1]


def line_edits(old: str, new: str) -> list[types.TextEdit]:
    """Minimal whole-line edits turning ``old`` into ``new``."""
    a = _lines(old)
    b = _lines(new)
    doc = TextDocument("", old)

    def pos(i: int) -> types.Position:
        if i < len(a):
            return types.Position(line=i, character=0)
        line, char = doc.position_at(len(old))
        return types.Position(line=line, character=char)

    edits: list[types.TextEdit] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append(
            types.TextEdit(range=types.Range(start=pos(i1), end=pos(i2)), new_text="".join(b[j1:j2]))
        )
    return edits


async def formatting(ls: WfspecServer, params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
    uri = params.text_document.uri
    snap = await ls.snapshot(uri)
    if snap is None:
        return None
    analysis = snap.analysis
    if analysis.doc.has_syntax_error or analysis.doc.root is None:
        log.info("not formatting %s: it has syntax errors", uri)
        return None
    tab = params.options.tab_size if params.options is not None else 2
    new = format_text(analysis.text, int(tab))
    if not ls.is_current(snap):  # formatting edits carry no version: offer them for this text only
        return None
    if new is None or new == analysis.text:
        return [] if new is not None else None
    return line_edits(analysis.text, new)
