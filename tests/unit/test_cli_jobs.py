"""``wfspec check --jobs N``: the same output, notes, exit code and fixes as ``--jobs 1``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wfspec import cli
from wfspec.cli import main

SW_BAD = """\
document:
  dsl: '1.0.3'
  namespace: test
  name: jobs-{i}
  version: '0.1.0'
do:
  - classify:
      set:
        category: billing
      then: routeTicket
  - routeTickets:
      set:
        routed: true
"""

GHA_DEPRECATED = """\
name: ci-{i}
on: push
permissions: {{}}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "::set-output name=version::{i}"
"""


def _tree(root: Path) -> None:
    """Both dialects, findings, fixes, a syntax error, a non-workflow, a pipe."""
    for i in range(24):
        d = root / f"svc{i % 5}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"flow{i}.sw.yaml").write_text(SW_BAD.format(i=i), encoding="utf-8")
        wf = root / f"repo{i % 3}" / ".github" / "workflows"
        wf.mkdir(parents=True, exist_ok=True)
        (wf / f"ci{i}.yml").write_text(GHA_DEPRECATED.format(i=i), encoding="utf-8")
    (root / "svc0" / "broken.sw.yaml").write_text("document: [unclosed\n", encoding="utf-8")
    (root / "svc1" / "other.yaml").write_text("just: data\n", encoding="utf-8")
    os.mkfifo(root / "svc2" / "pipe.yaml")
    os.mkfifo(root / "named-pipe.yaml")


def _run(
    root: Path, argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str, dict[str, bytes]]:
    monkeypatch.chdir(root)
    code = main(argv)
    out, err = capsys.readouterr()
    files = {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    return code, out, err, files


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
@pytest.mark.parametrize("fix", [False, True])
def test_jobs_2_equals_jobs_1(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fmt: str,
    fix: bool,
) -> None:
    calls: list[int] = []
    real = cli.check_file

    def counting(*args: object, **kwargs: object) -> cli.FileResult:
        calls.append(os.getpid())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "check_file", counting)  # inherited by the forked workers
    results = []
    for jobs in ("1", "2"):
        root = tmp_path / f"jobs{jobs}"
        root.mkdir()
        _tree(root)
        argv = ["check", "--no-config", "--jobs", jobs, "--format", fmt, ".", "named-pipe.yaml"]
        results.append(_run(root, argv + (["--fix"] if fix else []), monkeypatch, capsys))
        if jobs == "1":
            n = len(calls)
    one, two = results
    assert one[0] == two[0] == 2  # the named pipe given explicitly is an I/O error
    assert one[1] == two[1] and (one[1] or fix)
    assert one[2] == two[2]
    assert "pipe.yaml: not a regular file (a named pipe); skipped" in one[2]
    assert one[3] == two[3]
    if fix:
        assert one[3]["repo0/.github/workflows/ci0.yml"] != GHA_DEPRECATED.format(i=0).encode()
    assert len(calls) == n > 0  # --jobs 1 in this process; --jobs 2 in the workers only


def test_few_files_are_checked_in_process() -> None:
    assert cli._workers(8, cli.PARALLEL_MIN_FILES - 1) == 0
    assert cli._workers(1, 10_000) == 0
    assert cli._workers(2, 10_000) == 2


def test_a_missing_path_after_files_is_reported_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    results = []
    for jobs in ("1", "2"):
        root = tmp_path / f"jobs{jobs}"
        root.mkdir()
        _tree(root)
        results.append(_run(root, ["check", "--jobs", jobs, "--fix", ".", "missing"], monkeypatch, capsys))
    assert results[0] == results[1]
    assert results[0][0] == 2 and "missing: no such file or directory" in results[0][2]


def test_jobs_rejects_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--jobs", "0", "."]) == 2
    assert "--jobs" in capsys.readouterr().err
