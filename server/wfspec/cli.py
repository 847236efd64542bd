"""The ``wfspec`` command line: check, graph, rules (and serve, once the server is installed).

Exit codes: 0 no error-level finding, 1 at least one, 2 usage or I/O error.

``check --jobs N`` checks files in ``N`` worker processes (default: the processors this process
may run on). The main process walks the trees and resolves each file's configuration, in order;
the workers read (through :mod:`wfspec.fsio`), analyze and fix chunks of files; the main process
then prints every note and finding in the order ``--jobs 1`` would, so output, notes, exit code and
``--fix`` are the same whatever ``N``. Few files are checked in process: starting workers would
cost more than it saves.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from wfspec import __version__, fsio, output
from wfspec.analysis.config import HARD_MAX_FILE_SIZE, Config, ConfigError, find_config_file, load_file
from wfspec.findings import Finding, Severity
from wfspec.paths import links_out, yaml_dirs
from wfspec.syntax.parse import DEFAULT_MAX_BYTES
from wfspec.syntax.tree import Span

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from wfspec.analysis.engine import Analysis

YAML_SUFFIXES = (".yaml", ".yml")
#: the most worker processes ``--jobs`` accepts
MAX_JOBS = 256
#: fewer files than this are checked in process whatever ``--jobs`` says
PARALLEL_MIN_FILES = 32
#: files per worker below which another worker is not worth starting
FILES_PER_WORKER = 16
#: chunks handed to each worker (more balance the load, fewer cost less in messages)
CHUNKS_PER_WORKER = 8
#: the most files in one chunk
MAX_CHUNK = 64


class UsageError(Exception):
    """A problem with the command line or the files it names (exit code 2)."""


def _rule_ids(value: str) -> list[str]:
    from wfspec.analysis.rules import BY_ID

    ids = [v.strip() for v in value.split(",") if v.strip()]
    for rid in ids:
        if rid not in BY_ID:
            raise argparse.ArgumentTypeError(f'unknown rule id "{rid}" (see "wfspec rules")')
    return ids


def _file_size(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{value}" is not a whole number of bytes') from None
    if not 1 <= n <= HARD_MAX_FILE_SIZE:
        raise argparse.ArgumentTypeError(f"must be from 1 to {HARD_MAX_FILE_SIZE} bytes")
    return n


def _jobs(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{value}" is not a whole number') from None
    if not 1 <= n <= MAX_JOBS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_JOBS}")
    return n


def default_jobs() -> int:
    """The processors this process may run on (its affinity where the system tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="wfspec",
        description="Linter and language server for workflow YAML (Serverless Workflow, GitHub Actions).",
    )
    p.add_argument("--version", action="version", version=f"wfspec {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    c = sub.add_parser("check", help="check workflow files and directories")
    c.add_argument(
        "paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)"
    )
    c.add_argument("--format", choices=["text", "json", "sarif", "github"], default="text")
    c.add_argument(
        "--select",
        type=_rule_ids,
        action="extend",
        default=None,
        metavar="RULES",
        help="only these rule ids (comma-separated)",
    )
    c.add_argument(
        "--ignore",
        type=_rule_ids,
        action="extend",
        default=None,
        metavar="RULES",
        help="skip these rule ids (comma-separated)",
    )
    c.add_argument("--fix", action="store_true", help="apply the preferred deterministic fixes in place")
    c.add_argument(
        "--dialect", choices=["serverless", "github"], help="force a dialect instead of detecting it"
    )
    c.add_argument(
        "--config", type=Path, help="a .wfspec.toml or pyproject.toml to use instead of the nearest one"
    )
    c.add_argument("--no-config", action="store_true", help="ignore configuration files")
    c.add_argument(
        "--max-file-size",
        type=_file_size,
        metavar="BYTES",
        help=f"files larger than this are not analyzed (default: the configuration's, at most "
        f"{DEFAULT_MAX_BYTES}; this flag may raise it up to {HARD_MAX_FILE_SIZE})",
    )
    c.add_argument("--quiet", "-q", action="store_true", help="no summary line on stderr")
    c.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=None,
        metavar="N",
        help="check files in N processes (default: the number of processors; 1: in this process)",
    )

    g = sub.add_parser("graph", help="print the control-flow graph of a workflow")
    g.add_argument("path", metavar="FILE")
    g.add_argument("--format", choices=["mermaid", "dot", "json"], default="mermaid")
    g.add_argument("--dialect", choices=["serverless", "github"])
    g.add_argument("--max-file-size", type=_file_size, metavar="BYTES", help="the largest file to read")

    r = sub.add_parser("rules", help="list every rule")
    r.add_argument("--format", choices=["text", "markdown", "json"], default="text")

    from wfspec.llm import cli as llm_cli

    llm_cli.add_parsers(sub)

    s = sub.add_parser("serve", help="run the language server (stdio by default)")
    s.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP address instead of stdio")
    s.add_argument("--stdio", action="store_true", help="use stdio (the default)")
    return p


