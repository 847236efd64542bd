"""Completion that knows the graph: flow targets after ``then:`` (scope-correct, never the task
itself) and ``needs:``, property keys valid for the task at the cursor, enum values, ``use``
definitions after ``call:``/``raise.error``/``use:``/``retry:``/``timeout:``, expression
variables (``$secrets.``, ``$context.``, ``steps.``, ``needs.``) and snippets for each task type.

The structural context comes from the current text (:mod:`wfspec.lsp.yamlctx`, robust while
the document does not parse); names come from the newest analysis that produced a workflow, so
completion never waits for a slow analysis. Documentation of task targets is filled in by
``completionItem/resolve`` when the client resolves lazily, inline otherwise. On a comment that
reads like a request, clients without inline completion also get the "Generate steps from this
comment" item of :mod:`wfspec.lsp.ai`, but only those that run an accepted item's command
(:func:`runs_item_commands`); the others get the "Generate from comment" code action only.
"""

from __future__ import annotations

import bisect
import heapq
import re
from typing import Any

from lsprotocol import types

from wfspec.ir import TaskNode, Workflow
from wfspec.lsp import ai, yamlctx
from wfspec.lsp import vocabulary as V
from wfspec.lsp.state import Snapshot, WfspecServer

OPTIONS = types.CompletionOptions(trigger_characters=[":", " ", ".", "$", "-"], resolve_provider=True)

_SNIPPET_VAR = re.compile(r"\$\{\d+(?::([^}]*)|\|([^,|}]*)[^}]*\|)\}")


class _Client:
    """What the client can take: snippets, markdown, lazy documentation, insert modes."""

    def __init__(self, ls: WfspecServer) -> None:
        item = ls.capability("text_document.completion.completion_item")
        self.snippets = bool(getattr(item, "snippet_support", False))
        formats = getattr(item, "documentation_format", None) or []
        self.markdown = types.MarkupKind.Markdown in formats
        resolve = getattr(item, "resolve_support", None)
        self.lazy_docs = resolve is not None and "documentation" in (resolve.properties or [])
        modes = getattr(getattr(item, "insert_text_mode_support", None), "value_set", None) or []
        self.as_is = types.InsertTextMode.AsIs in modes

    def doc(self, text: str) -> types.MarkupContent | str:
        if self.markdown:
            return types.MarkupContent(kind=types.MarkupKind.Markdown, value=text)
        return text.replace("`", "")


#: clients that run an accepted completion item's ``command``, by the name they send in
#: ``clientInfo`` (VS Code and the builds of it that say so)
_RUNS_ITEM_COMMANDS = ("visual studio code", "code - oss", "vscodium", "code-server")


def runs_item_commands(ls: WfspecServer) -> bool:
    """Whether accepting a completion item runs its ``command``. LSP has no capability that says
    so. A client that resolves ``command`` lazily (``completionItem.resolveSupport``: Neovim
    0.11's ``vim.lsp.completion``, Zed) runs it, and so does VS Code. Others do not: Neovim up to
    0.10 inserts the label of an item whose text edit is empty and drops the command, eglot 1.9
    ignores it, and a client that does not say who it is is taken to be one of those."""
    item = ls.capability("text_document.completion.completion_item")
    resolve = getattr(item, "resolve_support", None)
    if resolve is not None and "command" in (resolve.properties or []):
        return True
    name = (ls.client_info.name if ls.client_info is not None else "").lower()
    return any(name.startswith(known) for known in _RUNS_ITEM_COMMANDS)


def _plain(snippet: str) -> str:
    """A snippet without placeholders (for clients without snippet support)."""
    return _SNIPPET_VAR.sub(
        lambda m: m.group(1) if m.group(1) is not None else (m.group(2) or ""), snippet
    ).replace("$0", "")


def _owner_chain(path: list[str], dialect: str | None) -> list[str]:
    """Names of the tasks (jobs) enclosing a path, outermost first."""
    out: list[str] = []
    if dialect == "github":
        if len(path) >= 2 and path[0] == "jobs":
            out.append(path[1])
        return out
    for i in range(2, len(path)):
        if path[i - 1] == "[]" and path[i - 2] in V.TASK_LIST_KEYS:
            out.append(path[i])
    return out


