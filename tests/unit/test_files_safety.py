"""Files on disk through the command line: special files are refused, never waited on or read
without bound; writes are atomic, keep the file's mode, encoding, byte order mark and line
endings, and stay inside the checked tree; a failed write is reported per file; local uses
outside the repository are not read; limits from configuration files are clamped.

Commands that could hang or exhaust memory on a regression run in a subprocess with a bound on
its address space, and a generous timeout that only turns a hang into a failure.
"""

from __future__ import annotations

import json
import os
import resource
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SPECS
from tests.llm.scripted import Reply, ScriptedServer
from tests.llm.test_generate import GOOD_TASKS, OUTLINE, WHOLE_DOC
from wfspec import fsio
from wfspec.analysis.config import HARD_MAX_FILE_SIZE, PROJECT_MAX_FILE_SIZE, load_file
from wfspec.analysis.engine import analyze
from wfspec.cli import main
from wfspec.lsp import settings as lsp_settings
from wfspec.lsp.formatting import format_text, line_edits
from wfspec.syntax.parse import DEFAULT_MAX_BYTES

HANG_GUARD = 120  # seconds; a regression hangs, a pass takes a second or two
MEMORY = 2 << 30  # bytes of address space for a subprocess

SW = """\
document:
  dsl: '1.0.3'
  namespace: test
  name: files
  version: '0.1.0'
use:
  secrets:
    - other
do:
  - a:
      set:
        token: ${ $secrets.apiKey }
  - b:
      set:
        o: ${ $secrets.other }
"""
SW_FIXED = SW.replace("    - other\n", "    - other\n    - apiKey\n")

GH = """\
name: ci
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      v: ${{ steps.s.outputs.v }}
    steps:
      - id: s
        run: echo v=1 >> "$GITHUB_OUTPUT"
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ needs.build.outputs.v }}
"""
GH_FIXED = GH.replace("  deploy:\n", "  deploy:\n    needs: build\n")

TRIAGE = SPECS / "serverless" / "faulty" / "unknown-target-support-triage.yaml"


