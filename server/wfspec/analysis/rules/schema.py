"""Structure the dialect forbids: an unknown property, a value of the wrong type, a missing
required property, a value outside its enumeration, or two tasks in one list item.

The range starts at the offending key; for a missing property, at the mapping that lacks it.

An explicit YAML tag outside the YAML 1.2 core schema (``!!python/object/apply:...``,
``!custom``, ``!!binary``, ``!!timestamp``) is a warning at the tag: runtimes reject such a
document or, worse, construct something from it. So is a core tag that does not fit its value
(``!!int abc``, ``!!seq`` on a mapping). Merge keys (``<<: *defaults``) are resolved before the
check, as YAML 1.1 loaders resolve them; GitHub Actions does not accept them (an error there).

Bad::

    document:
      dsl: '1.0.0'
      namespace: examples
      name: schema
      version: '1.0.0'
    do:
      - getPet:
          call: http
          with:
            method: get
            endpoint: https://petstore.example/pets/1
          retries: 3        # not a task property

Good::

    document:
      dsl: '1.0.0'
      namespace: examples
      name: schema
      version: '1.0.0'
    do:
      - getPet:
          call: http
          with:
            method: get
            endpoint: https://petstore.example/pets/1
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wfspec.analysis.hints import suggestion_data
from wfspec.analysis.rules.base import Context, make_rule
from wfspec.findings import Finding, Severity
from wfspec.syntax.tags import tag_problems


def check(ctx: Context) -> Iterable[Finding]:
    # a problem is (span, message) or (span, message, severity)
    problems: list[tuple[Any, ...]]
    if ctx.dialect == "serverless":
        from wfspec.dialects.serverless import schema

        doc = ctx.doc
        problems = list(schema.validate(doc.root, doc.memo, doc.generation, doc.modified))
    else:
        from wfspec.dialects.github import schema as gh_schema

        problems = [
            *gh_schema.validate(ctx.doc.root),
            *ctx.workflow.payload.get("schema_findings", ()),
            *gh_schema.merge_key_problems(ctx.doc.merge_keys),
        ]
        if ctx.doc.has_anchors:
            problems += gh_schema.unused_anchor_problems(ctx.doc.root)
    problems += [(span, message, Severity.WARNING) for span, message in tag_problems(ctx.doc)]
    text = ctx.doc.text
    for span, message, *severity in problems:
        data = suggestion_data(text, span.start.offset, span.end.offset, message)
        yield RULE.finding(span, message, severity=severity[0] if severity else None, data=data)


RULE = make_rule(__name__, Severity.ERROR, "structure the dialect forbids", check)
