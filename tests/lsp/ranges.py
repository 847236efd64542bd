"""Range checks for everything the language server returns, as VS Code applies them.

VS Code rejects a whole response for one bad range, so every protocol test runs these checks.
What VS Code itself enforces (``src/vs/workbench/api/common/extHostTypes.ts`` and
``extHostLanguageFeatures.ts``):

- ``DocumentSymbol.validate``: ``name`` not falsy, ``range.contains(selectionRange)``, recursively
  for children (it throws "selectionRange must be contained in fullRange" and the whole
  ``textDocument/documentSymbol`` response is lost);
- ``SelectionRange``: each parent contains its child, and the innermost contains the requested
  position ("INVALID selection range, must contain the previous range"); one result per position;
- ``Position``: line and character not negative; applying text edits: no two edits overlap
  ("Overlapping ranges are not allowed!");
- a completion item's range: single-line, on the line of the request, containing the position
  (the suggest widget drops the item otherwise; the LSP specification requires it too).

On top of that, this module holds the server to what the protocol means: every range starts no
later than it ends and lies inside the document it points into (lines and UTF-16 columns);
folding ranges run over existing lines, start line <= end line; semantic tokens decode to
non-empty, non-overlapping tokens inside their lines; a document symbol's children lie inside
its range (the Outline and breadcrumbs find the symbol at the cursor by containment); related
diagnostic information points into its own document when that document is known.

Use it two ways:

- :func:`check_result` (and the ``assert_*`` helpers) on a result in a test, given the text;
- :func:`watching` patches pytest-lsp's client protocol so that every request a test sends is
  checked against the text the client last sent for that document, and every pushed
  ``publishDiagnostics`` and server ``workspace/applyEdit`` likewise. ``tests/lsp/conftest.py``
  turns it on for the whole session, so every pytest-lsp test gets it without asking.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import attrs
from lsprotocol import types
from pytest_lsp.protocol import LanguageClientProtocol

_EOL = re.compile(r"\r\n|\r|\n")

TextOf = Callable[[str], "str | None"]


class RangeError(AssertionError):
    """A range the server returned that VS Code would reject or that points outside its text."""


def _utf16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


class Lines:
    """A document's lines with their UTF-16 lengths (what LSP positions count)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lengths = [_utf16(line) for line in _EOL.split(text)]

    def check_position(self, p: types.Position, what: str) -> None:
        if p.line < 0 or p.character < 0:
            raise RangeError(f"{what}: negative position {p}")
        if p.line >= len(self.lengths):
            raise RangeError(f"{what}: line {p.line} is past the last line {len(self.lengths) - 1}")
        if p.character > self.lengths[p.line]:
            raise RangeError(
                f"{what}: character {p.character} is past the end of line {p.line} "
                f"(length {self.lengths[p.line]})"
            )

    def check_range(self, r: types.Range, what: str) -> None:
        self.check_position(r.start, f"{what} start")
        self.check_position(r.end, f"{what} end")
        if _key(r.end) < _key(r.start):
            raise RangeError(f"{what}: range ends before it starts: {_show(r)}")


def _key(p: types.Position) -> tuple[int, int]:
    return p.line, p.character


def _show(r: types.Range) -> str:
    return f"{r.start.line}:{r.start.character}-{r.end.line}:{r.end.character}"


def contains(outer: types.Range, inner: types.Range | types.Position) -> bool:
    """``outer.contains(inner)`` as VS Code's ``Range.contains`` computes it (ends included)."""
    if isinstance(inner, types.Position):
        return _key(outer.start) <= _key(inner) <= _key(outer.end)
    return _key(outer.start) <= _key(inner.start) and _key(inner.end) <= _key(outer.end)


# -- per kind ---------------------------------------------------------------------------------


