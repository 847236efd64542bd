"""GitHub Actions detection and lowering: the IR shape every rule and editor feature relies on."""

from __future__ import annotations

import textwrap

from wfspec import ir
from wfspec.dialects import github
from wfspec.dialects.github.lowering import find_expressions
from wfspec.syntax.parse import parse

CI = """\
name: CI
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      tag: ${{ steps.meta.outputs.tag }}
    steps:
      - uses: actions/checkout@v4
      - id: meta
        run: echo "tag=1" >> "$GITHUB_OUTPUT"
  test:
    needs: [build, missing]
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ needs.build.outputs.tag }}
"""


def lower(text: str, uri: str = "file:///repo/.github/workflows/ci.yml") -> ir.Workflow:
    return github.lower(parse(textwrap.dedent(text)), uri)


def test_detect_by_path_and_by_content() -> None:
    doc = parse("name: x\n")
    assert github.detect(doc, "file:///repo/.github/workflows/ci.yml")
    assert github.detect(doc, "/repo/.github/workflows/ci.yaml")
    assert not github.detect(doc, "file:///repo/.github/workflows/notes.txt")
    assert not github.detect(doc, "file:///repo/ci.yml")
    assert github.detect(parse("on: push\njobs: {}\n"), "anything.yaml")


def test_composite_action_is_not_a_workflow() -> None:
    action = "name: a\nruns:\n  using: composite\n  steps: []\n"
    assert not github.detect(parse(action), "file:///repo/action.yml")
    assert not github.detect(parse(action), "file:///repo/.github/workflows/action.yml")


def test_jobs_scope_nodes_and_edges() -> None:
    wf = lower(CI)
    assert wf.dialect == "github"
    assert wf.root_scope == "/jobs"
    top = wf.scopes["/jobs"]
    assert top.kind == "jobs"
    jobs = wf.tasks_in("/jobs")
    assert [j.name for j in jobs] == ["build", "test"]
    assert all(j.kind == "job" and j.payload["independent"] for j in jobs)
    edges = {(e.source, e.kind, e.target, e.target_name) for e in wf.edges}
    assert (top.entry, ir.ENTER, "/jobs/build", None) in edges
    assert (top.entry, ir.ENTER, "/jobs/test") not in {(s, k, t) for s, k, t, _ in edges}
    assert ("/jobs/test", ir.NEEDS, "/jobs/build", "build") in edges
    assert ("/jobs/test", ir.NEEDS, None, "missing") in edges
    assert ("/jobs/build", ir.NEXT, top.exit, None) in edges
    assert (top.exit, ir.END, ir.END_NODE, None) in edges


def test_steps_scope_names_and_anonymous_steps() -> None:
    wf = lower(CI)
    build = wf.nodes["/jobs/build"]
    (inner,) = build.inner
    scope = wf.scopes[inner]
    assert scope.kind == "steps" and scope.owner == "/jobs/build" and scope.parent == "/jobs"
    steps = wf.tasks_in(inner)
    assert [s.kind for s in steps] == ["step", "step"]
    assert steps[0].payload["anonymous"] and not steps[1].payload["anonymous"]
    assert steps[1].name == "meta"
    assert steps[0].name != "meta"
    chain = [(e.source, e.target) for e in wf.edges if e.kind == ir.NEXT and e.source.startswith(inner)]
    assert chain == [(scope.entry, steps[0].id), (steps[0].id, steps[1].id), (steps[1].id, scope.exit)]


def test_definitions_and_references() -> None:
    wf = lower(CI)
    outputs = wf.definitions_of("job-output")
    assert [(d.name, d.owner) for d in outputs] == [("build.tag", "/jobs/build")]
    refs = {(r.kind, r.name) for r in wf.references if not r.data.get("problem")}
    assert ("job-output", "build.tag") in refs
    assert ("job", "build") in refs
    assert ("step", "build.meta") in refs
    assert [e.text.strip() for e in wf.expressions] == ["steps.meta.outputs.tag", "needs.build.outputs.tag"]


def test_reference_spans_point_at_the_name() -> None:
    text = CI
    wf = lower(text)
    ref = next(r for r in wf.references if r.kind == "job-output")
    lines = text.splitlines()
    line = lines[ref.span.start.line]
    assert line[ref.span.start.character : ref.span.end.character] == "tag"
    step_ref = next(r for r in wf.references if r.kind == "step")
    line = lines[step_ref.span.start.line]
    assert line[step_ref.span.start.character : step_ref.span.end.character] == "meta"


def test_spans_in_quoted_and_block_scalars() -> None:
    text = textwrap.dedent(
        """\
        on: push
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - id: s
                run: echo
              - run: 'echo ''${{ steps.s.outputs.x }}'''
              - run: "echo \\"${{ steps.s.outputs.y }}\\""
              - run: |
                  echo one
                  echo ${{ steps.s.outputs.z }}
        """
    )
    wf = github.lower(parse(text), "x.yml")
    lines = text.splitlines()
    got = []
    for r in wf.references:
        if r.kind == "step":
            line = lines[r.span.start.line]
            got.append((r.span.start.line, line[r.span.start.character : r.span.end.character]))
    assert got == [(7, "s"), (8, "s"), (11, "s")]


def test_find_expressions_respects_strings() -> None:
    value = "a ${{ format('}}{0}', x) }} b ${{ y }}"
    spans = find_expressions(value)
    assert [value[s:e] for s, _, _, e in spans] == ["${{ format('}}{0}', x) }}", "${{ y }}"]
    assert find_expressions("x ${{ open") == [(2, 5, 10, -1)]


def test_duplicate_job_keys_get_distinct_node_ids() -> None:
    wf = lower(
        """\
        on: push
        jobs:
          a:
            runs-on: x
            steps: [{run: a}]
          a:
            runs-on: x
            steps: [{run: b}]
        """
    )
    assert len([n for n in wf.nodes.values() if n.kind == "job"]) == 2


def test_lowering_never_fails_on_odd_shapes() -> None:
    for text in (
        "",
        "on: push\njobs:\n",
        "on: push\njobs: [a, b]\n",
        "on: push\njobs:\n  a: 3\n",
        "on: push\njobs:\n  a:\n    steps: {run: x}\n    needs: {a: b}\n",
        "on: push\njobs:\n  a:\n    steps: [3, null, [1], {id: [x]}, {id: '${{ x }}'}]\n",
        "on: push\njobs:\n  a:\n    strategy: ${{ fromJSON(x) }}\n    steps: [{run: '${{ matrix.z }}'}]\n",
        "- a\n- b\n",
        "just text",
    ):
        doc = parse(text)
        if doc.root is not None:
            github.lower(doc, "file:///r/.github/workflows/x.yml")