def _resolve_chain(wf: Workflow, chain: list[str]) -> TaskNode | None:
    """The task a chain of names leads to, scope by scope from the root."""
    scopes = [wf.root_scope]
    found: TaskNode | None = None
    for name in chain:
        found = None
        for sid in scopes:
            scope = wf.scopes.get(sid)
            if scope is None:
                continue
            for tid in scope.tasks:
                node = wf.nodes[tid]
                if node.name == name:
                    found = node
                    break
            if found is not None:
                break
        if found is None:
            return None
        scopes = list(found.inner)
    return found


def _task_summary(wf: Workflow, node: TaskNode) -> str:
    return f"`{node.kind}` task, line {node.name_span.start.line + 1}"


def _edit_range(ctx: yamlctx.Context, start: int | None = None) -> types.Range:
    s = ctx.start if start is None else start
    return types.Range(
        start=types.Position(line=ctx.line, character=s), end=types.Position(line=ctx.line, character=ctx.end)
    )


def _item(
    label: str,
    kind: types.CompletionItemKind,
    ctx: yamlctx.Context,
    client: _Client,
    *,
    insert: str | None = None,
    detail: str | None = None,
    doc: str | None = None,
    snippet: bool = False,
    sort: str | None = None,
    data: Any = None,
    start: int | None = None,
) -> types.CompletionItem:
    text = insert if insert is not None else label
    fmt = None
    mode = None
    if snippet:
        if client.snippets:
            fmt = types.InsertTextFormat.Snippet
        else:
            text = _plain(text)
        if "\n" in text and client.as_is:
            mode = types.InsertTextMode.AsIs
    return types.CompletionItem(
        label=label,
        kind=kind,
        detail=detail,
        documentation=client.doc(doc) if doc else None,
        sort_text=sort,
        filter_text=None,
        insert_text_format=fmt,
        insert_text_mode=mode,
        text_edit=types.TextEdit(range=_edit_range(ctx, start), new_text=text),
        data=data,
    )


def _utf16_ctx(ctx: yamlctx.Context, line_text: str) -> yamlctx.Context:
    """Convert the context's code-point columns to UTF-16 (what ranges count)."""
    if line_text.isascii():
        return ctx

    def u(col: int) -> int:
        head = line_text[:col]
        return len(head) + sum(1 for ch in head if ord(ch) > 0xFFFF)

    ctx.start = u(ctx.start)
    ctx.end = u(ctx.end)
    return ctx


async def completion(ls: WfspecServer, params: types.CompletionParams) -> types.CompletionList | None:
    uri = params.text_document.uri
    doc = ls.documents.get(uri)
    if doc is None:
        return None
    line = params.position.line
    col = doc.offset_at(line, params.position.character) - doc.starts[min(line, len(doc.starts) - 1)]
    ctx = yamlctx.context_at(doc.text, doc.starts, line, col)
    client = _Client(ls)
    # only on a request comment, and only for clients that run the item's command
    generate = await ai.completion_item(ls, params, client.doc) if runs_item_commands(ls) else None
    if ctx is None:
        return types.CompletionList(is_incomplete=False, items=[generate]) if generate else None
    ctx = _utf16_ctx(ctx, doc.line_text(line))
    snap = await ls.snapshot_for_completion(uri)
    items = _complete(ctx, snap, client, uri, doc.text)
    if generate is not None:
        items.append(generate)
    return types.CompletionList(is_incomplete=ctx.incomplete, items=items)


def _complete(
    ctx: yamlctx.Context, snap: Snapshot | None, client: _Client, uri: str, text: str
) -> list[types.CompletionItem]:
    wf = snap.analysis.workflow if snap is not None else None
    dialect = wf.dialect if wf is not None else (snap.analysis.dialect if snap is not None else None)
    if dialect is None and not text.strip():
        return [_new_workflow(ctx, client)]
    if ctx.kind == yamlctx.EXPRESSION:
        return _expression(ctx, wf, client)
    if ctx.kind == yamlctx.VALUE:
        return _value(ctx, wf, dialect, client, uri)
    return _keys(ctx, wf, dialect, client)


