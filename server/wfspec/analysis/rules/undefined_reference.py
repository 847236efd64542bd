"""A use of a name that is not defined: a function (``call: x``), an error (``raise.error``), a
secret (``$secrets.x``), an authentication (``use: x``), a retry or timeout policy, and in GitHub
Actions a job (``needs.x``), a job output, a step (``steps.x``, including a step that only runs
later), an input or a matrix key. A read of ``$context.x`` that no ``export.as`` writes is a
warning. The range is the reference.

Bad::

    document:
      dsl: '1.0.0'
      namespace: examples
      name: undefined-reference
      version: '1.0.0'
    use:
      secrets: [crmToken]
    do:
      - lookup:
          call: http
          with:
            method: get
            endpoint: https://crm.example/customers
            headers: {authorization: "${ \\"Bearer \\" + $secrets.crmTokn }"}

Good::

    document:
      dsl: '1.0.0'
      namespace: examples
      name: undefined-reference
      version: '1.0.0'
    use:
      secrets: [crmToken]
    do:
      - lookup:
          call: http
          with:
            method: get
            endpoint: https://crm.example/customers
            headers: {authorization: "${ \\"Bearer \\" + $secrets.crmToken }"}
"""

from __future__ import annotations

from collections.abc import Iterable

from wfspec.analysis.hints import suggestion_data
from wfspec.analysis.rules.base import Context, closest, make_rule
from wfspec.findings import Finding, Related, Severity

#: reference kinds checked against definitions of the same kind, and how to name them
DECLARED_KINDS = {
    "function": ("function", "use.functions"),
    "error": ("error", "use.errors"),
    "secret": ("secret", "use.secrets"),
    "authentication": ("authentication", "use.authentications"),
    "retry": ("retry policy", "use.retries"),
    "timeout": ("timeout", "use.timeouts"),
}


def check(ctx: Context) -> Iterable[Finding]:
    wf = ctx.workflow
    defined: dict[str, set[str]] = {}
    for d in wf.definitions:
        defined.setdefault(d.kind, set()).add(d.name)
    exported = set(wf.payload.get("exported", ()))
    # with no export at all, $context is the runtime's business; with only static exports, a
    # key that none of them writes is almost certainly a typo
    dynamic = bool(wf.payload.get("exports_dynamic")) or not wf.payload.get("exports")
    for ref in wf.references:
        problem = ref.data.get("problem")
        if problem:  # the dialect resolved it and found it wanting
            sev = ref.data.get("severity")
            related = [Related(s, m) for s, m in ref.data.get("related", ())]
            data = dict(ref.data)
            if "suggestion" not in data or "name" not in data:
                hint = suggestion_data(ctx.doc.text, ref.span.start.offset, ref.span.end.offset, problem)
                data = {**hint, **data}
            yield RULE.finding(ref.span, problem, severity=sev, related=related, data=data)
            continue
        if ref.kind in DECLARED_KINDS:
            names = defined.get(ref.kind, set())
            if ref.name in names:
                continue
            what, where = DECLARED_KINDS[ref.kind]
            best = closest(ref.name, names)
            msg = f'undefined {what} "{ref.name}"'
            msg += f'; did you mean "{best}"?' if best else f"; declare it in {where}"
            yield RULE.finding(ref.span, msg, data={"kind": ref.kind, "name": ref.name, "suggestion": best})
        elif ref.kind == "context" and not dynamic and ref.name not in exported:
            best = closest(ref.name, exported)
            msg = f'"$context.{ref.name}" is read but no task exports "{ref.name}" (export.as)'
            if best:
                msg += f'; did you mean "{best}"?'
            yield RULE.finding(
                ref.span, msg, severity=Severity.WARNING, data={"kind": "context", "name": ref.name}
            )


RULE = make_rule(__name__, Severity.ERROR, "a use of a name that is not defined", check)