# -- file discovery -----------------------------------------------------------------------


def iter_files(paths: Sequence[str]) -> Iterator[tuple[Path, bool, Path | None]]:
    """(file, named explicitly, the tree it was found in) for each path; directories are walked
    for YAML files without following symbolic links out of them (a linked file whose target
    lies outside the tree is skipped, with a note on stderr)."""
    for item in _walk(paths):
        if isinstance(item, str):
            print(item, file=sys.stderr)
        else:
            yield item


def _walk(paths: Sequence[str]) -> Iterator[str | tuple[Path, bool, Path | None]]:
    """What :func:`iter_files` yields, with its notes as lines in between (not printed)."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for _, files in yaml_dirs(p):
                for file in files:
                    if links_out(file, p):
                        yield _note_line(
                            file, f"a symbolic link to {os.path.realpath(file)}, outside {raw}; skipped"
                        )
                        continue
                    yield file, False, p
        elif p.exists():
            yield p, True, None
        else:
            raise UsageError(f"{raw}: no such file or directory")


def _note(path: Path, message: str) -> None:
    print(_note_line(path, message), file=sys.stderr)


def _note_line(path: Path, message: str) -> str:
    return f"wfspec: {display_path(path)}: {message}"


def display_path(p: Path) -> str:
    try:
        return str(p.relative_to(Path.cwd()))
    except ValueError:
        return str(p)


class ConfigCache:
    """The configuration for each checked file (nearest config file, cached per file)."""

    def __init__(self, explicit: Path | None, disabled: bool, overrides: dict[str, object]) -> None:
        self.overrides = overrides
        self.disabled = disabled
        self.cache: dict[Path | None, Config] = {}
        self.explicit = self._load(explicit) if explicit is not None else None

    def _load(self, path: Path | None) -> Config:
        if path in self.cache:
            return self.cache[path]
        from wfspec.analysis.rules import BY_ID

        base = load_file(path, set(BY_ID)) if path is not None else Config()
        changes = {k: v for k, v in self.overrides.items() if v is not None}
        cfg = base.merged(**changes) if changes else base
        self.cache[path] = cfg
        return cfg

    def for_file(self, path: Path) -> Config:
        if self.explicit is not None:
            return self.explicit
        if self.disabled:
            return self._load(None)
        return self._load(find_config_file(path))


# -- commands -----------------------------------------------------------------------------


@dataclass(slots=True)
class FileResult:
    """What checking one file produced: its notes for stderr (in order), its findings, and
    whether it counts as checked, how many fixes were applied, and I/O errors (0 or 1)."""

    notes: list[str] = field(default_factory=list)
    items: list[tuple[str, Finding]] = field(default_factory=list)
    checked: int = 0
    fixed: int = 0
    io_errors: int = 0


def check_file(path: Path, explicit: bool, tree: Path | None, cfg: Config, fix: bool) -> FileResult:
    """Read, analyze and (with ``fix``) fix one file; prints nothing."""
    res = FileResult()
    name = display_path(path)
    try:
        data = fsio.read_bytes(path, cfg.max_file_size)
    except fsio.FileTooLarge as exc:
        if explicit:
            res.checked = 1
            res.items.append((name, _too_large(exc)))
        else:
            res.notes.append(_note_line(path, f"{exc}; skipped (raise it with --max-file-size)"))
        return res
    except fsio.NotRegularFile as exc:
        if explicit:
            res.notes.append(_note_line(path, f"cannot read: {exc}"))
            res.io_errors = 1
        else:
            res.notes.append(_note_line(path, f"{exc}; skipped"))
        return res
    except OSError as exc:
        res.notes.append(_note_line(path, f"cannot read: {exc.strerror or exc}"))
        res.io_errors = 1
        return res
    from wfspec.analysis.engine import analyze

    uri = path.resolve().as_uri()
    result = analyze(data, uri, cfg)
    if result.dialect is None and not result.doc.problems:
        if explicit:
            res.notes.append(_note_line(path, "not a workflow wfspec knows; skipped"))
        return res
    if result.dialect is None and not explicit:
        return res  # unparsable YAML somewhere in a tree: not ours to judge
    if fix and result.dialect is not None and not result.doc.has_syntax_error:
        try:
            result, n = _fix_file(path, data, result, cfg, tree)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            res.notes.append(_note_line(path, f"cannot write: {reason}; not fixed"))
            res.io_errors = 1
        else:
            res.fixed = n
    res.checked = 1
    res.items.extend((name, f) for f in result.findings)
    return res


@dataclass(frozen=True, slots=True)
class _Job:
    """One file to check, as the main process hands it to a worker."""

    index: int
    path: Path
    explicit: bool
    tree: Path | None
    config: int  # index into the worker's configurations


#: a worker process's configurations and whether it fixes (set by :func:`_init_worker`)
_WORKER: tuple[list[Config], bool] | None = None


def _init_worker(configs: list[Config], fix: bool) -> None:
    """Pool initializer: import the analysis once per worker (a no-op after fork), keep the
    configurations, and leave Ctrl-C to the main process."""
    global _WORKER
    import signal

    import wfspec.analysis.engine  # noqa: F401
    import wfspec.fixes  # noqa: F401

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER = (configs, fix)


def _check_chunk(jobs: list[_Job]) -> list[tuple[int, FileResult]]:
    assert _WORKER is not None, "worker not initialized"
    configs, fix = _WORKER
    return [(j.index, check_file(j.path, j.explicit, j.tree, configs[j.config], fix)) for j in jobs]


def _workers(jobs: int, files: int) -> int:
    """How many worker processes ``files`` files deserve (0: check them in process)."""
    if jobs <= 1 or files < PARALLEL_MIN_FILES:
        return 0
    return max(0, min(jobs, files // FILES_PER_WORKER))


def _chunks(jobs: list[_Job], workers: int) -> list[list[_Job]]:
    size = max(1, min(MAX_CHUNK, math.ceil(len(jobs) / (workers * CHUNKS_PER_WORKER))))
    return [jobs[i : i + size] for i in range(0, len(jobs), size)]


def _pool_context() -> BaseContext:
    """Fork where the system has it (the workers then inherit the imported analysis and start
    in milliseconds), else the platform's default (each worker imports it once)."""
    import multiprocessing

    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