def _new_workflow(ctx: yamlctx.Context, client: _Client) -> types.CompletionItem:
    body = "\n".join(
        [
            "document:",
            "  dsl: '1.0.3'",
            "  namespace: ${1:default}",
            "  name: ${2:my-workflow}",
            "  version: '${3:0.1.0}'",
            "do:",
            "  - ${4:firstTask}:",
            "      set:",
            "        ${5:key}: ${6:value}",
        ]
    )
    return _item(
        "Serverless Workflow document",
        types.CompletionItemKind.Snippet,
        ctx,
        client,
        insert=body,
        doc="a minimal Serverless Workflow DSL 1.0 document",
        snippet=True,
    )


# -- values ---------------------------------------------------------------------------------


def _value(
    ctx: yamlctx.Context, wf: Workflow | None, dialect: str | None, client: _Client, uri: str
) -> list[types.CompletionItem]:
    key = ctx.key or ""
    items: list[types.CompletionItem] = []
    if key == "then" and dialect != "github":
        for word, doc in V.FLOW_DIRECTIVES.items():
            items.append(_item(word, types.CompletionItemKind.Keyword, ctx, client, doc=doc, sort=f"1{word}"))
        items.extend(_targets(ctx, wf, dialect, client, uri))
        return items
    if key == "needs" and dialect == "github":
        return _targets(ctx, wf, dialect, client, uri)
    if wf is None:
        return items
    definitions = {
        "call": "function",
        "error": "error",
        "retry": "retry",
        "timeout": "timeout",
    }
    kind = definitions.get(key)
    if key == "use" and ctx.path:
        parent = ctx.path[-1]
        kind = "authentication" if parent == "authentication" else "secret"
    if kind is not None:
        for d in wf.definitions_of(kind):
            items.append(
                _item(
                    d.name,
                    types.CompletionItemKind.Function
                    if kind == "function"
                    else types.CompletionItemKind.Variable,
                    ctx,
                    client,
                    detail=f"{kind} (use)",
                    doc=f"{kind} `{d.name}` declared on line {d.span.start.line + 1}",
                    sort=f"0{d.name}",
                )
            )
        if key == "call" and dialect == "serverless":
            for name, doc in V.BUILTIN_CALL_DOCS.items():
                items.append(
                    _item(name, types.CompletionItemKind.Module, ctx, client, doc=doc, sort=f"1{name}")
                )
        return items
    if key in V.ENUMS and dialect == "serverless":
        for v in V.ENUMS[key]:
            items.append(_item(v, types.CompletionItemKind.EnumMember, ctx, client))
    return items


#: flow-target lists longer than this are cut to the closest matches and marked incomplete,
#: so the client asks again as the user types (a 5,000-task scope would otherwise cost ~0.3 s)
MAX_TARGETS = 100


def _matches(prefix: str, name: str) -> bool:
    """Case-insensitive subsequence match, what editors filter completion lists with."""
    it = iter(name.lower())
    return all(ch in it for ch in prefix.lower())


def _scope_targets(wf: Workflow, owner: TaskNode) -> list[TaskNode]:
    """The named tasks of the owner's scope, each name once, in order, without the owner."""
    out: list[TaskNode] = []
    seen = {owner.name}
    for tid in wf.scopes[owner.scope].tasks:
        node = wf.nodes[tid]
        if node.name in seen or node.payload.get("anonymous"):
            continue  # the owner itself, and duplicates (the duplicate-id rule reports those)
        seen.add(node.name)
        out.append(node)
    return out