def assert_symbols(symbols: Sequence[Any] | None, text: str) -> None:
    """Document symbols (hierarchical or flat) as VS Code validates them, inside ``text``."""
    lines = Lines(text)

    def walk(sym: types.DocumentSymbol, path: str, parent: types.Range | None) -> None:
        what = f"symbol {path}"
        if not sym.name:
            raise RangeError(f"{what}: name must not be falsy")
        lines.check_range(sym.range, f"{what} range")
        lines.check_range(sym.selection_range, f"{what} selectionRange")
        if not contains(sym.range, sym.selection_range):
            raise RangeError(
                f"{what}: selectionRange must be contained in fullRange "
                f"({_show(sym.selection_range)} not in {_show(sym.range)})"
            )
        if parent is not None and not contains(parent, sym.range):
            raise RangeError(f"{what}: range {_show(sym.range)} is outside its parent's {_show(parent)}")
        for child in sym.children or []:
            walk(child, f"{path}/{child.name}", sym.range)

    for s in symbols or []:
        if isinstance(s, types.DocumentSymbol):
            walk(s, s.name, None)
        else:
            assert isinstance(s, types.SymbolInformation), s
            if not s.name:
                raise RangeError("symbol information: name must not be falsy")
            lines.check_range(s.location.range, f"symbol {s.name} location")


def assert_folding(ranges: Sequence[types.FoldingRange] | None, text: str) -> None:
    lines = Lines(text)
    last = len(lines.lengths) - 1
    for r in ranges or []:
        what = f"folding range {r.start_line}-{r.end_line}"
        if not 0 <= r.start_line <= r.end_line <= last:
            raise RangeError(f"{what}: lines must satisfy 0 <= start <= end <= {last}")
        if r.start_character is not None:
            lines.check_position(types.Position(r.start_line, r.start_character), what)
        if r.end_character is not None:
            lines.check_position(types.Position(r.end_line, r.end_character), what)


def assert_selection(
    result: Sequence[types.SelectionRange] | None, positions: Sequence[types.Position], text: str
) -> None:
    lines = Lines(text)
    if result is None:
        return
    if len(result) != len(positions):
        raise RangeError(f"selection ranges: {len(result)} results for {len(positions)} positions")
    for p, first in zip(positions, result, strict=True):
        last: types.Range | types.Position = p
        node: types.SelectionRange | None = first
        while node is not None:
            lines.check_range(node.range, "selection range")
            if not contains(node.range, last):
                raise RangeError(
                    f"INVALID selection range, must contain the previous range: {_show(node.range)}"
                )
            last = node.range
            node = node.parent


def assert_tokens(data: Sequence[int], text: str, n_types: int | None = None) -> None:
    """Semantic tokens (relative encoding) decode to non-empty tokens inside their lines."""
    lines = Lines(text)
    if len(data) % 5:
        raise RangeError(f"semantic tokens: {len(data)} integers is not a multiple of 5")
    line = char = 0
    prev_end: tuple[int, int] = (-1, -1)
    for i in range(0, len(data), 5):
        dl, dc, length, t, mods = data[i : i + 5]
        if min(dl, dc, length, t, mods) < 0:
            raise RangeError(f"semantic token {i // 5}: negative value in {data[i : i + 5]}")
        line += dl
        char = char + dc if dl == 0 else dc
        what = f"semantic token {i // 5} at {line}:{char}"
        if length == 0:
            raise RangeError(f"{what}: empty token")
        lines.check_position(types.Position(line, char + length), what)
        if (line, char) < prev_end:
            raise RangeError(f"{what}: overlaps the previous token")
        if n_types is not None and t >= n_types:
            raise RangeError(f"{what}: token type {t} is not in the legend")
        prev_end = (line, char + length)


def assert_edits(edits: Sequence[Any], text: str, what: str = "text edit") -> None:
    """Text edits lie inside ``text`` and do not overlap (VS Code refuses overlapping edits)."""
    lines = Lines(text)
    spans: list[types.Range] = []
    for e in edits:
        if isinstance(e, types.SnippetTextEdit | types.AnnotatedTextEdit | types.TextEdit):
            lines.check_range(e.range, what)
            spans.append(e.range)
    spans.sort(key=lambda r: (_key(r.start), _key(r.end)))
    for a, b in zip(spans, spans[1:], strict=False):
        if _key(b.start) < _key(a.end):
            raise RangeError(f"{what}: overlapping ranges are not allowed: {_show(a)} and {_show(b)}")


