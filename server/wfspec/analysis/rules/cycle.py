"""A dependency cycle where cycles are illegal (GitHub Actions ``needs``): the jobs wait for each
other forever and GitHub refuses the workflow. Every elementary cycle is reported (up to a
limit), with its path in the message, at the first-declared job of the cycle; its ``needs``
entries are related locations.

Bad::

    on: push
    jobs:
      build:
        needs: test
        runs-on: ubuntu-latest
        steps: [{run: make}]
      test:
        needs: build
        runs-on: ubuntu-latest
        steps: [{run: make test}]

Good::

    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps: [{run: make}]
      test:
        needs: build
        runs-on: ubuntu-latest
        steps: [{run: make test}]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from wfspec import ir
from wfspec.analysis.rules.base import Context, make_rule
from wfspec.findings import Finding, Related, Severity

if TYPE_CHECKING:
    import networkx as nx

MAX_CYCLES = 100


def check(ctx: Context) -> Iterable[Finding]:
    wf = ctx.workflow
    needs = [e for e in wf.edges if e.kind == ir.NEEDS and e.target is not None]
    if not needs:
        return
    import networkx as nx  # imported on first use (see wfspec.analysis.graph)

    g: nx.DiGraph = nx.DiGraph()
    spans: dict[tuple[str, str], ir.Edge] = {}
    for e in needs:
        assert e.target is not None
        g.add_edge(e.source, e.target)
        spans.setdefault((e.source, e.target), e)
    count = 0
    for comp in nx.strongly_connected_components(g):
        if len(comp) == 1:
            (only,) = comp
            if not g.has_edge(only, only):
                continue
        sub = g.subgraph(comp)
        for cyc in nx.simple_cycles(sub):
            count += 1
            if count > MAX_CYCLES:
                return
            # rotate so the cycle starts at the job declared first
            k = min(range(len(cyc)), key=lambda i: wf.nodes[cyc[i]].name_span.start.offset)
            cyc = cyc[k:] + cyc[:k]
            path = " -> ".join(f'"{wf.nodes[n].name}"' for n in [*cyc, cyc[0]])
            edge = spans[(cyc[0], cyc[1 % len(cyc)])]
            assert edge.span is not None
            yield RULE.finding(
                wf.nodes[cyc[0]].name_span,  # the job, as actionlint reports it; its needs entry is related
                f"dependency cycle: {path}; a job cannot need itself, directly or through others",
                related=[
                    Related(spans[(cyc[i], cyc[(i + 1) % len(cyc)])].span or edge.span, "part of the cycle")
                    for i in range(len(cyc))
                ],
                data={"cycle": [wf.nodes[n].name for n in cyc]},
            )


RULE = make_rule(
    __name__,
    Severity.ERROR,
    "a dependency cycle where cycles are illegal",
    check,
    dialects=frozenset({"github"}),
)
