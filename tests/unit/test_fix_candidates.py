"""Candidate fixes read from finding data, and their ranking on evidence (small specs, answers
checked by hand)."""

from __future__ import annotations

from wfspec.analysis.engine import Analysis, analyze
from wfspec.analysis.hints import suggestion_data
from wfspec.findings import Finding
from wfspec.fixes import apply_edits, fix_all, fixes_for, ranking
from wfspec.fixes.candidates import candidates, derived_name
from wfspec.llm.validate import check_repair

HEAD = """\
document:
  dsl: '1.0.3'
  namespace: test
  name: candidates
  version: '0.1.0'
"""

GHA = """\
name: CI
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        id: node
      - run: echo "tag=v1" >> "$GITHUB_OUTPUT"
        id: meta
      - run: echo "${{ steps.meta.outputs.tag }}"
  test:
    needs: [build]
    runs-on: ubuntu-latest
    steps:
      - run: echo test
  deploy:
    needs: [test]
    runs-on: ubuntu-latest
    steps:
      - run: ./deploy.sh
"""


def _finding(text: str, rule: str, uri: str = "t.sw.yaml") -> tuple[Analysis, Finding]:
    a = analyze(text, uri)
    found = [f for f in a.findings if f.rule == rule]
    assert found, [(f.rule, f.message) for f in a.findings]
    return a, found[0]


def _ranked(a: Analysis, f: Finding) -> list[ranking.Ranked]:
    options = []
    for c in candidates(a, f):
        verdict = check_repair(a, c.edits, f)
        if verdict.ok:
            options.append((c, verdict.analysis))
    return ranking.rank(a, f, options)


def _best(text: str, rule: str, uri: str = "t.sw.yaml") -> str:
    a, f = _finding(text, rule, uri)
    ranked = _ranked(a, f)
    assert ranked
    return apply_edits(text, ranked[0].fix.edits)


# -- string evidence ------------------------------------------------------------------------


def test_distance_counts_a_swap_as_one_edit() -> None:
    assert ranking.distance("tset", "test") == 1
    assert ranking.distance("informHr", "informHrStep") == 4
    assert ranking.is_typo("pgaeOnCall", "pageOnCall")
    assert not ranking.is_typo("informHr", "informHrStep")
    assert ranking.differs_by_words("informHr", "informHrStep")
    assert ranking.differs_by_words("publish-job", "publish")
    assert not ranking.differs_by_words("backend", "frontend")
    assert ranking.similarity("openTicket", "unknownSeverity") < 0.5


def test_suggestion_data_names_the_misspelt_value_not_the_key() -> None:
    text = "method: message/sent\n"
    msg = 'unsupported value "message/sent" for "method"; did you mean "message/send"?'
    assert suggestion_data(text, 0, 6, msg) == {"name": "message/sent", "suggestion": "message/send"}
    assert suggestion_data(text, 0, 6, 'unknown key "method"') == {}


# -- unknown-target: a typo or a rename -----------------------------------------------------


def test_a_typo_in_a_then_changes_the_reference() -> None:
    text = (
        HEAD
        + "do:\n  - a:\n      set: {x: 1}\n      then: notfiy\n  - b:\n      set: {y: 1}\n      then: end\n  - notify:\n      set: {z: 1}\n"
    )
    assert "then: notify\n" in _best(text, "unknown-target")


def test_a_task_renamed_with_a_word_added_is_renamed_back() -> None:
    text = (
        HEAD
        + "do:\n  - a:\n      set: {x: 1}\n      then: notify\n  - b:\n      set: {y: 1}\n      then: end\n  - notifyStep:\n      set: {z: 1}\n"
    )
    best = _best(text, "unknown-target")
    assert "  - notify:\n" in best and "then: notify\n" in best
    a, f = _finding(text, "unknown-target")
    assert 'Rename task "notifyStep" to "notify"' in [x.title for x in fixes_for(a, f)]


# -- loops and scopes -----------------------------------------------------------------------


def test_a_loop_is_broken_at_the_then_that_jumps_back_from_the_last_task() -> None:
    body = "do:\n  - a:\n      set: {x: 1}\n  - b:\n      set: {y: 1}\n  - c:\n      set: {z: 1}\n"
    text = HEAD + body + "      then: a\n"
    assert _best(text, "loop-without-exit") == HEAD + body
    a, f = _finding(text, "loop-without-exit")
    assert 'Remove "then: a" from "c"' in [x.title for x in fixes_for(a, f)]


def test_a_then_out_of_its_block_becomes_exit() -> None:
    text = HEAD + (
        "do:\n  - outer:\n      do:\n        - log:\n            set: {logged: true}\n"
        "        - check:\n            set: {ok: true}\n            then: publish\n  - publish:\n      set: {done: true}\n"
    )
    assert "            then: exit\n" in _best(text, "out-of-scope-target")


