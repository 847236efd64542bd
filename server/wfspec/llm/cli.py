"""The LLM subcommands of ``wfspec``: ``generate``, ``repair`` and ``model``.

``wfspec.cli`` calls :func:`add_parsers` from ``build_parser()`` and hands these commands to
:func:`run`. Exit codes: 0 a validated result (or nothing to do), 1 nothing validated, 2 usage
errors and endpoint problems (auth, unreachable, model not installed). Output goes to stdout;
progress and summaries to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

COMMANDS = ("generate", "repair", "model")


def _common(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(
        "model endpoint (default: $OPENAI_BASE_URL / $OPENAI_API_KEY, else the embedded model)"
    )
    g.add_argument("--base-url", help="OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1")
    g.add_argument("--model", help="model name at that endpoint")
    g.add_argument(
        "--api-key-env",
        metavar="VAR",
        help="environment variable holding the API key of this endpoint (default: none; "
        "OPENAI_API_KEY for the OpenAI endpoint only)",
    )
    g.add_argument(
        "--timeout", type=float, help="seconds one model request may take, start to last byte (default 60)"
    )
    g.add_argument("--max-rounds", type=int, help="answers to try per suggestion (default 3)")
    g.add_argument(
        "--max-answer-bytes",
        type=int,
        metavar="N",
        help="reject a model answer longer than N bytes before reading it further (default 65536)",
    )
    g.add_argument(
        "--no-redact",
        action="store_true",
        help="send this endpoint the text as it is: no credentials are redacted (by default they are "
        "for every endpoint but the embedded model)",
    )
    g.add_argument("--verbose", "-v", action="store_true", help="log progress on stderr")


def add_parsers(sub: Any) -> None:
    """Add ``generate``, ``repair`` and ``model`` to the ``wfspec`` subparsers."""
    g = sub.add_parser(
        "generate", help="write a validated workflow (or tasks) from a natural-language request"
    )
    g.add_argument("request", help='what the workflow should do, e.g. "triage support tickets with an agent"')
    g.add_argument(
        "--dialect",
        choices=["serverless", "github"],
        help="the dialect to write (default: that of the --into FILE, else serverless)",
    )
    g.add_argument(
        "--into",
        type=Path,
        metavar="FILE",
        help="insert the tasks at the end of FILE's do list (GitHub Actions: new jobs at the end of "
        "its jobs map); a new or empty FILE gets a whole document",
    )
    g.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="json: print one JSON object (ok, reason, text, document, what the request states "
        "and which of it the result covers, rounds, tokens, latency) instead of the YAML",
    )
    _common(g)

    r = sub.add_parser("repair", help="repair findings with the model; show validated repairs as a diff")
    r.add_argument("path", metavar="FILE")
    r.add_argument("--apply", action="store_true", help="write the validated repairs to FILE")
    _common(r)

    m = sub.add_parser("model", help="install or inspect the embedded local model")
    m.add_argument("action", choices=["install", "status"])
    m.add_argument("--dry-run", action="store_true", help="print the install commands without running them")


def _settings(args: argparse.Namespace) -> Any:
    from wfspec.llm.provider import Settings

    overrides: dict[str, Any] = {}
    if getattr(args, "timeout", None) is not None:
        overrides["timeout"] = args.timeout
    if getattr(args, "max_rounds", None) is not None:
        overrides["max_rounds"] = args.max_rounds
    if getattr(args, "max_answer_bytes", None) is not None:
        overrides["max_answer_bytes"] = args.max_answer_bytes
    if getattr(args, "no_redact", False):
        overrides["redact"] = False
    return Settings.resolve(args.base_url, args.model, args.api_key_env, **overrides)


def _err(msg: str) -> None:
    print(f"wfspec: {msg}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Run one of :data:`COMMANDS`; returns the exit code."""
    if args.command == "model":
        return _model(args)
    if getattr(args, "verbose", False):
        import logging

        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="wfspec: %(message)s")
    from wfspec.llm.embedded import stop_default

    try:
        if args.command == "generate":
            return asyncio.run(_generate(args))
        if args.command == "repair":
            return asyncio.run(_repair(args))
    finally:
        stop_default()
    _err(f"unknown command {args.command}")
    return 2


def _progress(args: argparse.Namespace) -> Any:
    if not getattr(args, "verbose", False):
        return None
    return lambda msg: print(f"wfspec: {msg}", file=sys.stderr)


async def _generate(args: argparse.Namespace) -> int:
    from wfspec.analysis.engine import analyze
    from wfspec.llm.generate import empty_document, generate, insertion_at_end_of_do, insertion_at_end_of_jobs
    from wfspec.llm.provider import Provider

    settings = _settings(args)
    text = ""
    data = b""
    target: Path | None = args.into
    if target is not None and (target.exists() or target.is_symlink()):
        got = _read(target)
        if got is None:
            return 2
        data, text = got
    original, text = text, _lf(text)
    uri = target.resolve().as_uri() if target is not None else "untitled:generated.sw.yaml"
    dialect: str = args.dialect or ""
    if not dialect and text.strip():
        dialect = analyze(text, uri).dialect or ""
    if not dialect:
        dialect = "github" if target is not None and "/.github/workflows/" in uri else "serverless"
    if text.strip():
        if dialect == "github":
            insertion = insertion_at_end_of_jobs(text)
            where = "top-level jobs map to add jobs to"
        else:
            insertion = insertion_at_end_of_do(text)
            where = "top-level do list to add tasks to"
        if insertion is None:
            _err(f"{target}: no {where}")
            return 2
    else:
        insertion = empty_document()
        text = ""
    workspace = target.resolve().parent if target is not None else Path.cwd()
    provider = Provider(settings)
    try:
        result = await generate(
            provider,
            args.request,
            text=text,
            uri=uri,
            insertion=insertion,
            dialect=dialect,
            workspace=workspace,
            progress=_progress(args),
        )
    finally:
        await provider.aclose()
    code = (2 if result.error_kind else 1) if not result.ok else 0
    if args.format == "json":
        if result.ok and target is not None and not _write(target, data, original, result.document):
            return 2
        print(json.dumps(_result_json(result, settings.describe()), indent=2))
        return code
    if not result.ok:
        _err(result.detail())
        return code
    if target is None:
        sys.stdout.write(result.document)
    else:
        if not _write(target, data, original, result.document):
            return 2
        _err(f"{target}: inserted {result.text.count(chr(10))} line(s)")
    _err(f"{settings.describe()}: {result.detail()}")
    for c in result.coverage:
        _err(f"  {'covered' if c.ok else 'MISSING'}: {_describe(c.item)} ({c.how})")
    return 0