def assert_completion(result: Any, position: types.Position, text: str) -> None:
    """Completion items as the LSP specification and VS Code's suggest widget require: an
    item's edit range (``textEdit``, each of ``insert``/``replace``, the list's default
    ``editRange``) is single-line, on the line of the request, and contains the position (VS Code
    drops an item whose range is not); additional edits lie in the document and do not overlap
    the main one."""
    lines = Lines(text)
    items = result.items if isinstance(result, types.CompletionList) else list(result or [])

    def edit_range(r: types.Range, what: str) -> None:
        lines.check_range(r, what)
        if r.start.line != r.end.line or r.start.line != position.line:
            raise RangeError(f"{what}: must be single line and on the line of the request: {_show(r)}")
        if not contains(r, position):
            raise RangeError(
                f"{what}: {_show(r)} does not contain the position {position.line}:{position.character}"
            )

    ranges: list[tuple[str, types.Range]] = []
    if isinstance(result, types.CompletionList) and result.item_defaults is not None:
        d = result.item_defaults.edit_range
        if isinstance(d, types.Range):
            ranges.append(("default editRange", d))
        elif d is not None:
            ranges += [("default editRange insert", d.insert), ("default editRange replace", d.replace)]
    for item in items:
        e = item.text_edit
        what = f"completion item {item.label!r}"
        if isinstance(e, types.InsertReplaceEdit):
            ranges += [(f"{what} insert", e.insert), (f"{what} replace", e.replace)]
            main = e.replace
        elif e is not None:
            ranges.append((what, e.range))
            main = e.range
        else:
            main = None
        extra = list(item.additional_text_edits or [])
        if extra:
            assert_edits(extra, text, f"{what} additional edit")
            if main is not None:
                for x in extra:
                    if _key(x.range.start) < _key(main.end) and _key(main.start) < _key(x.range.end):
                        raise RangeError(f"{what}: an additional edit overlaps the main edit")
    for what, r in ranges:
        edit_range(r, what)


# -- any result -------------------------------------------------------------------------------


