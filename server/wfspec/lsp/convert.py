"""The single bridge between wfspec's spans, findings and edits and lsprotocol types.

wfspec positions are (line, UTF-16 character, code-point offset); the server negotiates UTF-16
with every client, so a :class:`~wfspec.syntax.tree.Span` maps to a ``Range`` field by field.
Offsets (fix edits, computed ranges) go through the analyzed document's line index.

Every workspace edit the server returns or sends is built here (:func:`workspace_edit`), each
document's edits tagged with the version they were computed for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lsprotocol import types

from wfspec.findings import Finding
from wfspec.fixes import TextEdit
from wfspec.syntax.tree import LineIndex, Position, Span

SOURCE = "wfspec"

_SEVERITY = {
    1: types.DiagnosticSeverity.Error,
    2: types.DiagnosticSeverity.Warning,
    3: types.DiagnosticSeverity.Information,
    4: types.DiagnosticSeverity.Hint,
}
_TAGS = {"unnecessary": types.DiagnosticTag.Unnecessary, "deprecated": types.DiagnosticTag.Deprecated}


def position(p: Position) -> types.Position:
    return types.Position(line=p.line, character=p.character)


def range_of(span: Span) -> types.Range:
    """The LSP range of a span."""
    return types.Range(start=position(span.start), end=position(span.end))


def range_at(index: LineIndex, start: int, end: int) -> types.Range:
    """The LSP range of code-point offsets ``[start, end)`` in an analyzed text."""
    return range_of(index.span(start, end))


def offset(index: LineIndex, pos: types.Position) -> int:
    """Code-point offset of an LSP position in an analyzed text."""
    return index.offset_of(pos.line, pos.character)


def span_of(index: LineIndex, rng: types.Range) -> Span:
    """The span of an LSP range in an analyzed text."""
    return index.span(offset(index, rng.start), offset(index, rng.end))


def text_edit(index: LineIndex, edit: TextEdit) -> types.TextEdit:
    """An LSP edit from a fix edit (code-point offsets of the analyzed text)."""
    return types.TextEdit(range=range_at(index, edit.start, edit.end), new_text=edit.new_text)


def text_edits(index: LineIndex, edits: Iterable[TextEdit]) -> list[types.TextEdit]:
    return [text_edit(index, e) for e in sorted(edits, key=lambda e: (e.start, e.end))]


def workspace_edit(
    documents: Iterable[tuple[str, int | None, Sequence[types.TextEdit]]], document_changes: bool
) -> types.WorkspaceEdit:
    """The workspace edit of ``(uri, version, edits)`` per document, the version being the one
    the edits were computed for (None: a file that is not open, read from disk).

    With ``document_changes`` (the client announces ``workspace.workspaceEdit.documentChanges``)
    each document's edits are a ``TextDocumentEdit`` whose
    ``OptionalVersionedTextDocumentIdentifier`` carries that version, so the client refuses
    them for any other version; clients without it get the plain ``changes`` map."""
    docs = [(uri, version, list(edits)) for uri, version, edits in documents]
    if document_changes:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                    edits=list(edits),
                )
                for uri, version, edits in docs
            ]
        )
    changes: dict[str, list[types.TextEdit]] = {}
    for uri, _, edits in docs:
        changes.setdefault(uri, []).extend(edits)
    return types.WorkspaceEdit(changes=changes)


@dataclass(frozen=True, slots=True)
class DiagnosticSupport:
    """Which optional diagnostic fields the client understands."""

    related_information: bool = True
    tags: frozenset[int] = frozenset({1, 2})
    code_description: bool = False
    data: bool = True


def diagnostic(
    finding: Finding,
    uri: str,
    support: DiagnosticSupport,
    docs_url: str | None = None,
) -> types.Diagnostic:
    """The LSP diagnostic of a finding. ``data`` carries the rule and the finding's span so a
    code action request can find the finding again."""
    related = None
    if support.related_information and finding.related:
        related = [
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=r.uri or uri, range=range_of(r.span)), message=r.message
            )
            for r in finding.related
        ]
    tags = [_TAGS[t] for t in finding.tags if t in _TAGS and _TAGS[t].value in support.tags] or None
    code_description = None
    if docs_url and support.code_description:
        code_description = types.CodeDescription(href=f"{docs_url.rstrip('#')}#{finding.rule}")
    return types.Diagnostic(
        range=range_of(finding.span),
        severity=_SEVERITY.get(int(finding.severity), types.DiagnosticSeverity.Error),
        code=finding.rule,
        code_description=code_description,
        source=SOURCE,
        message=finding.message,
        related_information=related,
        tags=tags,
        data={"rule": finding.rule, "start": finding.span.start.offset, "end": finding.span.end.offset}
        if support.data
        else None,
    )


def same_place(d: types.Diagnostic, f: Finding) -> bool:
    """True when an LSP diagnostic (as a client sends it back) describes finding ``f``."""
    data = d.data if isinstance(d.data, dict) else None
    if data is not None and "rule" in data:
        return (
            data.get("rule") == f.rule
            and data.get("start") == f.span.start.offset
            and data.get("end") == f.span.end.offset
        )
    r = d.range
    s, e = f.span.start, f.span.end
    return d.code == f.rule and (r.start.line, r.start.character, r.end.line, r.end.character) == (
        s.line,
        s.character,
        e.line,
        e.character,
    )
