"""The GitHub Actions depth rules: deprecated-command (and its fix), constant-condition, cron,
glob, matrix, runner-label, event, credentials, shell-name, and environment variable names
(``schema``). Each rule's own Bad example fires it and its Good example
does not; then the edges of each check, the false positives it must not produce, and ``check
--fix`` rewriting deprecated commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wfspec.analysis.config import Config, ConfigError, from_mapping
from wfspec.analysis.engine import analyze
from wfspec.analysis.rules import BY_ID
from wfspec.analysis.rules.cron import CronError, parse, shortest_interval
from wfspec.cli import main
from wfspec.findings import Finding, Severity
from wfspec.fixes import apply_edits, fixes_for

RULES = (
    "deprecated-command",
    "constant-condition",
    "cron",
    "glob",
    "matrix",
    "runner-label",
    "event",
    "credentials",
    "shell-name",
)
_BLOCK = re.compile(r"(Bad|Good)::\n\n((?:    .*\n|\n)+)")


def _examples(rule: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for kind, block in _BLOCK.findall(BY_ID[rule].doc + "\n"):
        out[kind] = "\n".join(line[4:] for line in block.splitlines()).strip() + "\n"
    return out


def _findings(text: str, rule: str | None = None, config: Config | None = None) -> list[Finding]:
    found = analyze(text, "wf.yml", config, dialect="github").findings
    return [f for f in found if rule is None or f.rule == rule]


def _lines(text: str, rule: str, config: Config | None = None) -> list[int]:
    return [f.span.start.line + 1 for f in _findings(text, rule, config)]


@pytest.mark.parametrize("rule", RULES)
def test_the_docs_examples(rule: str) -> None:
    ex = _examples(rule)
    assert set(ex) == {"Bad", "Good"}
    assert _findings(ex["Bad"], rule), ex["Bad"]
    assert _findings(ex["Good"]) == []


def _wf(steps: str, runs_on: str = "ubuntu-latest", on: str = "push", extra: str = "") -> str:
    return f"on: {on}\njobs:\n  j:\n    runs-on: {runs_on}\n{extra}    steps:\n{steps}"


# -- deprecated-command -----------------------------------------------------------------------


def _fix_text(text: str) -> str:
    result = analyze(text, "wf.yml", dialect="github")
    (finding,) = [f for f in result.findings if f.rule == "deprecated-command"]
    (fix,) = fixes_for(result, finding)
    assert fix.preferred
    return apply_edits(text, fix.edits)


@pytest.mark.parametrize(
    "run, fixed",
    [
        ('echo "::set-output name=tag::v1"', 'echo "tag=v1" >> "$GITHUB_OUTPUT"'),
        ("echo '::save-state name=pid::$PID'", "echo 'pid=$PID' >> \"$GITHUB_STATE\""),
        ("echo ::set-env name=MODE::fast", 'echo "MODE=fast" >> "$GITHUB_ENV"'),
        ('echo "::add-path::$HOME/bin"', 'echo "$HOME/bin" >> "$GITHUB_PATH"'),
    ],
)
def test_deprecated_command_fix_in_a_literal_block(run: str, fixed: str) -> None:
    text = _wf(f"      - run: |\n          make\n          {run}\n          echo done\n")
    new = _fix_text(text)
    assert new == text.replace(run, fixed)
    # shellcheck (when installed) judges the rest of the script, not the rewrite
    assert [f for f in _findings(new) if f.rule not in ("shellcheck", "pyflakes")] == []


def test_deprecated_command_fix_follows_the_shell() -> None:
    text = _wf('      - run: echo "::set-output name=v::1"\n', runs_on="windows-latest")
    assert 'run: echo "v=1" >> $env:GITHUB_OUTPUT' in _fix_text(text)
    text = _wf('      - run: echo "::set-output name=v::1"\n        shell: cmd\n', runs_on="windows-latest")
    assert "run: echo v=1>> %GITHUB_OUTPUT%" in _fix_text(text)


def test_deprecated_command_severity_and_no_fix_when_unsafe() -> None:
    text = _wf(
        '      - run: "echo \\"::set-env name=A::b\\""\n'
        '      - run: |\n          echo "::set-output name=a::b" && echo next\n'
    )
    result = analyze(text, "wf.yml", dialect="github")
    found = [f for f in result.findings if f.rule == "deprecated-command"]
    assert [(f.span.start.line + 1, f.severity) for f in found] == [
        (6, Severity.ERROR),
        (8, Severity.WARNING),
    ]
    assert all(fixes_for(result, f) == [] for f in found)


def test_deprecated_command_ignores_other_commands() -> None:
    text = _wf('      - run: |\n          echo "::warning::careful"\n          echo "::group::x"\n')
    assert _findings(text, "deprecated-command") == []


def test_check_fix_rewrites_deprecated_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wf = tmp_path / ".github" / "workflows" / "ci.yml"
    wf.parent.mkdir(parents=True)
    wf.write_text(_wf('      - id: v\n        run: echo "::set-output name=tag::v1"\n'), encoding="utf-8")
    main(["check", "--fix", str(wf)])
    capsys.readouterr()
    assert 'run: echo "tag=v1" >> "$GITHUB_OUTPUT"' in wf.read_text(encoding="utf-8")
    assert _findings(wf.read_text(encoding="utf-8")) == []


# -- constant-condition -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "cond, flagged",
    [
        ("${{ github.ref == 'main' }} && ${{ github.event_name == 'push' }}", True),
        ("'${{ false }} '", True),
        ("'!${{ true }}'", True),
        ("|\n      ${{ github.event_name == 'push' }}", True),
        ("false", True),
        ("${{ true }}", True),
        ("contains(format('{0}', 'a'), 'a')", True),
        ("${{ github.ref == 'main' }}", False),
        ("github.ref == 'main'", False),
        ("success()", False),
        ("always() && false", False),
        ("hashFiles('x') != ''", False),
    ],
)
def test_constant_condition(cond: str, flagged: bool) -> None:
    text = f"on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    if: {cond}\n    steps:\n      - run: x\n"
    assert bool(_findings(text, "constant-condition")) == flagged, _findings(text)


# -- cron -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cron, interval",
    [
        ("*/5 * * * *", 5),
        ("* */3 * * *", 1),
        ("*/4 * * * *", 4),
        ("0 0 * * SUN", 60),
        ("0,30 9-17 * JAN-MAR 1-5", 30),
    ],
)
def test_cron_parse(cron: str, interval: int) -> None:
    assert shortest_interval(parse(cron)) == interval


@pytest.mark.parametrize(
    "cron",
    [
        "0 */3 * *",
        "60 * * * *",
        "0 24 * * *",
        "0 0 0 * *",
        "0 0 * 13 *",
        "0 0 * * 7",
        "5-1 * * * *",
        "*/0 * * * *",
        "0 0 * * FUNDAY",
        "0,,1 * * * *",
    ],
)
def test_cron_errors(cron: str) -> None:
    with pytest.raises(CronError):
        parse(cron)


def test_cron_findings() -> None:
    text = (
        "on:\n  schedule:\n    - cron: '0 */3 * *'\n    - cron: '* * * * *'\n    - cron: '$cron-daily'\n"
        "    - cron: '0 2 * * 1'\n      timezone: Asia/Somewhere\n    - cron: '0 2 * * 1'\n      timezone: Europe/Berlin\n"
        "jobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: x\n"
    )
    got = [(f.span.start.line + 1, f.severity) for f in _findings(text, "cron")]
    assert got == [(3, Severity.ERROR), (4, Severity.WARNING), (7, Severity.WARNING)]
    assert _findings(text, "schema") == []


# -- glob -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, pattern, ok",
    [
        ("branches", "'**'", True),
        ("branches", "'releases/v[0-9]+'", True),
        ("branches", "'!main'", True),
        ("branches", "$default-branch", True),
        ("tags", "'v*.*.*'", True),
        ("paths", "'src/**/*.py'", True),
        ("paths", "'!docs/**'", True),
        ("paths", "'foo\\bar'", True),
        ("branches", "'^foo-'", False),
        ("branches", "'a b'", False),
        ("branches", "'/v1'", False),
        ("branches", "'feature/'", False),
        ("branches", "'a..b'", False),
        ("tags", "'v\\d+'", False),
        ("tags", "'v*+'", False),
        ("tags", "'v[9-1]'", False),
        ("tags", "'v[0-'", False),
        ("tags", "'!'", False),
        ("paths", "'./foo'", False),
        ("paths", "'a/../b'", False),
        ("paths", "' foo'", False),
    ],
)
def test_glob(kind: str, pattern: str, ok: bool) -> None:
    on = f"\n  push:\n    {kind}:\n      - {pattern}"
    text = f"on:{on}\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: x\n"
    errors = [f for f in _findings(text, "glob") if f.severity == Severity.ERROR]
    assert (errors == []) == ok, errors


def test_glob_single_character_set_is_a_warning() -> None:
    text = "on:\n  push:\n    branches: ['[x]']\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: x\n"
    assert [f.severity for f in _findings(text, "glob")] == [Severity.WARNING]


# -- matrix -----------------------------------------------------------------------------------


def _matrix(body: str) -> str:
    return (
        "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n"
        + body
        + "    steps:\n      - run: x\n"
    )


def test_matrix_duplicates_and_excludes() -> None:
    text = _matrix(
        "        node: [14, 16, 14]\n        os: [{name: a, v: 1}]\n        exclude:\n"
        "          - node: 13\n          - platform: x\n          - os: {name: a}\n          - os: {name: b}\n"
        "        include:\n          - extra: 1\n"
    )
    got = [(f.span.start.line + 1, f.data["kind"]) for f in _findings(text, "matrix")]
    assert got == [(7, "duplicate"), (10, "exclude-value"), (11, "exclude-key"), (13, "exclude-value")]


@pytest.mark.parametrize(
    "body",
    [
        "        ${{ fromJSON(needs.a.outputs.m) }}\n",
        "        os: ${{ fromJSON(inputs.oses) }}\n        exclude:\n          - os: windows\n",
        "        os: [a, b]\n        exclude:\n          - os: ${{ inputs.skip }}\n",
        "        os: [a, '${{ inputs.more }}']\n        exclude:\n          - os: c\n",
    ],
)
def test_dynamic_matrices_are_never_flagged(body: str) -> None:
    text = _matrix(body).replace("      matrix:\n        ${{", "      matrix: ${{")
    assert _findings(text, "matrix") == []


# -- runner-label -----------------------------------------------------------------------------


def test_runner_labels() -> None:
    assert _lines(_wf("      - run: x\n", "[ubuntu-latest, windows-latest]"), "runner-label") == [4]
    assert _lines(_wf("      - run: x\n", "[ubuntu-latest, ubuntu-24.04]"), "runner-label") == []
    assert _lines(_wf("      - run: x\n", "[self-hosted, linux, ARM64]"), "runner-label") == []
    assert _lines(_wf("      - run: x\n", "ubuntu-lates"), "runner-label") == [4]
    assert _lines(_wf("      - run: x\n", "${{ inputs.runner }}"), "runner-label") == []
    assert _lines(_wf("      - run: x\n", "{group: big, labels: [gpu]}"), "runner-label") == []


def test_runner_labels_from_configuration() -> None:
    text = _wf("      - run: x\n", "[self-hosted, gpu-a100]")
    assert _lines(text, "runner-label") == [4]
    config = from_mapping({"runner-labels": ["gpu-*"]})
    assert config.runner_labels == ("gpu-*",)
    assert _lines(text, "runner-label", config) == []
    with pytest.raises(ConfigError):
        from_mapping({"runner-labels": "gpu"})


def test_runner_label_conflict_through_the_matrix() -> None:
    text = (
        "on: push\njobs:\n  j:\n    strategy:\n      matrix:\n        os: [windows-latest, ubuntu-24.04]\n"
        "    runs-on: [ubuntu-latest, '${{ matrix.os }}']\n    steps:\n      - run: x\n"
    )
    assert [(f.span.start.line + 1, f.severity) for f in _findings(text, "runner-label")] == [
        (6, Severity.ERROR)
    ]


# -- event ------------------------------------------------------------------------------------


def test_activity_types() -> None:
    text = "on:\n  issues:\n    types: [opened, created]\n  pull_request:\n    types: [synchronize]\n" + (
        "jobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: x\n"
    )
    assert _lines(text, "event") == [3]


def test_dispatch_and_call_inputs() -> None:
    text = (
        "on:\n  workflow_dispatch:\n    inputs:\n"
        "      a:\n        type: choice\n        options: []\n"  # 4: no options
        "      b:\n        type: choice\n        options: [x, y, x]\n        default: z\n"  # 9, 10
        "      c:\n        type: boolean\n        default: yes\n"  # 13
        "      d:\n        type: number\n        default: ten\n"  # 16
        "      e:\n        type: string\n        options: [x]\n"  # 17: at the input, the options related
        "      f:\n        type: choice\n        options: [x]\n        default: x\n"
        "  workflow_call:\n    inputs:\n"
        "      g:\n        type: number\n        required: true\n        default: 3\n"  # 29
        "jobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: x\n"
    )
    assert _lines(text, "event") == [4, 9, 10, 13, 16, 17, 29]


def test_exclusive_filters_are_reported_at_the_later_key() -> None:
    text = "on:\n  push:\n    branches-ignore: [a]\n    branches: [b]\n" + (
        "jobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: x\n"
    )
    assert [f.span.start.line + 1 for f in _findings(text, "schema")] == [4]


# -- credentials, shell-name, environment variable names --------------------------------------


def test_credentials() -> None:
    text = _wf(
        "      - run: x\n",
        extra="    container:\n      image: a\n      credentials:\n        username: u\n        password: pw\n"
        "    services:\n      s:\n        image: b\n        credentials:\n          username: u\n"
        "          password: ${{ secrets.P }}\n",
    )
    assert _lines(text, "credentials") == [9]


@pytest.mark.parametrize(
    "runs_on, shell, ok",
    [
        ("ubuntu-latest", "bash", True),
        ("ubuntu-latest", "powershell", False),
        ("ubuntu-latest", "PWSH", True),
        ("ubuntu-latest", "fish", False),
        ("ubuntu-latest", "fish {0}", True),
        ("windows-latest", "sh", False),
        ("windows-latest", "PowerShell", True),
        ("windows-latest", "cmd", True),
        ("macos-latest", "cmd", False),
        ("${{ inputs.os }}", "cmd", True),
        ("[self-hosted, windows]", "cmd", True),
    ],
)
def test_shell_names_per_runner(runs_on: str, shell: str, ok: bool) -> None:
    text = _wf(f"      - run: x\n        shell: {shell}\n", runs_on)
    assert (_findings(text, "shell-name") == []) == ok


def test_shell_names_follow_the_matrix() -> None:
    text = (
        "on: push\njobs:\n  j:\n    strategy:\n      matrix:\n        os: [ubuntu-latest, windows-latest]\n"
        "    runs-on: ${{ matrix.os }}\n    steps:\n      - run: x\n        shell: cmd\n      - run: x\n        shell: bash\n"
    )
    assert _lines(text, "shell-name") == [10]


def test_environment_variable_names() -> None:
    text = _wf("      - run: x\n", extra="    env:\n      GOOD_NAME: a\n      FOO=BAR: b\n      FOO BAR: c\n")
    assert [f.message for f in _findings(text, "schema")] == [
        'invalid environment variable name "FOO=BAR": it cannot contain "="',
        'invalid environment variable name "FOO BAR": it cannot contain a space',
    ]


# -- schema: keys GitHub compares case-insensitively, empty runners, positive numbers ----------


def _schema(text: str) -> list[tuple[int, Severity]]:
    return [(f.span.start.line + 1, f.severity) for f in _findings(text, "schema")]


def test_keys_that_differ_only_in_case() -> None:
    text = (
        "on:\n  workflow_call:\n    inputs:\n      foo: {type: string}\n      FOO: {type: string}\n"
        "env:\n  a: 1\n  A: 2\n  b: 3\n"
        "jobs:\n  j:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        v: [1]\n        V: [2]\n"
        "    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: main\n          REF: dev\n"
    )
    assert _schema(text) == [
        (5, Severity.WARNING),
        (8, Severity.WARNING),
        (16, Severity.WARNING),
        (21, Severity.WARNING),
    ]


@pytest.mark.parametrize("runs_on", ["[]", "''", "['x64', '']", "{group: g, labels: []}"])
def test_runs_on_must_name_a_runner(runs_on: str) -> None:
    assert _schema(_wf("      - run: x\n", runs_on)) == [(4, Severity.ERROR)]


@pytest.mark.parametrize(
    "extra, line",
    [
        ("    timeout-minutes: 0\n", 5),
        ("    timeout-minutes: -3.5\n", 5),
        ("    strategy:\n      max-parallel: 0\n      matrix: {a: [1]}\n", 6),
        ("    strategy:\n      max-parallel: 1.5\n      matrix: {a: [1]}\n", 6),
        ("    strategy:\n      matrix:\n        a: []\n", 7),
        ("    container:\n      image: ''\n", 6),
        ("    container:\n      image: a\n      credentials:\n        username: u\n", 8),
    ],
)
def test_values_github_rejects(extra: str, line: int) -> None:
    assert [ln for ln, _ in _schema(_wf("      - run: x\n", extra=extra))] == [line]


@pytest.mark.parametrize(
    "extra",
    [
        "    timeout-minutes: 30\n",
        "    timeout-minutes: 0.5\n",
        "    strategy:\n      max-parallel: 2\n      matrix: {a: [1]}\n",
        "    strategy:\n      max-parallel: ${{ inputs.n }}\n      matrix: {a: [1]}\n",
        "    container:\n      image: a\n      credentials: ${{ fromJSON(secrets.C) }}\n",
        "    container:\n      image: a\n      credentials:\n        username: u\n        password: ${{ secrets.P }}\n",
    ],
)
def test_values_github_accepts(extra: str) -> None:
    assert _schema(_wf("      - run: x\n", extra=extra)) == []


@pytest.mark.parametrize(
    "permissions, ok",
    [
        ("{id-token: write}", True),
        ("{id-token: read}", False),
        ("{models: read}", True),
        ("{models: write}", False),
        ("{contents: write}", True),
    ],
)
def test_permission_levels_per_scope(permissions: str, ok: bool) -> None:
    text = f"on: push\npermissions: {permissions}\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: x\n"
    assert (_schema(text) == []) == ok


@pytest.mark.parametrize(
    "uses, ok",
    [
        ("./.github/workflows/ci.yml", True),
        ("octo/repo/.github/workflows/ci.yml@v1", True),
        ("./.github/workflows/ci.yml@main", False),
        ("/octo/repo/ci.yml@main", False),
    ],
)
def test_reusable_workflow_reference(uses: str, ok: bool) -> None:
    text = f"on: push\njobs:\n  call:\n    uses: {uses}\n"
    errors = [ln for ln, sev in _schema(text) if sev == Severity.ERROR]
    assert (errors == []) == ok


@pytest.mark.parametrize(
    "text, line",
    [
        ("on:\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: x\n", 1),
        ("on: []\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: x\n", 1),
        ("on: push\njobs:\n", 2),
        ("on: schedule\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: x\n", 1),
        ("on: [push, schedule]\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: x\n", 1),
    ],
)
def test_a_workflow_that_never_runs_anything(text: str, line: int) -> None:
    assert [ln for ln, sev in _schema(text) if sev == Severity.ERROR] == [line]


def test_a_disabled_command_only_mentioned_is_a_warning() -> None:
    text = _wf(
        "      - run: |\n          # we dropped ::set-env long ago\n          grep -r '::add-path::' .\n"
    )
    assert [f.severity for f in _findings(text, "deprecated-command")] == [Severity.WARNING, Severity.WARNING]