def _targets(
    ctx: yamlctx.Context, wf: Workflow | None, dialect: str | None, client: _Client, uri: str
) -> list[types.CompletionItem]:
    if wf is None:
        return []
    chain = _owner_chain(ctx.path, dialect)
    owner = _resolve_chain(wf, chain) if chain else None
    if owner is None:
        return []
    prefix = ctx.prefix.lower()
    scope = _scope_targets(wf, owner)
    if not prefix:
        # nearest first: the tasks after the owner, then those before it
        pos = bisect.bisect_right([n.index for n in scope], owner.index)
        after, before = scope[pos:], scope[:pos][::-1]
        ctx.incomplete = len(scope) > MAX_TARGETS
        picked = (after + before)[:MAX_TARGETS]
        candidates = [((False, n.index < owner.index, abs(n.index - owner.index)), n) for n in picked]
    else:
        candidates = []
        for node in scope:
            if not _matches(prefix, node.name):
                ctx.incomplete = True  # filtered here: ask again when the prefix shrinks
                continue
            # exact prefixes first, then the tasks right after the owner, then those before it
            rank = (
                not node.name.lower().startswith(prefix),
                node.index < owner.index,
                abs(node.index - owner.index),
            )
            candidates.append((rank, node))
        if len(candidates) > MAX_TARGETS:
            candidates = heapq.nsmallest(MAX_TARGETS, candidates, key=lambda c: c[0])
            ctx.incomplete = True
    items = []
    for rank, node in candidates:
        data = None
        doc = None
        if client.lazy_docs:
            data = {"uri": uri, "task": node.id}
        else:
            doc = _task_summary(wf, node)
        items.append(
            _item(
                node.name,
                types.CompletionItemKind.Reference,
                ctx,
                client,
                detail=f"{node.kind} task" if dialect != "github" else "job",
                doc=doc,
                sort=f"0{int(rank[0])}{int(rank[1])}{rank[2]:06d}",
                data=data,
            )
        )
    return items


async def resolve(ls: WfspecServer, item: types.CompletionItem) -> types.CompletionItem:
    """Fill in a flow target's documentation: its kind, line, and where its flow goes."""
    data = item.data if isinstance(item.data, dict) else None
    if data is None or "task" not in data:
        return item
    snap = ls.good_snapshot(str(data.get("uri", "")))
    wf = snap.analysis.workflow if snap is not None else None
    if wf is None or data["task"] not in wf.nodes:
        return item
    from wfspec.lsp.hover import task_markdown

    client = _Client(ls)
    item.documentation = client.doc(task_markdown(snap.analysis, wf.nodes[data["task"]]))  # type: ignore[union-attr]
    return item


# -- keys -----------------------------------------------------------------------------------


def _key_items(
    table: dict[str, str], ctx: yamlctx.Context, client: _Client, kind: types.CompletionItemKind, detail: str
) -> list[types.CompletionItem]:
    out = []
    for key, doc in table.items():
        if key in ctx.siblings:
            continue
        out.append(_item(key, kind, ctx, client, insert=f"{key}: ", detail=detail, doc=doc))
    return out


def _keys(
    ctx: yamlctx.Context, wf: Workflow | None, dialect: str | None, client: _Client
) -> list[types.CompletionItem]:
    path = ctx.path
    prop = types.CompletionItemKind.Property
    if dialect == "github":
        if not path:
            return _key_items(V.GITHUB_TOP_LEVEL, ctx, client, prop, "workflow")
        if len(path) == 2 and path[0] == "jobs":
            return _key_items(V.GITHUB_JOB_KEYS, ctx, client, prop, "job")
        if len(path) == 4 and path[0] == "jobs" and path[2] == "steps" and path[3] == "[]":
            return _key_items(V.GITHUB_STEP_KEYS, ctx, client, prop, "step")
        return []
    if not path:
        return _key_items(V.TOP_LEVEL, ctx, client, prop, "workflow")
    if path == ["document"]:
        return _key_items(V.DOCUMENT_KEYS, ctx, client, prop, "document")
    if path == ["use"]:
        return _key_items(V.USE_KEYS, ctx, client, prop, "use")
    if len(path) >= 2 and path[-1] == "[]" and path[-2] in V.TASK_LIST_KEYS:
        return _task_snippets(ctx, client)
    if len(path) >= 3 and path[-2] == "[]" and path[-3] in V.TASK_LIST_KEYS:
        return _task_keys(ctx, client)
    if path[-1] == "with" and wf is not None:
        owner = _resolve_chain(wf, _owner_chain(path[:-1], dialect))
        call = owner.mapping.get("call") if owner is not None and owner.mapping is not None else None
        name = getattr(call, "value", None)
        if isinstance(name, str) and name in V.WITH_KEYS:
            return _key_items(V.WITH_KEYS[name], ctx, client, prop, f"{name} call")
    return []