class _Tally:
    """The results of a check run as they come in, in order."""

    def __init__(self) -> None:
        self.items: list[tuple[str, Finding]] = []
        self.checked = 0
        self.fixed = 0
        self.io_errors = 0

    def add(self, res: FileResult) -> None:
        for line in res.notes:
            print(line, file=sys.stderr)
        self.items.extend(res.items)
        self.checked += res.checked
        self.fixed += res.fixed
        self.io_errors += res.io_errors


def _check_in_process(args: argparse.Namespace, configs: ConfigCache, tally: _Tally) -> None:
    for path, explicit, tree in iter_files(args.paths):
        try:
            cfg = configs.for_file(path)
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
        tally.add(check_file(path, explicit, tree, cfg, args.fix))


def _check_parallel(args: argparse.Namespace, configs: ConfigCache, tally: _Tally, jobs: int) -> None:
    """The files of ``args.paths`` checked in up to ``jobs`` processes, with the same notes and
    results, in the same order, as :func:`_check_in_process`, also when a path or a
    configuration is wrong: the files before it are checked (and fixed), then it is raised."""
    plan: list[str | _Job] = []
    config_ids: dict[int, int] = {}
    config_list: list[Config] = []
    error: UsageError | None = None
    try:
        for item in _walk(args.paths):
            if isinstance(item, str):
                plan.append(item)
                continue
            path, explicit, tree = item
            try:
                cfg = configs.for_file(path)
            except ConfigError as exc:
                raise UsageError(str(exc)) from None
            key = config_ids.setdefault(id(cfg), len(config_list))
            if key == len(config_list):
                config_list.append(cfg)
            plan.append(_Job(len(plan), path, explicit, tree, key))
    except UsageError as exc:
        error = exc
    work = [j for j in plan if isinstance(j, _Job)]
    workers = _workers(jobs, len(work))
    if not workers:
        for step in plan:
            if isinstance(step, str):
                print(step, file=sys.stderr)
            else:
                cfg = config_list[step.config]
                tally.add(check_file(step.path, step.explicit, step.tree, cfg, args.fix))
    else:
        ctx = _pool_context()
        pool = ctx.Pool(workers, _init_worker, (config_list, args.fix))
        try:
            done = 0
            for chunk in pool.imap(_check_chunk, _chunks(work, workers)):
                for index, res in chunk:
                    while done < index:  # the notes the walk made before this file
                        step = plan[done]
                        if isinstance(step, str):
                            print(step, file=sys.stderr)
                        done += 1
                    tally.add(res)
                    done = index + 1
            for step in plan[done:]:
                if isinstance(step, str):
                    print(step, file=sys.stderr)
            pool.close()
        finally:
            pool.terminate()
            pool.join()
    if error is not None:
        raise error


