"""A ``runs-on`` label that is neither a GitHub-hosted runner label, a standard self-hosted label
(``self-hosted``, ``linux``, ``windows``, ``macos``, ``x64``, ``arm``, ``arm64``), nor configured
under ``[tool.wfspec] runner-labels`` (``*`` globs allowed), a warning; and two GitHub-hosted
labels in one ``runs-on`` (a runner has only one image, so no runner ever takes the job), an
error (``ubuntu-latest`` with ``ubuntu-24.04`` is none: the first may be the second). An exact ``${{ matrix.KEY }}`` label stands for each static value of that matrix row; other
expressions and runner groups are not checked. The range is the label.

Bad::

    on: push
    jobs:
      build:
        runs-on: [ubuntu-latest, windows-latest]
        steps:
          - run: make

Good::

    on: push
    jobs:
      build:
        strategy:
          matrix:
            os: [ubuntu-latest, windows-latest]
        runs-on: ${{ matrix.os }}
        steps:
          - run: make
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from fnmatch import fnmatchcase

from wfspec.analysis.rules.base import Context, did_you_mean, make_rule
from wfspec.dialects.github import facts
from wfspec.dialects.github.nodes import entries
from wfspec.findings import Finding, Related, Severity
from wfspec.syntax.tree import ScalarNode, SeqNode

#: GitHub-hosted runner labels (standard and larger macOS images)
HOSTED = frozenset(
    """ubuntu-latest ubuntu-26.04 ubuntu-24.04 ubuntu-22.04 ubuntu-20.04 ubuntu-26.04-arm ubuntu-24.04-arm
    ubuntu-22.04-arm ubuntu-slim windows-latest windows-2025 windows-2022 windows-2019 windows-11-arm
    macos-latest macos-26 macos-15 macos-14 macos-13 macos-26-intel macos-15-intel macos-latest-large
    macos-26-large macos-15-large macos-14-large macos-13-large macos-latest-xlarge macos-26-xlarge
    macos-15-xlarge macos-14-xlarge macos-13-xlarge""".split()
)
#: GitHub-hosted labels whose images GitHub has removed
RETIRED = frozenset(
    "ubuntu-16.04 ubuntu-18.04 macos-10.13 macos-10.14 macos-10.15 macos-11 macos-12 windows-2016".split()
)
#: labels every self-hosted runner may carry
SELF_HOSTED = frozenset("self-hosted linux windows macos x64 arm arm64".split())
_PLACEHOLDER = re.compile(r"^\$[a-z][a-z-]*$")


def _image(label: str) -> tuple[str, str, str]:
    """(operating system, variant, version) of a GitHub-hosted label; version "latest" or a
    number (``ubuntu-24.04-arm`` -> ("ubuntu", "arm", "24.04"))."""
    parts = label.lower().split("-")
    variant = parts[-1] if len(parts) > 2 and parts[-1] in ("arm", "intel", "large", "xlarge") else ""
    return parts[0], variant, parts[1] if len(parts) > 1 else ""


def conflict(a: str, b: str) -> bool:
    """Two GitHub-hosted labels no single runner has: another system or variant, or two pinned
    versions (a ``-latest`` label may be the pinned version it points to today)."""
    (os_a, var_a, ver_a), (os_b, var_b, ver_b) = _image(a), _image(b)
    if os_a != os_b or var_a != var_b:
        return True
    return "latest" not in (ver_a, ver_b) and ver_a != ver_b


def _configured(label: str, patterns: tuple[str, ...]) -> bool:
    low = label.lower()
    return any(fnmatchcase(low, p.lower()) for p in patterns)


def _matrix_values(job: facts.Job, key: str) -> list[ScalarNode] | None:
    if job.matrix is None:
        return None
    for k, v in entries(job.matrix):
        if k.value == key:
            if isinstance(v, SeqNode) and all(
                isinstance(i, ScalarNode) and "${{" not in i.value for i in v.items
            ):
                return [i for i in v.items if isinstance(i, ScalarNode)]
            return None
    return None


def check(ctx: Context) -> Iterable[Finding]:
    patterns = ctx.config.runner_labels
    for job in facts.of(ctx.workflow.payload).jobs:
        if job.group is not None:
            continue
        fixed: list[ScalarNode] = []
        from_matrix: list[tuple[ScalarNode, list[ScalarNode]]] = []
        for label in job.labels:
            if label.matrix_key is None:
                fixed.append(label.node)
                continue
            values = _matrix_values(job, label.matrix_key)
            if values is not None:
                from_matrix.append((label.node, values))
        for node in [*fixed, *(v for _, vs in from_matrix for v in vs)]:
            name = node.value.strip()
            low = name.lower()
            if not name or _PLACEHOLDER.match(name) or low in HOSTED or low in SELF_HOSTED:
                continue
            if _configured(name, patterns):
                continue
            if low in RETIRED:
                yield RULE.finding(
                    node.span,
                    f'the GitHub-hosted runner "{name}" was retired, so no runner takes this job'
                    f"{did_you_mean(name, HOSTED)}",
                    data={"label": name, "job": job.name, "kind": "retired"},
                )
                continue
            yield RULE.finding(
                node.span,
                f'unknown runner label "{name}": it is not GitHub-hosted and not listed under [tool.wfspec] '
                f"runner-labels{did_you_mean(name, HOSTED)}",
                data={"label": name, "job": job.name, "kind": "unknown"},
            )
        hosted = [n for n in fixed if n.value.strip().lower() in HOSTED]
        if hosted:
            first = hosted[0]
            others = hosted[1:] + [
                v for _, vs in from_matrix for v in vs if v.value.strip().lower() in HOSTED
            ]
            for node in others:
                if not conflict(first.value.strip(), node.value.strip()):
                    continue
                yield RULE.finding(
                    node.span,
                    f'label "{node.value}" conflicts with "{first.value}" in the runs-on of job "{job.name}": '
                    "a GitHub-hosted runner has one image, so no runner takes this job; use a matrix to run "
                    "on each",
                    related=[Related(first.span, f'"{first.value}"')],
                    severity=Severity.ERROR,
                    data={"label": node.value, "job": job.name, "kind": "conflict"},
                )


RULE = make_rule(
    __name__,
    Severity.WARNING,
    "a runs-on label that is neither GitHub-hosted nor configured",
    check,
    dialects=frozenset({"github"}),
)