def _file_text(uri: str) -> str | None:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = Path(unquote(parsed.path))
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def check_result(
    result: Any,
    uri: str | None,
    text_of: TextOf,
    positions: Sequence[types.Position] | None = None,
) -> None:
    """Check every range in ``result``: ranges without a URI of their own point into ``uri``;
    locations, workspace edits and related information into the document they name.
    ``text_of(uri)`` gives a document's text, or None when unknown (then only the order of
    each range's ends is checked)."""

    def lines_of(u: str | None) -> Lines | None:
        if u is None:
            return None
        text = text_of(u)
        return Lines(text) if text is not None else None

    here = lines_of(uri)

    def rng(r: types.Range, where: Lines | None, what: str) -> None:
        if where is not None:
            where.check_range(r, what)
        elif _key(r.end) < _key(r.start) or min(r.start.line, r.start.character) < 0:
            raise RangeError(f"{what}: bad range {_show(r)}")

    def edits(u: str, es: Sequence[Any]) -> None:
        text = text_of(u)
        if text is not None:
            assert_edits(es, text, f"edit to {u}")
        for e in es:
            walk(e, lines_of(u), seen_edit=True)

    def walk(obj: Any, where: Lines | None, seen_edit: bool = False) -> None:
        if obj is None or isinstance(obj, str | int | float | bool):
            return
        if isinstance(obj, list | tuple):
            if obj and all(isinstance(x, types.DocumentSymbol | types.SymbolInformation) for x in obj):
                if where is not None:
                    assert_symbols(obj, where.text)
            if obj and all(isinstance(x, types.SelectionRange) for x in obj) and positions is not None:
                if where is not None:
                    assert_selection(obj, positions, where.text)
            if obj and all(isinstance(x, types.FoldingRange) for x in obj) and where is not None:
                assert_folding(obj, where.text)
            if (
                not seen_edit
                and where is not None
                and obj
                and all(isinstance(x, types.TextEdit) for x in obj)
            ):
                assert_edits(obj, where.text)
            for x in obj:
                walk(x, where, seen_edit)
            return
        if isinstance(obj, dict):
            for x in obj.values():
                walk(x, where, seen_edit)
            return
        if not attrs.has(type(obj)):
            return
        if isinstance(obj, types.Range):
            rng(obj, where, "range")
            return
        if isinstance(obj, types.Position):
            if where is not None:
                where.check_position(obj, "position")
            return
        if isinstance(obj, types.Location):
            rng(obj.range, lines_of(obj.uri), f"location in {obj.uri}")
            return
        if isinstance(obj, types.LocationLink):
            target = lines_of(obj.target_uri)
            rng(obj.target_range, target, "link target range")
            rng(obj.target_selection_range, target, "link target selection range")
            if not contains(obj.target_range, obj.target_selection_range):
                raise RangeError("location link: targetSelectionRange outside targetRange")
            if obj.origin_selection_range is not None:
                rng(obj.origin_selection_range, where, "link origin selection range")
            return
        if isinstance(obj, types.WorkspaceEdit):
            for u, es in (obj.changes or {}).items():
                edits(u, es)
            for change in obj.document_changes or []:
                if isinstance(change, types.TextDocumentEdit):
                    edits(change.text_document.uri, change.edits)
            return
        if isinstance(obj, types.SemanticTokens):
            if where is not None:
                assert_tokens(obj.data, where.text)
            return
        if isinstance(obj, types.SelectionRange):
            # reached outside a list of them: check the chain without a position
            node: types.SelectionRange | None = obj
            while node is not None:
                rng(node.range, where, "selection range")
                if node.parent is not None and not contains(node.parent.range, node.range):
                    raise RangeError("selection range: parent must contain this range")
                node = node.parent
            return
        own = getattr(obj, "uri", None)
        if isinstance(own, str) and own:
            where = lines_of(own)  # a report or notification about another document
        for field in attrs.fields(type(obj)):
            walk(getattr(obj, field.name), where, seen_edit)

    walk(result, here)


# -- every request a test makes ---------------------------------------------------------------

_TEXT_METHODS = {
    types.TEXT_DOCUMENT_DID_OPEN,
    types.TEXT_DOCUMENT_DID_CHANGE,
    types.TEXT_DOCUMENT_DID_CLOSE,
}


class Texts:
    """The documents a client has open: their text per version, as the client sent them."""

    def __init__(self) -> None:
        self.current: dict[str, str] = {}
        self.versions: dict[tuple[str, int], str] = {}

    def note(self, method: str, params: Any) -> None:
        if method == types.TEXT_DOCUMENT_DID_OPEN:
            item = params.text_document
            self.current[item.uri] = item.text
            self.versions[(item.uri, item.version)] = item.text
        elif method == types.TEXT_DOCUMENT_DID_CHANGE:
            uri = params.text_document.uri
            text = self.current.get(uri)
            if text is None:
                return
            for change in params.content_changes:
                if isinstance(change, types.TextDocumentContentChangePartial):
                    text = _apply_change(text, change.range, change.text)
                else:
                    text = change.text
            self.current[uri] = text
            self.versions[(uri, params.text_document.version)] = text
        elif method == types.TEXT_DOCUMENT_DID_CLOSE:
            self.current.pop(params.text_document.uri, None)

    def text_of(self, uri: str) -> str | None:
        return self.current.get(uri) if uri in self.current else _file_text(uri)


def _offset(text: str, p: types.Position) -> int:
    starts = [0] + [m.end() for m in _EOL.finditer(text)]
    start = starts[p.line]
    end = starts[p.line + 1] if p.line + 1 < len(starts) else len(text)
    line = text[start:end]
    units = 0
    for i, ch in enumerate(line):
        if units >= p.character:
            return start + i
        units += 2 if ord(ch) > 0xFFFF else 1
    return start + len(line)