def cmd_check(args: argparse.Namespace) -> int:
    overrides: dict[str, object] = {
        "select": frozenset(args.select) if args.select else None,
        "ignore": frozenset(args.ignore) if args.ignore else None,
        "dialect": args.dialect,
        "max_file_size": args.max_file_size,
    }
    if args.config is not None and not fsio.is_regular(args.config):
        raise UsageError(f"{args.config}: no such configuration file")
    try:
        configs = ConfigCache(args.config, args.no_config, overrides)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    tally = _Tally()
    jobs = args.jobs if args.jobs is not None else default_jobs()
    if jobs <= 1:
        _check_in_process(args, configs, tally)
    else:
        _check_parallel(args, configs, tally, jobs)
    from wfspec.analysis.rules import REGISTRY

    items = tally.items
    out = {
        "text": lambda: output.text(items),
        "json": lambda: output.as_json(items),
        "sarif": lambda: output.sarif(items, REGISTRY),
        "github": lambda: output.github(items),
    }[args.format]()
    sys.stdout.write(out)
    errors = sum(1 for _, f in items if f.severity == 1)
    if not args.quiet and args.format == "text":
        counts = _summary(items)
        checked = tally.checked
        msg = f"{counts} in {checked} file{'s' if checked != 1 else ''}"
        if args.fix:
            fixed = tally.fixed
            msg += f"; {fixed} fix{'es' if fixed != 1 else ''} applied"
        print(msg, file=sys.stderr)
    if tally.io_errors:
        return 2
    return 1 if errors else 0


