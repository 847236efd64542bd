"""Differential conformance against actionlint's own test suite (``../shared/corpora/actionlint-testdata``).

Its ``manifest.json`` lists every expected error (file, line, column, rule). In our categories
wfspec must report, at the same line, every expected error whose rule is ``job-needs`` or ``id``,
and every ``property "X" is not defined`` expression error of the contextual-object examples;
and it must report nothing at error level on the 84 files of ``ok/``. The agreement table
(expected, found, missed, extra per category) is printed: run pytest with ``-s`` to see it.

How our findings map onto actionlint's categories:

- ``job-needs``: ``cycle``, ``unknown-target`` and the ``schema`` finding about a job listed twice
  in ``needs``. actionlint anchors a job's ``needs`` problems at the job's key; RULES.md anchors
  ``unknown-target`` at the reference, so an expected error on a job's key line is also matched
  by a finding on that job's own ``needs`` entries (counted separately as "via needs entry").
- ``id``: ``duplicate-id`` for steps and the ``schema`` findings about invalid job and step ids.
- ``expression``: ``undefined-reference``.

"extra" counts our findings in a category at a line where actionlint expects nothing at all.

The family table measures EVERY expected error that carries a line (``err/`` and ``examples/``),
per actionlint family (its rule name): a hit is an error- or warning-level finding of wfspec, of
any rule, on that line or the next. "by rule" counts the hits made by a finding whose rule maps
onto that family (:data:`FAMILY_OF`); "extra" counts our error and warning findings, by the family
their rule maps onto, at lines where actionlint expects nothing on that line or the one before.
Each family has a floor (:data:`FLOORS`, what wfspec reaches today) so a regression fails. The
test skips when the shared corpus is absent.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from wfspec.analysis.engine import analyze
from wfspec.findings import Finding, Severity
from wfspec.syntax.tree import MapNode, ScalarNode, SeqNode

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
DATA = SHARED / "corpora" / "actionlint-testdata"
TESTDATA = DATA / "testdata"

EXPRESSION_FILES = (
    "examples/contextual_needs_object.yaml",
    "examples/contextual_steps_outputs.yaml",
    "examples/reusable_workflow_outputs.yaml",
    "examples/local_action_outputs.yaml",
    "err/workflow_call_outputs_sema.yaml",
)
CATEGORIES = ("job-needs", "id", "expression")
_NOT_DEFINED = re.compile(r'^property "[^"]+" is not defined')


def category(f: Finding) -> str | None:
    """The actionlint category of one of our findings, if it falls in one we compare."""
    if f.rule in ("cycle", "unknown-target"):
        return "job-needs"
    if f.rule == "schema" and '"needs"' in f.message and "listed twice" in f.message:
        return "job-needs"
    if f.rule == "schema" and f.message.startswith(("invalid job id", "invalid step id")):
        return "id"
    if f.rule == "duplicate-id" and f.message.startswith("duplicate step id"):
        return "id"
    if f.rule == "undefined-reference":
        return "expression"
    return None


def needs_lines(result_root: object) -> dict[int, set[int]]:
    """1-based job key line -> the 1-based lines of that job's ``needs`` entries."""
    out: dict[int, set[int]] = {}
    if not isinstance(result_root, MapNode):
        return out
    jobs = result_root.get("jobs")
    if not isinstance(jobs, MapNode):
        return out
    for key, body in jobs.items():
        if not isinstance(body, MapNode):
            continue
        needs = body.get("needs")
        items = (
            needs.items if isinstance(needs, SeqNode) else [needs] if isinstance(needs, ScalarNode) else []
        )
        out[key.span.start.line + 1] = {i.span.start.line + 1 for i in items}
    return out


@dataclass
class Tally:
    expected: int = 0
    found: int = 0
    via_needs: int = 0
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)


def _manifest() -> dict[str, object]:
    if not DATA.is_dir():
        pytest.skip("shared actionlint test data not present")
    return json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _analyze(rel: str) -> tuple[list[Finding], object]:
    path = TESTDATA / rel
    result = analyze(path.read_bytes(), path.as_uri(), dialect="github")
    return result.findings, result.doc.root