def run(
    *args: str, cwd: Path, fsize: int | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``wfspec ARGS`` in a subprocess, its memory bounded (and its file size, with ``fsize``)."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(
        [sys.executable, "-m", "wfspec.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        preexec_fn=limits,
        env={**os.environ, **(env or {})},
        check=False,
    )


def special_files(d: Path) -> None:
    os.mkfifo(d / "pipe.yaml")
    (d / "zero.yaml").symlink_to("/dev/zero")


@pytest.fixture
def scripted() -> Iterator[list[ScriptedServer]]:
    servers: list[ScriptedServer] = []
    yield servers
    for s in servers:
        s.stop()


def endpoint(servers: list[ScriptedServer], *replies: Reply, default: Reply | None = None) -> list[str]:
    srv = ScriptedServer(list(replies), default=default)
    srv.start()
    servers.append(srv)
    os.environ.setdefault("WFSPEC_TEST_KEY", "sk-files-test-key-000000000000")
    return ["--base-url", srv.base_url, "--model", "scripted", "--api-key-env", "WFSPEC_TEST_KEY"]


def leftovers(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if p.name.endswith(".wfspec-tmp"))


# -- 1. special files -----------------------------------------------------------------------------


def test_check_skips_a_pipe_and_a_device_in_a_tree(tmp_path: Path) -> None:
    (tmp_path / "bad.sw.yaml").write_text(SW, encoding="utf-8")
    special_files(tmp_path)
    got = run("check", ".", cwd=tmp_path)
    assert got.returncode == 1, got.stderr
    assert "bad.sw.yaml:12:19: error: undefined secret" in got.stdout
    assert "wfspec: pipe.yaml: not a regular file (a named pipe); skipped" in got.stderr
    assert "wfspec: zero.yaml:" in got.stderr and "skipped" in got.stderr
    assert "1 finding (1 error) in 1 file" in got.stderr


def test_check_names_a_pipe_and_a_device(tmp_path: Path) -> None:
    special_files(tmp_path)
    got = run("check", "pipe.yaml", "zero.yaml", cwd=tmp_path)
    assert got.returncode == 2
    assert "wfspec: pipe.yaml: cannot read: not a regular file (a named pipe)" in got.stderr
    assert "wfspec: zero.yaml: cannot read: not a regular file (a character device)" in got.stderr
    assert "Traceback" not in got.stderr


@pytest.mark.parametrize("name", ["pipe.yaml", "zero.yaml"])
def test_graph_repair_and_generate_refuse_special_files(tmp_path: Path, name: str) -> None:
    special_files(tmp_path)
    nowhere = ["--base-url", "http://127.0.0.1:9/v1", "--timeout", "1"]
    for args in (["graph", name], ["repair", name, *nowhere], ["generate", "x", "--into", name, *nowhere]):
        got = run(*args, cwd=tmp_path)
        assert got.returncode == 2, (args, got.stderr)
        assert "not a regular file" in got.stderr and "Traceback" not in got.stderr


def test_reader_refuses_special_files_and_bounds_reads(tmp_path: Path) -> None:
    special_files(tmp_path)
    with pytest.raises(fsio.NotRegularFile, match="named pipe"):
        fsio.read_bytes(tmp_path / "pipe.yaml", 100)
    with pytest.raises(fsio.NotRegularFile, match="character device"):
        fsio.read_bytes(tmp_path / "zero.yaml", 100)
    with pytest.raises(fsio.NotRegularFile, match="directory"):
        fsio.read_bytes(tmp_path, 100)
    f = tmp_path / "f.yaml"
    f.write_bytes(b"x" * 101)
    with pytest.raises(fsio.FileTooLarge) as exc:
        fsio.read_bytes(f, 100)
    assert (exc.value.size, exc.value.limit) == (101, 100)
    assert fsio.read_bytes(f, 101) == b"x" * 101


def test_retrieval_and_local_actions_skip_special_files(tmp_path: Path) -> None:
    """In a subprocess: the old readers wait on the pipe forever."""
    (tmp_path / "ok.sw.yaml").write_text(SW_FIXED, encoding="utf-8")
    special_files(tmp_path)
    act = tmp_path / ".github" / "actions" / "piped"
    act.mkdir(parents=True)
    os.mkfifo(act / "action.yml")
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir()
    os.mkfifo(wf / "called.yml")
    (wf / "ci.yml").write_text(
        "on: push\njobs:\n  call:\n    uses: ./.github/workflows/called.yml\n"
        "  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/piped\n        with: {a: 1}\n",
        encoding="utf-8",
    )
    code = (
        "import sys; from pathlib import Path; from wfspec.llm.retrieval import SpecIndex;"
        "from wfspec.analysis.engine import analyze;"
        "idx = SpecIndex.build([Path(sys.argv[1])]);"
        "print(sorted(s.path.name for s in idx.specs));"
        "ci = Path(sys.argv[1], '.github/workflows/ci.yml');"
        "print([f.message for f in analyze(ci.read_bytes(), ci.as_uri()).findings])"
    )
    got = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert got.returncode == 0, got.stderr
    specs, findings = got.stdout.splitlines()
    assert specs == "['ok.sw.yaml']"
    assert findings == "[]"  # unreadable: quietly unknown


# -- 2. atomic writes -----------------------------------------------------------------------------


def padded(text: str, size: int) -> str:
    filler = "".join(
        f"# padding line {i:05d} to make the file larger than the write limit\n" for i in range(400)
    )
    return (filler * (size // len(filler) + 1))[: size - len(text) - 1].rsplit("\n", 1)[0] + "\n" + text


def test_fix_under_a_file_size_limit_leaves_the_file_untouched(tmp_path: Path) -> None:
    src = padded(SW, 16 * 1024)
    f = tmp_path / "big.sw.yaml"
    f.write_text(src, encoding="utf-8")
    got = run("check", "--fix", "big.sw.yaml", cwd=tmp_path, fsize=4096)
    assert got.returncode == 2, got.stderr
    assert "wfspec: big.sw.yaml: cannot write: File too large; not fixed" in got.stderr
    assert "Traceback" not in got.stderr
    assert f.read_text(encoding="utf-8") == src
    assert leftovers(tmp_path) == []
    assert "undefined secret" in got.stdout  # the file's findings are still reported


def test_repair_and_generate_under_a_file_size_limit(tmp_path: Path, scripted: list[ScriptedServer]) -> None:
    src = padded(TRIAGE.read_text(encoding="utf-8"), 16 * 1024)
    f = tmp_path / "triage.yaml"
    f.write_text(src, encoding="utf-8")
    ep = endpoint(scripted, default=Reply(json.dumps({"choice": 1, "replacement": ""})))
    got = run("repair", "triage.yaml", "--apply", *ep, cwd=tmp_path, fsize=4096)
    assert got.returncode == 2, got.stderr
    assert "triage.yaml: cannot write: File too large; unchanged" in got.stderr
    assert f.read_text(encoding="utf-8") == src and leftovers(tmp_path) == []

    target = tmp_path / "flow.sw.yaml"
    doc = padded(WHOLE_DOC, 16 * 1024)
    target.write_text(doc, encoding="utf-8")
    ep = endpoint(scripted, Reply(OUTLINE), Reply(json.dumps({"yaml": GOOD_TASKS})))
    got = run("generate", "ask billing", "--into", "flow.sw.yaml", *ep, cwd=tmp_path, fsize=4096)
    assert got.returncode == 2, got.stderr
    assert "flow.sw.yaml: cannot write: File too large; unchanged" in got.stderr
    assert target.read_text(encoding="utf-8") == doc and leftovers(tmp_path) == []


@pytest.mark.parametrize("fail", ["write", "fsync", "replace"])
def test_a_failure_mid_write_leaves_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fail: str
) -> None:
    monkeypatch.chdir(tmp_path)
    f = tmp_path / "bad.sw.yaml"
    f.write_text(SW, encoding="utf-8")
    real = getattr(os, fail)

    def broken(*args: object) -> object:
        if fail == "write":  # half the bytes, then the disk fills up
            fd, data = args
            real(fd, bytes(data)[: len(data) // 2])  # type: ignore[arg-type]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, fail, broken)
    assert main(["check", "--fix", "bad.sw.yaml"]) == 2
    monkeypatch.setattr(os, fail, real)
    err = capsys.readouterr().err
    assert "wfspec: bad.sw.yaml: cannot write: No space left on device; not fixed" in err
    assert f.read_text(encoding="utf-8") == SW
    assert leftovers(tmp_path) == []


def test_fix_keeps_the_mode_and_writes_through_a_link_in_the_tree(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "real").mkdir(parents=True)
    f = tree / "real" / "bad.sw.yaml"
    f.write_text(SW, encoding="utf-8")
    f.chmod(0o640)
    (tree / "link.sw.yaml").symlink_to("real/bad.sw.yaml")
    got = run("check", "--fix", "link.sw.yaml", cwd=tree)
    assert got.returncode == 0, got.stderr
    assert (tree / "link.sw.yaml").is_symlink()
    assert f.read_text(encoding="utf-8") == SW_FIXED
    assert stat.S_IMODE(f.stat().st_mode) == 0o640


# -- 3. encodings and line endings ------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_fix_keeps_line_endings_and_bom(tmp_path: Path, newline: str, bom: bytes) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    sw = tmp_path / "flow.sw.yaml"
    gh = tmp_path / ".github" / "workflows" / "ci.yml"
    sw.write_bytes(bom + SW.replace("\n", newline).encode())
    gh.write_bytes(bom + GH.replace("\n", newline).encode())
    got = run("check", "--fix", ".", cwd=tmp_path)
    assert got.returncode == 0, got.stdout + got.stderr
    assert "2 fixes applied" in got.stderr
    assert sw.read_bytes() == bom + SW_FIXED.replace("\n", newline).encode()
    assert gh.read_bytes() == bom + GH_FIXED.replace("\n", newline).encode()


def test_repair_apply_keeps_crlf(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    scripted: list[ScriptedServer],
) -> None:
    monkeypatch.chdir(tmp_path)
    src = TRIAGE.read_text(encoding="utf-8")
    crlf = src.replace("\n", "\r\n").encode()
    f = tmp_path / "triage.yaml"
    f.write_bytes(crlf)
    ep = endpoint(scripted, default=Reply(json.dumps({"choice": 1, "replacement": ""})))
    assert main(["repair", "triage.yaml", *ep]) == 0
    diff = capsys.readouterr().out
    changed = [
        ln for ln in diff.split("\n") if ln.startswith(("+", "-")) and not ln.startswith(("+++", "---"))
    ]
    assert changed == ["-      then: postRepyl\r", "+      then: postReply\r"]
    assert main(["repair", "triage.yaml", "--apply", *ep]) == 0
    assert f.read_bytes() == crlf.replace(b"then: postRepyl", b"then: postReply")


@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_generate_into_keeps_line_endings_and_bom(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scripted: list[ScriptedServer], newline: str
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "flow.sw.yaml"
    target.write_bytes(b"\xef\xbb\xbf" + WHOLE_DOC.replace("\n", newline).encode())
    ep = endpoint(scripted, Reply(OUTLINE), Reply(json.dumps({"yaml": GOOD_TASKS})))
    assert main(["generate", "ask billing", "--into", "flow.sw.yaml", *ep]) == 0
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + WHOLE_DOC.replace("\n", newline).encode())
    assert b"  - askBilling:" + newline.encode() in data
    assert fsio.uniform_newlines(data.decode("utf-8")) == newline


def test_encode_like_keeps_utf16_and_its_byte_order() -> None:
    for codec in ("utf-16-le", "utf-16-be"):
        bom = "\ufeff".encode(codec)
        original = bom + "a: 1\r\n".encode(codec)
        assert fsio.round_trips(original, "a: 1\r\n")
        assert fsio.encode_like(original, "a: 2\r\n") == bom + "a: 2\r\n".encode(codec)
    assert not fsio.round_trips(b"a: \xe9\n", "a: \ufffd\n")


@pytest.mark.parametrize(
    "text",
    [
        "a:\r    b: 1\r    c:\r    - x\r",  # CR only
        "a:\r\n    b: 1\n    c:\r    - x\r\n",  # mixed
        "a:\n    b: 1\r\n    c:\r\n    - x\r\n",  # mixed, mostly CRLF
        "a:\n    b: 1\r    c:\r    - x\r",  # mixed, mostly CR
        "\ufeffa:\r    b: 1\r",  # BOM and CR
    ],
)
def test_formatting_keeps_line_endings_and_is_idempotent(text: str) -> None:
    once = format_text(text)
    assert once is not None
    assert fsio.uniform_newlines(once) == fsio.newline_of(text)
    assert once.startswith("\ufeff") == text.startswith("\ufeff")
    again = format_text(once)
    assert again == once and line_edits(once, again) == []


# -- 4. a file that cannot be written ---------------------------------------------------------------


def test_read_only_file_is_reported_and_the_others_still_are(tmp_path: Path) -> None:
    ro = tmp_path / "a-readonly.sw.yaml"
    ro.write_text(SW, encoding="utf-8")
    ro.chmod(0o444)
    other = tmp_path / "b-other.sw.yaml"
    other.write_text(SW.replace("name: files", "name: other"), encoding="utf-8")
    got = run("check", "--fix", ".", cwd=tmp_path)
    assert got.returncode == 2, got.stderr
    assert "wfspec: a-readonly.sw.yaml: cannot write: the file is read-only; not fixed" in got.stderr
    assert "Traceback" not in got.stderr
    assert "a-readonly.sw.yaml:12:19: error: undefined secret" in got.stdout  # still on disk
    assert "in 2 files; 1 fix applied" in got.stderr
    assert ro.read_text(encoding="utf-8") == SW
    assert other.read_text(encoding="utf-8") == SW_FIXED.replace("name: files", "name: other")


# -- 5. symbolic links and .. -------------------------------------------------------------------------


def test_fix_on_a_tree_never_writes_outside_it(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.sw.yaml"
    victim.write_text(SW, encoding="utf-8")
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "link.sw.yaml").symlink_to(victim)
    (tree / "sub" / "linked-dir").symlink_to(outside, target_is_directory=True)
    (tree / "own.sw.yaml").write_text(SW, encoding="utf-8")
    got = run("check", "--fix", "tree", cwd=tmp_path)
    assert got.returncode == 0, got.stderr
    assert victim.read_text(encoding="utf-8") == SW
    assert (tree / "own.sw.yaml").read_text(encoding="utf-8") == SW_FIXED
    assert f"wfspec: tree/link.sw.yaml: a symbolic link to {victim}, outside tree; skipped" in got.stderr


def test_atomic_writer_refuses_a_target_outside_the_root(tmp_path: Path) -> None:
    (tmp_path / "out.yaml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "in.yaml").symlink_to(tmp_path / "out.yaml")
    with pytest.raises(fsio.OutsideRoot):
        fsio.write_atomic(tmp_path / "root" / "in.yaml", b"a: 2\n", root=tmp_path / "root")
    assert (tmp_path / "out.yaml").read_text(encoding="utf-8") == "a: 1\n"


OTHER_ACTION = """\
name: other
inputs:
  leaked-input-name: {required: true}
runs: {using: composite, steps: []}
"""
OTHER_WORKFLOW = """\
on:
  workflow_call:
    secrets:
      LEAKED_SECRET_NAME: {required: true}
jobs:
  d: {runs-on: ubuntu-latest, steps: [{run: echo}]}
"""
CALLER = """\
on: push
jobs:
  call:
    uses: ./.github/workflows/../../../other/.github/workflows/x.yml
  b:
    runs-on: ubuntu-latest
    steps:
      - uses: ./../other/act
      - uses: ./.github/actions/linked
"""


@pytest.mark.parametrize("git", [False, True])
def test_local_uses_outside_the_repository_are_not_read(tmp_path: Path, git: bool) -> None:
    other = tmp_path / "other"
    (other / "act").mkdir(parents=True)
    (other / "act" / "action.yml").write_text(OTHER_ACTION, encoding="utf-8")
    (other / ".github" / "workflows").mkdir(parents=True)
    (other / ".github" / "workflows" / "x.yml").write_text(OTHER_WORKFLOW, encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / ".github" / "actions").mkdir(parents=True)
    (repo / ".github" / "actions" / "linked").symlink_to(other / "act", target_is_directory=True)
    (repo / ".github" / "workflows").mkdir()
    if git:
        (repo / ".git").mkdir()
    ci = repo / ".github" / "workflows" / "ci.yml"
    ci.write_text(CALLER, encoding="utf-8")
    messages = [f.message for f in analyze(ci.read_bytes(), ci.as_uri()).findings]
    assert not any("leaked" in m.lower() for m in messages), messages
    outside = [m for m in messages if "lies outside the repository" in m]
    assert outside == [
        'the reusable workflow "./.github/workflows/../../../other/.github/workflows/x.yml" lies outside '
        "the repository; it is not read",
        'the local action "./../other/act" lies outside the repository; it is not read',
        'the local action "./.github/actions/linked" lies outside the repository; it is not read',
    ]


def test_local_uses_inside_the_repository_still_read(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "tools" / "act").mkdir(parents=True)
    (repo / "tools" / "act" / "action.yml").write_text(OTHER_ACTION, encoding="utf-8")
    (repo / ".github" / "workflows").mkdir(parents=True)
    ci = repo / ".github" / "workflows" / "ci.yml"
    ci.write_text(
        "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/../tools/act\n",
        encoding="utf-8",
    )
    messages = [f.message for f in analyze(ci.read_bytes(), ci.as_uri()).findings]
    assert any('missing required input "leaked-input-name"' in m for m in messages), messages


# -- 6. bounded configuration -----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1000000000000", "1e12"])
def test_config_file_cannot_raise_the_size_limit(tmp_path: Path, value: str) -> None:
    cfg = tmp_path / ".wfspec.toml"
    cfg.write_text(f"max-file-size = {value}\n", encoding="utf-8")
    assert load_file(cfg).max_file_size == PROJECT_MAX_FILE_SIZE
    cfg.write_text("max-file-size = 1000\n", encoding="utf-8")
    assert load_file(cfg).max_file_size == 1000  # lowering it is fine


def test_check_clamps_the_config_and_the_flag_raises_it_to_the_cap(tmp_path: Path) -> None:
    (tmp_path / ".wfspec.toml").write_text("max-file-size = 1000000000000\n", encoding="utf-8")
    big = tmp_path / "big.sw.yaml"
    big.write_text(padded(SW_FIXED, DEFAULT_MAX_BYTES + 4096), encoding="utf-8")
    got = run("check", "big.sw.yaml", cwd=tmp_path)
    assert got.returncode == 1
    assert f"larger than the {DEFAULT_MAX_BYTES:,}-byte limit; not analyzed" in got.stdout
    got = run("check", "big.sw.yaml", "--max-file-size", str(DEFAULT_MAX_BYTES + 8192), cwd=tmp_path)
    assert got.returncode == 0, got.stdout + got.stderr
    got = run("check", "big.sw.yaml", "--max-file-size", str(HARD_MAX_FILE_SIZE + 1), cwd=tmp_path)
    assert got.returncode == 2 and f"must be from 1 to {HARD_MAX_FILE_SIZE} bytes" in got.stderr


def test_editor_setting_is_capped() -> None:
    got, errors = lsp_settings.parse({"maxFileSize": 10**12})
    assert got.max_file_size == DEFAULT_MAX_BYTES
    assert errors == [
        f'"maxFileSize" must be a whole number from 1 to {HARD_MAX_FILE_SIZE}; using the default'
    ]
    got, errors = lsp_settings.parse({"maxFileSize": HARD_MAX_FILE_SIZE})
    assert got.max_file_size == HARD_MAX_FILE_SIZE and errors == []