def _too_large(exc: fsio.FileTooLarge) -> Finding:
    """The finding for a file over the size limit (it is not read, so not parsed)."""
    return Finding(
        "syntax",
        Severity.ERROR,
        f"{exc}; not analyzed (raise it with --max-file-size, up to {HARD_MAX_FILE_SIZE:,} bytes)",
        Span.empty(),
    )


def _fix_file(
    path: Path, data: bytes, result: Analysis, cfg: Config, tree: Path | None
) -> tuple[Analysis, int]:
    """Apply preferred fixes until nothing changes (at most 5 rounds); write only on change.

    The file keeps its encoding, byte order mark and line endings, and is replaced atomically
    (never written outside ``tree`` when it was found by walking one). A file that does not
    decode cleanly, or fixes that would leave a syntax error, are not written. Raises
    ``OSError`` or ``ValueError`` when the file cannot be written; it is then unchanged."""
    from wfspec.fixes import apply_edits, fix_all

    original = result
    text = result.text
    total = 0
    for _ in range(5):
        edits = fix_all(result)
        if not edits:
            break
        new_text = fsio.same_newlines(original.text, apply_edits(text, edits))
        if new_text == text:
            break
        total += len(edits)
        text = new_text
        from wfspec.analysis.engine import analyze

        result = analyze(text, result.uri, cfg)
    if not total:
        return result, 0
    if result.doc.has_syntax_error:
        raise ValueError("the fixes would leave a syntax error")
    if not fsio.round_trips(data, original.text):
        raise ValueError("it is not valid UTF-8, and rewriting it would change other bytes")
    fsio.write_atomic(path, fsio.encode_like(data, text), root=tree)
    return result, total


def _summary(items: Sequence[tuple[str, Finding]]) -> str:
    if not items:
        return "no findings"
    by: dict[str, int] = {}
    for _, f in items:
        by[f.severity.label] = by.get(f.severity.label, 0) + 1
    parts = []
    for label in ("error", "warning", "information", "hint"):
        n = by.get(label)
        if n:
            parts.append(f"{n} {label}{'s' if n != 1 and label != 'information' else ''}")
    total = len(items)
    return f"{total} finding{'s' if total != 1 else ''} ({', '.join(parts)})"


def cmd_graph(args: argparse.Namespace) -> int:
    from wfspec.analysis.render import render

    path = Path(args.path)
    if not path.exists():
        raise UsageError(f"{args.path}: no such file")
    limit = args.max_file_size or DEFAULT_MAX_BYTES
    try:
        data = fsio.read_bytes(path, limit)
    except OSError as exc:
        raise UsageError(f"{args.path}: cannot read: {exc.strerror or exc}") from None
    from wfspec.analysis.engine import analyze

    config = Config(max_file_size=limit)
    result = analyze(data, path.resolve().as_uri(), config, dialect=args.dialect)
    if result.workflow is None:
        problems = "; ".join(f.message for f in result.findings[:3])
        raise UsageError(f"{args.path}: no workflow graph" + (f" ({problems})" if problems else ""))
    sys.stdout.write(render(result, args.format))
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from wfspec.analysis.render import rules_json, rules_markdown, rules_text
    from wfspec.analysis.rules import REGISTRY

    fn = {"text": rules_text, "markdown": rules_markdown, "json": rules_json}[args.format]
    sys.stdout.write(fn(REGISTRY))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from wfspec.lsp.server import run

    return run(tcp=args.tcp)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 for --help
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    handlers = {"check": cmd_check, "graph": cmd_graph, "rules": cmd_rules, "serve": cmd_serve}
    from wfspec.llm import cli as llm_cli

    handlers.update(dict.fromkeys(llm_cli.COMMANDS, llm_cli.run))
    try:
        return handlers[args.command](args)
    except UsageError as exc:
        print(f"wfspec: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
