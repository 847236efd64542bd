"""A runtime expression that does not parse: the jq inside ``${ }`` in Serverless Workflow
(and the bare jq of ``if``, ``when``, ``while``, ``input.from``, ``output.as``, ``export.as``), or
``${{ }}`` in GitHub Actions. The range starts at the expression.

Bad::

    document:
      dsl: '1.0.0'
      namespace: examples
      name: expression
      version: '1.0.0'
    do:
      - pickAvailable:
          set:
            pets: ${ .pets | map(select(.status == "available") }

Good::

    document:
      dsl: '1.0.0'
      namespace: examples
      name: expression
      version: '1.0.0'
    do:
      - pickAvailable:
          set:
            pets: ${ .pets | map(select(.status == "available")) }
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.hints import suggestion_data
from wfspec.analysis.rules.base import Context, make_rule
from wfspec.findings import Finding, Severity


def check(ctx: Context) -> Iterable[Finding]:
    wf = ctx.workflow
    if wf.dialect == "serverless":
        from wfspec.dialects.serverless import jq

        for expr in wf.expressions:
            err = jq.check(expr.text)
            if err is None:
                continue
            yield RULE.finding(
                expr.span,
                f"invalid jq expression: {err.message}",
                data={"offset": expr.offset_at(err.offset), "expression": expr.text},
            )
    else:
        # dialects whose expression parser runs during lowering leave (span, message) pairs
        text = ctx.doc.text
        for span, message in wf.payload.get("expression_findings", ()):
            data = suggestion_data(text, span.start.offset, span.end.offset, message)
            yield RULE.finding(span, message, data=data)


RULE = make_rule(__name__, Severity.ERROR, "a runtime expression that does not parse", check)