def agreement() -> tuple[dict[str, Tally], dict[str, list[str]]]:
    """Compare every err/ and examples/ case in our categories; collect error findings on ok/."""
    manifest = _manifest()
    items = manifest["items"]
    assert isinstance(items, list)
    tallies = {c: Tally() for c in CATEGORIES}
    ok_errors: dict[str, list[str]] = {}
    for item in items:
        kind = item["kind"]
        if kind == "ok":
            rel = item["workflow"]
            findings, _ = _analyze(rel)
            errors = [
                f"{f.span.start.line + 1}:{f.span.start.character + 1} {f.rule}: {f.message}"
                for f in findings
                if f.severity == Severity.ERROR
            ]
            ok_errors[rel] = errors
            continue
        if kind not in ("err", "examples"):
            continue
        rel = item["workflow"]
        findings, root = _analyze(rel)
        expected_lines: set[int] = set()
        wanted: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for e in item["expected_errors"]:
            if "line" not in e:
                continue  # a regular-expression line: not in our categories
            expected_lines.add(e["line"])
            rule = e["rule"]
            if rule in ("job-needs", "id"):
                wanted[rule].append((e["line"], e["message"]))
            elif rule == "expression" and rel in EXPRESSION_FILES and _NOT_DEFINED.match(e["message"]):
                wanted["expression"].append((e["line"], e["message"]))
        ours: dict[str, set[int]] = defaultdict(set)
        for f in findings:
            cat = category(f)
            if cat is not None and f.severity <= Severity.WARNING:
                ours[cat].add(f.span.start.line + 1)
        job_needs = needs_lines(root)
        for cat in CATEGORIES:
            t = tallies[cat]
            for line, message in wanted[cat]:
                t.expected += 1
                if line in ours[cat]:
                    t.found += 1
                elif cat == "job-needs" and job_needs.get(line, set()) & ours[cat]:
                    t.found += 1
                    t.via_needs += 1
                else:
                    t.missed.append(f"{rel}:{line}: {message}")
            if cat == "expression" and rel not in EXPRESSION_FILES:
                continue
            for line in sorted(ours[cat]):
                if line in expected_lines:
                    continue
                if cat == "job-needs" and any(
                    line in ls for k, ls in job_needs.items() if k in expected_lines
                ):
                    continue
                t.extra.append(f"{rel}:{line}")
    return tallies, ok_errors


def table(tallies: dict[str, Tally], ok_errors: dict[str, list[str]]) -> str:
    rows = [("category", "expected", "found", "missed", "extra")]
    for cat in CATEGORIES:
        t = tallies[cat]
        found = f"{t.found}" + (f" ({t.via_needs} via needs entry)" if t.via_needs else "")
        rows.append((cat, str(t.expected), found, str(len(t.missed)), str(len(t.extra))))
    bad = sum(1 for v in ok_errors.values() if v)
    rows.append(
        ("ok/ files with an error", str(len(ok_errors)), f"{len(ok_errors) - bad} clean", str(bad), "-")
    )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


#: our rule id -> the actionlint family it answers to (for "by rule" and "extra")
FAMILY_OF: dict[str, str] = {
    "syntax": "syntax-check",
    "schema": "syntax-check",
    "expression": "expression",
    "undefined-reference": "expression",
    "expression-type": "expression",
    "context-availability": "expression",
    "event": "events",
    "cron": "events",
    "glob": "glob",
    "constant-condition": "if-cond",
    "permissions": "permissions",
    "matrix": "matrix",
    "action-input": "action",
    "duplicate-id": "id",
    "credentials": "credentials",
    "runner-label": "runner-label",
    "deprecated-command": "deprecated-commands",
    "cycle": "job-needs",
    "unknown-target": "job-needs",
    "shell-name": "shell-name",
    "env-var": "env-var",
    "shellcheck": "shellcheck",
    "pyflakes": "pyflakes",
}

#: the number of expected errors wfspec finds per family today; fewer is a regression
FLOORS: dict[str, int] = {
    "syntax-check": 227,
    "expression": 102,
    "events": 52,
    "glob": 21,
    "if-cond": 20,
    "matrix": 19,
    "permissions": 19,
    "action": 18,
    "id": 11,
    "runner-label": 6,
    "workflow-call": 6,
    "deprecated-commands": 5,
    "job-needs": 5,
    "credentials": 6,
    "shell-name": 4,
    "env-var": 2,
    "shellcheck": 2,
    "pyflakes": 2,
}


@dataclass
class FamilyTally:
    expected: int = 0
    found: int = 0
    by_rule: int = 0
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)