def test_a_then_out_of_its_block_from_a_task_named_for_stopping_becomes_end() -> None:
    """A task named for stopping (``stopOrder``) that jumps out of its block ends the flow:
    exit would go on with the tasks after the block."""
    text = HEAD + (
        "do:\n  - start:\n      set: {s: 1}\n  - outer:\n      do:\n        - check:\n            switch:\n"
        "              - failed:\n                  when: ${ .failed }\n                  then: stopOrder\n"
        "              - fine:\n                  then: exit\n"
        "        - stopOrder:\n            set: {status: failed}\n            then: start\n  - ship:\n      set: {done: true}\n"
    )
    assert "            then: end\n" in _best(text, "out-of-scope-target")
    plain = text.replace("stopOrder", "noteOrder")  # a name that says nothing of stopping: exit
    assert "            then: exit\n" in _best(plain, "out-of-scope-target")


# -- undefined references ---------------------------------------------------------------------


def test_a_rename_to_an_unrelated_name_is_not_shown() -> None:
    text = HEAD + (
        "use:\n  functions:\n    unknownSeverity:\n      call: http\n      with: {method: get, endpoint: 'https://x.example/a'}\n"
        "do:\n  - a:\n      call: unknownSeverity\n  - b:\n      call: openTicket\n"
    )
    a, f = _finding(text, "undefined-reference")
    ranked = _ranked(a, f)
    assert [r.fix.title for r in ranked] == ['Change to "unknownSeverity"']
    assert ranking.top(ranked) == []


def test_a_secret_goes_into_a_sorted_list_at_its_place() -> None:
    text = HEAD + (
        "use:\n  secrets:\n    - alpha\n    - gamma\n"
        "do:\n  - a:\n      set:\n        x: ${ $secrets.alpha + $secrets.beta + $secrets.gamma }\n"
    )
    assert "    - alpha\n    - beta\n    - gamma\n" in _best(text, "undefined-reference")


def test_a_missing_step_id_is_placed_as_this_workflow_places_ids() -> None:
    text = GHA.replace("        id: meta\n", "")
    # here ids follow ``uses:`` (step 2); a step that starts with ``run:`` has no such line,
    # and gets its id first
    best = _best(text, "undefined-reference", "file:///ci.yml")
    assert '      - id: meta\n        run: echo "tag=v1" >> "$GITHUB_OUTPUT"\n' in best


def test_a_missing_need_keeps_a_sorted_flow_list_sorted() -> None:
    text = GHA.replace("needs: [test]", "needs: [test]\n    if: needs.build.result == 'success'")
    a, f = _finding(text, "undefined-reference", "file:///ci.yml")
    assert f.data.get("missing_need") == "build"
    assert "needs: [build, test]" in apply_edits(text, _ranked(a, f)[0].fix.edits)


def test_a_misspelt_step_read_gains_a_quick_fix_from_its_data() -> None:
    text = GHA.replace("steps.meta.outputs", "steps.mtea.outputs")
    a, f = _finding(text, "undefined-reference", "file:///ci.yml")
    assert f.data["name"] == "mtea" and f.data["suggestion"] == "meta"
    assert apply_edits(text, fix_all(a)) == GHA


# -- duplicate names --------------------------------------------------------------------------


def test_a_copied_task_takes_the_name_a_then_still_writes() -> None:
    clean = HEAD + (
        "do:\n  - route:\n      switch:\n        - big:\n            when: ${ .n > 1 }\n            then: ship\n"
        "        - small:\n            then: pack\n  - pack:\n      set: {packed: true}\n      then: end\n"
        "  - ship:\n      set: {shipped: true}\n"
    )
    text = clean.replace("  - ship:\n", "  - pack:\n")
    a, f = _finding(text, "duplicate-id")
    fixes = fixes_for(a, f)
    assert fixes[0].title == 'Rename to "ship"' and fixes[0].preferred
    assert apply_edits(text, fix_all(a, [f])) == clean  # check --fix renames the copy
    assert analyze(clean, "t.sw.yaml").findings == []


def test_a_copied_task_without_a_dangling_then_gets_a_name_from_its_content() -> None:
    text = HEAD + (
        "do:\n  - fetch:\n      set: {alert: {severity: high}}\n"
        '  - fetch:\n      switch:\n        - high:\n            when: ${ .alert.severity == "high" }\n            then: end\n'
    )
    a, f = _finding(text, "duplicate-id")
    assert [x.title for x in fixes_for(a, f)] == ['Rename to "checkSeverity"', 'Rename to "fetch2"']
    wf = a.workflow
    assert wf is not None and derived_name(wf.nodes[f.data["node"]]) == "checkSeverity"


def test_a_copied_step_id_that_no_later_step_reads_is_removed() -> None:
    text = GHA.replace(
        '      - run: echo "${{ steps.meta', '      - id: meta\n        run: echo "${{ steps.meta'
    )
    a, f = _finding(text, "duplicate-id", "file:///ci.yml")
    fixes = fixes_for(a, f)
    assert fixes[0].title.startswith('Remove "id: meta" from step 4') and fixes[0].preferred
    assert apply_edits(text, fixes[0].edits) == GHA


def test_a_copied_step_id_that_a_later_step_reads_is_renamed() -> None:
    text = GHA.replace("        id: node\n", "        id: meta\n")
    a, f = _finding(text, "duplicate-id", "file:///ci.yml")
    # the copy (step 3) comes after the first (step 2) and step 4 reads steps.meta: rename it
    assert [x.title for x in fixes_for(a, f)] == ['Rename to "meta2"']