def _apply_change(text: str, r: types.Range, new: str) -> str:
    return text[: _offset(text, r.start)] + new + text[_offset(text, r.end) :]


FAILURES: list[str] = []
"""Range errors found where no test awaits them (pushed diagnostics, server requests)."""


def _texts(protocol: LanguageClientProtocol) -> Texts:
    texts = protocol.__dict__.get("_wfspec_texts")
    if texts is None:
        texts = protocol.__dict__["_wfspec_texts"] = Texts()
    return texts


def _uri_and_positions(params: Any) -> tuple[str | None, list[types.Position] | None]:
    doc = getattr(params, "text_document", None)
    uri = getattr(doc, "uri", None)
    positions = getattr(params, "positions", None)
    return uri, list(positions) if positions is not None else None


@contextlib.contextmanager
def watching() -> Iterator[None]:
    """Check every result, pushed diagnostic and server edit of every pytest-lsp client."""
    cls = LanguageClientProtocol
    orig_notify = cls.notify
    orig_request = cls.send_request_async
    orig_notification = cls._handle_notification
    orig_handle_request = cls._handle_request

    def notify(self: LanguageClientProtocol, method: str, params: Any = None) -> None:
        if method in _TEXT_METHODS:
            _texts(self).note(method, params)
        orig_notify(self, method, params)

    async def send_request_async(
        self: LanguageClientProtocol, method: str, params: Any = None, msg_id: Any = None
    ) -> Any:
        texts = _texts(self)
        uri, positions = _uri_and_positions(params)
        snapshot = dict(texts.current)

        def text_of(u: str) -> str | None:
            return snapshot[u] if u in snapshot else _file_text(u)

        result = await orig_request(self, method, params, msg_id)
        if method == types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL_DELTA:
            return result  # edits to an earlier token array: nothing positional to check
        try:
            check_result(result, uri, text_of, positions)
            if method == types.TEXT_DOCUMENT_COMPLETION and uri is not None and result is not None:
                text = text_of(uri)
                if text is not None:
                    assert_completion(result, params.position, text)
        except RangeError as exc:
            raise RangeError(f"{method} on {uri}: {exc}") from None
        return result

    def handle_notification(self: LanguageClientProtocol, method_name: str, params: Any) -> None:
        if method_name == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS and params is not None:
            texts = _texts(self)
            uri = params.uri
            version = params.version

            def text_of(u: str) -> str | None:
                if u != uri:
                    return texts.text_of(u)
                if version is None:
                    return texts.text_of(u)
                return texts.versions.get((u, version))  # unknown version: order checks only

            try:
                check_result(list(params.diagnostics), uri, text_of)
            except RangeError as exc:
                FAILURES.append(f"publishDiagnostics on {uri}: {exc}")
        orig_notification(self, method_name, params)

    def handle_request(self: LanguageClientProtocol, msg_id: Any, method_name: str, params: Any) -> Any:
        if method_name == types.WORKSPACE_APPLY_EDIT and params is not None:
            try:
                check_result(params.edit, None, _texts(self).text_of)
            except RangeError as exc:
                FAILURES.append(f"workspace/applyEdit: {exc}")
        return orig_handle_request(self, msg_id, method_name, params)

    cls.notify = notify  # type: ignore[method-assign]
    cls.send_request_async = send_request_async  # type: ignore[method-assign]
    cls._handle_notification = handle_notification  # type: ignore[method-assign]
    cls._handle_request = handle_request  # type: ignore[method-assign]
    try:
        yield
    finally:
        cls.notify = orig_notify  # type: ignore[method-assign]
        cls.send_request_async = orig_request  # type: ignore[method-assign]
        cls._handle_notification = orig_notification  # type: ignore[method-assign]
        cls._handle_request = orig_handle_request  # type: ignore[method-assign]


def take_failures() -> list[str]:
    """The range errors recorded since the last call (and forget them)."""
    out = list(FAILURES)
    FAILURES.clear()
    return out