def family_agreement() -> dict[str, FamilyTally]:
    """Every expected error with a line in ``err/`` and ``examples/``, per actionlint family."""
    manifest = _manifest()
    items = manifest["items"]
    assert isinstance(items, list)
    tallies: dict[str, FamilyTally] = defaultdict(FamilyTally)
    for item in items:
        if item["kind"] not in ("err", "examples"):
            continue
        rel = item["workflow"]
        findings, _ = _analyze(rel)
        loud = [f for f in findings if f.severity <= Severity.WARNING]
        lines: dict[int, set[str]] = defaultdict(set)  # 1-based line -> families of our rules there
        for f in loud:
            lines[f.span.start.line + 1].add(FAMILY_OF.get(f.rule, f.rule))
        expected_lines: set[int] = set()
        for e in item["expected_errors"]:
            if "line" not in e:
                continue
            line, fam = e["line"], e["rule"]
            expected_lines.add(line)
            t = tallies[fam]
            t.expected += 1
            near = lines.get(line, set()) | lines.get(line + 1, set())
            script = re.search(r"in this script: (\d+):\d+", e["message"])
            if script:
                # shellcheck and pyflakes: actionlint points at the ``run:`` key and gives the
                # script's own line; we point at that line (the key's line for an inline script,
                # the lines after it for a block)
                n = int(script.group(1))
                near |= lines.get(line + n - 1, set()) | lines.get(line + n, set())
                expected_lines |= {line + n - 1, line + n}
            if near:
                t.found += 1
                t.by_rule += fam in near
            else:
                t.missed.append(f"{rel}:{line}: {e['message'][:110]}")
        for f in loud:
            line = f.span.start.line + 1
            if line in expected_lines or line - 1 in expected_lines:
                continue
            tallies[FAMILY_OF.get(f.rule, f.rule)].extra.append(f"{rel}:{line} {f.rule}: {f.message[:110]}")
    return dict(tallies)


def family_table(tallies: dict[str, FamilyTally]) -> str:
    rows = [("family", "expected", "found", "by rule", "missed", "extra")]
    order = sorted(tallies, key=lambda k: (-tallies[k].expected, k))
    for fam in order:
        t = tallies[fam]
        rows.append(
            (fam, str(t.expected), str(t.found), str(t.by_rule), str(len(t.missed)), str(len(t.extra)))
        )
    exp = sum(t.expected for t in tallies.values())
    found = sum(t.found for t in tallies.values())
    rows.append(
        (
            "total",
            str(exp),
            f"{found} ({100 * found / max(exp, 1):.0f}%)",
            str(sum(t.by_rule for t in tallies.values())),
            str(sum(len(t.missed) for t in tallies.values())),
            str(sum(len(t.extra) for t in tallies.values())),
        )
    )
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


_CACHE: dict[str, tuple[dict[str, Tally], dict[str, list[str]]]] = {}
_FAMILY_CACHE: dict[str, dict[str, FamilyTally]] = {}


def _families() -> dict[str, FamilyTally]:
    if "r" not in _FAMILY_CACHE:
        _FAMILY_CACHE["r"] = family_agreement()
    return _FAMILY_CACHE["r"]


def test_family_table() -> None:
    tallies = _families()
    print("\nactionlint agreement per family (every expected error with a line)\n" + family_table(tallies))
    for fam in sorted(tallies):
        for m in tallies[fam].missed:
            print(f"  missed {fam}: {m}")
        for x in tallies[fam].extra:
            print(f"  extra {fam}: {x}")
    assert sum(t.expected for t in tallies.values()) >= 550


@pytest.mark.parametrize("family", sorted(FLOORS))
def test_family_floor(family: str) -> None:
    t = _families().get(family, FamilyTally())
    assert t.found >= FLOORS[family], f"{family}: {t.found} found, the floor is {FLOORS[family]}"


def _result() -> tuple[dict[str, Tally], dict[str, list[str]]]:
    if "r" not in _CACHE:
        _CACHE["r"] = agreement()
    return _CACHE["r"]


def test_agreement_table() -> None:
    tallies, ok_errors = _result()
    print("\nactionlint agreement (wfspec vs actionlint testdata)\n" + table(tallies, ok_errors))
    for cat in CATEGORIES:
        for m in tallies[cat].missed:
            print(f"  missed {cat}: {m}")
        for x in tallies[cat].extra:
            print(f"  extra {cat}: {x}")
    assert sum(t.expected for t in tallies.values()) >= 27


@pytest.mark.parametrize("cat", CATEGORIES)
def test_no_missed_expected_error(cat: str) -> None:
    tallies, _ = _result()
    assert tallies[cat].missed == []


def test_ok_files_have_no_error() -> None:
    _, ok_errors = _result()
    assert len(ok_errors) == 84
    assert {k: v for k, v in ok_errors.items() if v} == {}