def _task_keys(ctx: yamlctx.Context, client: _Client) -> list[types.CompletionItem]:
    present = [k for k in V.TASK_TYPES if k in ctx.siblings]
    kind = present[0] if present else None
    if kind == "do" and "for" in ctx.siblings:
        kind = "for"
    allowed = (
        list(V.TASK_COMMON) + list(V.TASK_OWN.get(kind, ()))
        if kind
        else list(V.TASK_COMMON) + list(V.TASK_TYPES)
    )
    items = []
    for key in dict.fromkeys(allowed):
        if key in ctx.siblings:
            continue
        is_type = key in V.TASK_TYPES and kind is None
        items.append(
            _item(
                key,
                types.CompletionItemKind.Keyword if is_type else types.CompletionItemKind.Property,
                ctx,
                client,
                insert=f"{key}: ",
                detail="task type" if is_type else "task property",
                doc=V.TASK_DOCS.get(key),
                sort=("1" if is_type else "0") + key,
            )
        )
    return items


def _task_snippets(ctx: yamlctx.Context, client: _Client) -> list[types.CompletionItem]:
    name_col = ctx.column + (2 if ctx.new_item else 0)
    pad = " " * (name_col + 2)
    dash = "- " if ctx.new_item else ""
    items = []
    for i, sn in enumerate(V.TASK_SNIPPETS):
        lines = [f"{dash}${{1:{sn.kind}Task}}:"] + [pad + b for b in sn.body]
        items.append(
            _item(
                f"{sn.label} task",
                types.CompletionItemKind.Snippet,
                ctx,
                client,
                insert="\n".join(lines),
                detail="task snippet",
                doc=V.TASK_DOCS.get(sn.kind),
                snippet=True,
                sort=f"{i:02d}",
            )
        )
    return items


# -- expressions ----------------------------------------------------------------------------


def _expression(ctx: yamlctx.Context, wf: Workflow | None, client: _Client) -> list[types.CompletionItem]:
    body = ctx.expression
    var = types.CompletionItemKind.Variable
    items: list[types.CompletionItem] = []
    if ctx.flavour == "${":
        m = re.search(r"\$(\w+)\.(\w*)$", body)
        if m is not None and wf is not None:
            if m.group(1) == "secrets":
                for d in wf.definitions_of("secret"):
                    items.append(
                        _item(
                            d.name,
                            var,
                            ctx,
                            client,
                            detail="secret",
                            doc=f"declared on line {d.span.start.line + 1}",
                        )
                    )
            elif m.group(1) == "context":
                for name in wf.payload.get("exported", ()):
                    items.append(
                        _item(
                            name, types.CompletionItemKind.Field, ctx, client, detail="exported to $context"
                        )
                    )
            return items
        m = re.search(r"\$(\w*)$", body)
        if m is not None:
            start = ctx.start - 1  # replace the "$" too so clients filter on "$name"
            for name, doc in V.RUNTIME_VARIABLES.items():
                items.append(
                    _item(
                        f"${name}",
                        var,
                        ctx,
                        client,
                        detail="runtime expression variable",
                        doc=doc,
                        start=start,
                    )
                )
        return items
    # GitHub Actions ${{ }}
    m = re.search(r"\b(steps|needs|secrets|inputs|matrix|env)\.(\w*)$", body)
    if m is not None and wf is not None:
        ctxname = m.group(1)
        names: list[str] = []
        if ctxname in ("steps", "needs"):
            wanted = "step" if ctxname == "steps" else "job"
            names = sorted(
                {n.name for n in wf.nodes.values() if n.kind == wanted and not n.payload.get("anonymous")}
            )
        else:
            names = sorted({d.name for d in wf.definitions if d.kind in (ctxname, ctxname.rstrip("s"))})
        return [_item(n, var, ctx, client, detail=ctxname) for n in names]
    if re.search(r"(^|[\s(!,=&|])\w*$", body):
        for name, doc in V.GITHUB_CONTEXTS.items():
            items.append(_item(name, var, ctx, client, detail="context", doc=doc))
    return items
