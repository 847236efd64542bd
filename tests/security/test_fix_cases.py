"""The script-injection fix in the cases the protocol test does not reach: the shell decides how
the variable is written, quoted YAML scalars and unknown shells get no fix, an env variable the
step already sets is reused, a flow ``env`` grows in place, ``${{ env.X }}`` only changes the
script, and JavaScript code (not a string) is offered but not applied."""

from __future__ import annotations

import textwrap

from wfspec.analysis.engine import analyze
from wfspec.fixes import Fix, apply_edits, fix_all, fixes_for

URI = "file:///repo/.github/workflows/t.yml"


def _wf(steps: str, runs_on: str = "ubuntu-latest", on: str = "issues") -> str:
    head = f"on: {on}\npermissions:\n  issues: read\njobs:\n  t:\n    runs-on: {runs_on}\n    steps:\n"
    return head + textwrap.indent(textwrap.dedent(steps), "      ")


def _fixes(text: str) -> list[Fix]:
    result = analyze(text, URI)
    found = [f for f in result.findings if f.rule == "script-injection"]
    assert found, "no script-injection finding"
    return fixes_for(result, found[0])


def _fixed(text: str) -> str:
    result = analyze(text, URI)
    return apply_edits(text, fix_all(result))


def test_unquoted_and_braced_shell_uses() -> None:
    text = _wf("""\
        - run: echo ${{ github.event.issue.title }} "${{ github.event.issue.body }}_x"
        """)
    new = _fixed(text)
    assert 'run: echo "$ISSUE_TITLE" "${{ github.event.issue.body }}_x"' in new
    new = _fixed(new)
    assert 'run: echo "$ISSUE_TITLE" "${ISSUE_BODY}_x"' in new
    assert "ISSUE_BODY: ${{ github.event.issue.body }}" in new
    assert [f.rule for f in analyze(new, URI).findings] == []


def test_single_quotes_inside_a_longer_word() -> None:
    new = _fixed(_wf("- run: echo 'title ${{ github.event.issue.title }}!'\n"))
    assert "run: echo 'title '\"$ISSUE_TITLE\"'!'" in new


def test_windows_runner_gets_powershell() -> None:
    new = _fixed(_wf('- run: Write-Output "${{ github.event.issue.title }}"\n', runs_on="windows-latest"))
    assert 'Write-Output "$env:ISSUE_TITLE"' in new


def test_unknown_shell_and_quoted_yaml_get_no_fix() -> None:
    assert _fixes(_wf("- shell: python\n  run: print('${{ github.event.issue.title }}')\n")) == []
    assert _fixes(_wf('- run: "echo ${{ github.event.issue.title }}"\n')) == []


def test_existing_env_variable_is_reused_and_flow_env_grows() -> None:
    text = _wf("""\
        - env: {ISSUE_TITLE: "${{ github.event.issue.title }}"}
          run: echo "${{ github.event.issue.title }}"
        """)
    # the step sets ISSUE_TITLE to the same expression already: only the script changes
    new = _fixed(text)
    assert new.count("ISSUE_TITLE") == 2 and 'run: echo "$ISSUE_TITLE"' in new
    text = _wf("""\
        - env: {LANG: C}
          run: echo "${{ github.event.issue.title }}"
        """)
    new = _fixed(text)
    assert "env: {LANG: C, ISSUE_TITLE: '${{ github.event.issue.title }}'}" in new
    assert [f.rule for f in analyze(new, URI).findings] == []


def test_env_indirection_changes_only_the_script() -> None:
    text = _wf("""\
        - env:
            T: ${{ github.event.issue.title }}
          run: echo "${{ env.T }}"
        """)
    fixes = _fixes(text)
    assert [len(f.edits) for f in fixes] == [1]
    assert 'run: echo "$T"' in _fixed(text)


def test_javascript_code_is_offered_not_applied() -> None:
    text = _wf("""\
        - uses: actions/github-script@v7
          with:
            script: console.log(${{ github.event.issue.title }})
        """)
    fixes = _fixes(text)
    assert [f.preferred for f in fixes] == [False]
    assert fix_all(analyze(text, URI)) == []
