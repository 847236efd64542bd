"""``wfspec check --fix`` applies the preferred script-injection fix: the file it writes has no
untrusted expression left in its scripts and checks clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lsp.test_security_fixes import WORKFLOW
from wfspec.analysis.engine import analyze
from wfspec.cli import main


def test_check_fix_moves_every_expression_into_env(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wf = tmp_path / ".github" / "workflows" / "triage.yml"
    wf.parent.mkdir(parents=True)
    wf.write_text(WORKFLOW, encoding="utf-8")
    assert main(["check", str(wf)]) == 1
    capsys.readouterr()
    main(["check", "--fix", str(wf)])
    fixed = wf.read_text(encoding="utf-8")
    assert "${{ github.event.issue.title }}" not in fixed.split("env:")[0]
    assert [f.rule for f in analyze(fixed, wf.as_uri()).findings if f.rule == "script-injection"] == []
    assert main(["check", str(wf)]) == 0
    assert "          COMMENT_BODY: ${{ github.event.comment.body }}\n" in fixed
    assert '          echo "$COMMENT_BODY" > body.txt\n' in fixed