def _describe(item: Any) -> str:
    from wfspec.llm.coverage import describe

    return describe(item)


def _result_json(result: Any, model: str) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "reason": result.reason,
        "model": model,
        "source": result.source,
        "text": result.text,
        "document": result.document,
        "intent": [i.to_json() for i in result.intent],
        "coverage": [c.to_json() for c in result.coverage],
        "rounds": result.rounds,
        "requests": result.requests,
        "prompt_tokens": result.prompt_tokens,
        "completion_tokens": result.completion_tokens,
        "latency_s": round(result.latency, 3),
        "error_kind": result.error_kind,
        "history": result.history,
    }


async def _repair(args: argparse.Namespace) -> int:
    from wfspec.analysis.engine import analyze
    from wfspec.llm.provider import Provider
    from wfspec.llm.repair import repair_all

    path = Path(args.path)
    got = _read(path)
    if got is None:
        return 2
    data, original = got
    text = _lf(original)
    uri = path.resolve().as_uri()
    before = analyze(text, uri)
    if before.dialect is None and not before.findings:
        _err(f"{args.path}: not a workflow wfspec knows")
        return 2
    if not before.findings:
        _err(f"{args.path}: no findings; nothing to repair")
        return 0
    settings = _settings(args)
    provider = Provider(settings)
    try:
        new_text, results = await repair_all(provider, text, uri, progress=_progress(args))
    finally:
        await provider.aclose()
    for r in results:
        f = r.finding
        where = f"{args.path}:{f.span.start.line + 1}:{f.span.start.character + 1}"
        _err(f"{where}: [{f.rule}] {r.detail()}")
        if r.error_kind:
            _err(r.reason)
            return 2
    fixed = sum(1 for r in results if r.ok)
    from wfspec import fsio

    text, new_text = original, fsio.same_newlines(original, new_text)  # the file's line breaks again
    if new_text != text:
        if args.apply:
            if not _write(path, data, text, new_text):
                return 2
        else:
            diff = difflib.unified_diff(
                text.splitlines(keepends=True),
                new_text.splitlines(keepends=True),
                f"a/{args.path.lstrip('/')}",
                f"b/{args.path.lstrip('/')}",
            )
            sys.stdout.writelines(diff)
    after = analyze(new_text, uri)
    verb = "applied" if args.apply else "validated"
    _err(f"{fixed} repair(s) {verb}; {len(after.findings)} finding(s) left ({settings.describe()})")
    return 0 if not after.findings else 1


def _read(path: Path) -> tuple[bytes, str] | None:
    """The bytes of a regular file (bounded) and their text, decoded as the analyzer decodes
    them (no newline translation); None after saying on stderr why it cannot be read."""
    from wfspec import fsio
    from wfspec.syntax.parse import DEFAULT_MAX_BYTES, decode

    try:
        data = fsio.read_bytes(path, DEFAULT_MAX_BYTES)
    except OSError as exc:
        _err(f"{path}: cannot read: {exc.strerror or exc}")
        return None
    return data, decode(data)[0]


def _lf(text: str) -> str:
    """The text generation and repair work on: a file with CR-only or CRLF line breaks
    throughout, with ``\\n`` instead (:func:`_write` puts the file's own back)."""
    from wfspec import fsio

    return fsio.with_newlines(text, "\n") if fsio.uniform_newlines(text) in ("\r", "\r\n") else text


def _write(path: Path, data: bytes, text: str, new_text: str) -> bool:
    """Replace ``path`` (read as ``data``, decoded to ``text``) with ``new_text`` atomically,
    keeping its encoding, byte order mark and line endings; False after saying on stderr why
    it could not (the file is then unchanged)."""
    from wfspec import fsio

    if data and not fsio.round_trips(data, text):
        _err(f"{path}: not written: it is not valid UTF-8, and rewriting it would change other bytes")
        return False
    try:
        fsio.write_atomic(path, fsio.encode_like(data, fsio.same_newlines(text, new_text)))
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        _err(f"{path}: cannot write: {reason}; unchanged")
        return False
    return True


def _model(args: argparse.Namespace) -> int:
    from wfspec.llm.embedded import INSTALL_COMMANDS, default_model

    if args.action == "status":
        status = default_model().status()
        print(status.describe())
        return 0 if status.ready else 1
    for cmd in INSTALL_COMMANDS:
        print(" ".join(cmd))
        if args.dry_run:
            continue
        full = [sys.executable, "-m", *cmd]
        rc = subprocess.call(full)
        if rc != 0:
            _err(f"{' '.join(cmd)} failed with exit code {rc}")
            return 2
    if not args.dry_run:
        status = default_model().status()
        print(status.describe(), file=sys.stderr)
        return 0 if status.ready else 2
    return 0
