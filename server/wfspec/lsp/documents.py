"""Open documents: text, version, and incremental edits in LSP coordinates.

The server keeps its own copy of every open document instead of pygls' workspace: line breaks
are exactly LSP's (``\\n``, ``\\r\\n``, ``\\r``; not ``str.splitlines``' extras such as U+2028),
positions are UTF-16, and the line table is patched around each edit rather than rebuilt, so a
keystroke in a 5,000-task file costs a string splice and a short rescan.

Each document counts its edits (:attr:`TextDocument.generation`): a client that sends the same
version twice still gives two generations, so an analysis is matched to its text, not only to
its version. A document whose copy may differ from the client's (an edit could not be applied)
is marked out of sync until the client sends its whole text again.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from wfspec.syntax.tree import line_starts, line_text, patch_line_starts

__all__ = ["TextDocument", "line_starts"]


@dataclass(slots=True)
class TextDocument:
    """One open document. Offsets are code points; positions are (line, UTF-16 unit)."""

    uri: str
    text: str
    version: int = 0
    language_id: str = ""
    starts: list[int] = field(default_factory=list)
    #: how many edits were applied since the document was opened
    generation: int = 0
    #: False once an edit could not be applied: the text may differ from the client's
    in_sync: bool = True

    def __post_init__(self) -> None:
        self.starts = [0, *line_starts(self.text)]

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_text(self, line: int) -> str:
        """The text of ``line`` without its line break ('' when out of range)."""
        return line_text(self.text, self.starts, line)

    def offset_at(self, line: int, character: int) -> int:
        """Code-point offset of an LSP position; a character past the line end means the end of
        the line, a line past the end means the end of the text."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        s = self.starts[line]
        content = self.line_text(line)
        if content.isascii():
            return s + min(max(character, 0), len(content))
        units = 0
        for i, ch in enumerate(content):
            if units >= character:
                return s + i
            units += 2 if ord(ch) > 0xFFFF else 1
            if units > character:  # inside a surrogate pair: stay before it
                return s + i
        return s + len(content)

    def position_at(self, offset: int) -> tuple[int, int]:
        """(line, UTF-16 character) of a code-point offset (clamped)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset) - 1
        head = self.text[self.starts[line] : offset]
        if head.isascii():
            return line, len(head)
        return line, len(head) + sum(1 for ch in head if ord(ch) > 0xFFFF)

    def replace(self, start: int, end: int, new_text: str) -> None:
        """Replace code points ``[start, end)`` with ``new_text`` and patch the line table."""
        old = self.text
        start = max(0, min(start, len(old)))
        end = max(start, min(end, len(old)))
        self.generation += 1
        self.text = text = old[:start] + new_text + old[end:]
        self.starts = patch_line_starts(self.starts, text, start, end, len(new_text) - (end - start))

    def apply_change(self, rng: tuple[int, int, int, int] | None, new_text: str) -> None:
        """Apply one ``didChange`` content change: a (start line, start character, end line,
        end character) range in UTF-16 units, or None for the whole text."""
        if rng is None:
            self.generation += 1
            self.in_sync = True  # the client's whole text: both copies agree again
            self.text = new_text
            self.starts = [0, *line_starts(new_text)]
            return
        sl, sc, el, ec = rng
        if max(sl, el) > len(self.starts) or min(sl, sc, el, ec) < 0:
            # a line this copy does not have (the one just past the end is taken as the end,
            # as some clients address it): the client's text is not this one
            self.in_sync = False
        start = self.offset_at(sl, sc)
        end = self.offset_at(el, ec)
        if end < start:
            start, end = end, start
        self.replace(start, end, new_text)
