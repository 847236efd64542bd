"""An unresolved ``then`` leads nowhere: it neither hides real faults nor adds a cascade of
unreachable tasks; its finding counts the tasks it masks, and validation counts them too."""

from __future__ import annotations

from wfspec.analysis import masking
from wfspec.analysis.engine import analyze
from wfspec.findings import Finding
from wfspec.llm.validate import check_insertion, diff_findings

HEAD = """\
document:
  dsl: '1.0.3'
  namespace: test
  name: masking
  version: '0.1.0'
do:
"""

TYPO = (
    HEAD
    + """\
  - classify:
      set:
        category: billing
      then: routeTicket
  - routeTickets:
      set:
        routed: true
  - notify:
      set:
        sent: true
      then: end
"""
)


def _rules(text: str) -> list[str]:
    return [f.rule for f in analyze(text, "file:///t.sw.yaml").findings]


def _find(text: str, rule: str) -> Finding:
    (f,) = [f for f in analyze(text, "file:///t.sw.yaml").findings if f.rule == rule]
    return f


def test_a_typo_reports_the_tasks_it_masks_instead_of_a_cascade() -> None:
    result = analyze(TYPO, "file:///t.sw.yaml")
    assert [f.rule for f in result.findings] == ["unknown-target"]
    (f,) = result.findings
    assert f.message == (
        'unknown task "routeTicket"; did you mean "routeTickets"? 2 tasks are unreachable until this is fixed'
    )
    assert f.data["unreachable"] == ["routeTickets", "notify"]
    assert [r.message for r in f.related] == [
        '"routeTickets" is unreachable until this is fixed',
        '"notify" is unreachable until this is fixed',
    ]
    assert [r.span.start.line for r in f.related] == [TYPO.splitlines().index("  - routeTickets:")] + [
        TYPO.splitlines().index("  - notify:")
    ]
    # the graph: the typo leads nowhere (no hub making every task reachable)
    assert result.graph is not None
    assert not any(n.endswith("#any") for n in result.graph.graph.nodes)
    assert [e.target_name for e in result.graph.dangling] == ["routeTicket"]
    assert not {"/do/1/routeTickets", "/do/2/notify"} & result.graph.reachable()


def test_a_typo_does_not_hide_a_task_that_is_unreachable_anyway() -> None:
    # "orphan" follows a then: end and nothing names it; the typo at the start once made it
    # reachable through the unresolved hub
    text = TYPO + "  - orphan:\n      set:\n        lost: true\n"
    f = _find(text, "unreachable")
    assert f.message == 'task "orphan" is unreachable: no path from the start leads to it'
    assert _find(text, "unknown-target").data["unreachable"] == ["routeTickets", "notify"]


def test_a_typo_without_a_suggestion_may_have_meant_any_task_of_its_block() -> None:
    text = TYPO.replace("then: routeTicket", "then: zzzqqq")
    f = _find(text, "unknown-target")
    assert f.data["suggestion"] is None
    assert f.data["unreachable"] == ["routeTickets", "notify"]
    assert "unreachable" not in _rules(text)


def test_fixing_the_typo_leaves_no_finding() -> None:
    assert _rules(TYPO.replace("then: routeTicket", "then: routeTickets")) == []


def test_a_typo_out_of_a_loop_is_no_loop_without_exit() -> None:
    text = (
        HEAD
        + """\
  - poll:
      set:
        tries: ${ .tries + 1 }
      then: check
  - check:
      switch:
        - again:
            when: ${ .tries < 3 }
            then: poll
        - done:
            then: finsh
  - finish:
      set:
        done: true
"""
    )
    assert _rules(text) == ["unknown-target"]
    assert _find(text, "unknown-target").data["unreachable"] == ["finish"]


def test_with_the_rule_off_the_masked_tasks_are_plain_unreachable_findings() -> None:
    from wfspec.analysis.config import Config

    result = analyze(TYPO, "file:///t.sw.yaml", Config(ignore=frozenset({"unknown-target"})))
    assert [f.message for f in result.findings] == [
        'task "routeTickets" is unreachable: no path from the start leads to it',
        'task "notify" is unreachable: no path from the start leads to it',
    ]


def test_with_masked_restores_the_unreachable_findings() -> None:
    f = _find(TYPO, "unknown-target")
    restored = masking.with_masked([f])
    assert [(g.rule, g.message, g.span.start.line) for g in restored[1:]] == [
        ("unreachable", 'task "routeTickets" is unreachable: no path from the start leads to it', 10),
        ("unreachable", 'task "notify" is unreachable: no path from the start leads to it', 13),
    ]


def test_validation_counts_masked_tasks_as_findings() -> None:
    # a typo that masks nothing, then a suggestion appends tasks that only the typo reaches:
    # they are faults, even though no unreachable finding is reported while the typo is there
    original_text = (
        HEAD
        + """\
  - classify:
      set:
        category: billing
  - route:
      switch:
        - billing:
            when: ${ .category == "billing" }
            then: end
        - other:
            then: zzzqqq
"""
    )
    original = analyze(original_text, "file:///t.sw.yaml")
    assert [f.rule for f in original.findings] == ["unknown-target"]
    assert "unreachable" not in original.findings[0].data
    inserted = (
        "  - askBilling:\n      set:\n        asked: true\n  - reply:\n      set:\n        sent: true\n"
    )
    new_text = original_text + inserted
    after = analyze(new_text, "file:///t.sw.yaml")
    assert "unreachable" not in [f.rule for f in after.findings]  # masked, not reported
    added, _removed = diff_findings(original.findings, after.findings)
    assert sorted(f.message for f in added if f.rule == "unreachable") == [
        'task "askBilling" is unreachable: no path from the start leads to it',
        'task "reply" is unreachable: no path from the start leads to it',
    ]
    at = (len(original_text), len(original_text))
    verdict = check_insertion(original, new_text, at=at)
    assert not verdict.ok and any(f.rule == "unreachable" for f in verdict.added)


def test_a_repair_that_strands_a_masked_task_is_refused() -> None:
    from wfspec.fixes import TextEdit
    from wfspec.llm.validate import check_repair

    original = analyze(TYPO, "file:///t.sw.yaml")
    (target,) = [f for f in original.findings if f.rule == "unknown-target"]
    assert [m["name"] for m in target.data["masked"]] == ["routeTickets", "notify"]
    bad = TYPO.index("then: routeTicket\n") + len("then: ")
    # pointing the typo at "notify" clears it but leaves "routeTickets" unreachable
    wrong = check_repair(original, [TextEdit(bad, bad + len("routeTicket"), "notify")], target)
    assert not wrong.ok and [f.rule for f in wrong.added] == ["unreachable"]
    right = check_repair(original, [TextEdit(bad, bad + len("routeTicket"), "routeTickets")], target)
    assert right.ok, right.reason
