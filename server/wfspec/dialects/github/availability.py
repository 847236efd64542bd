"""Which contexts and special functions GitHub provides at each workflow key.

Owns the table of GitHub's "context availability" documentation for the contexts that lowering
does not resolve itself (``env``, ``runner``, ``secrets``, ``strategy``, ``job``; ``needs``,
``steps``, ``jobs`` and ``matrix`` are checked where they are resolved) and for the special
functions: the status functions (``success``, ``always``, ``cancelled``, ``failure``) exist only
in ``if`` conditions, ``hashFiles`` only in steps.

Keys are lowering's field names: a top-level key (``run-name``, ``env``, ``concurrency``), a job
key (``if``, ``runs-on``, ...), ``steps.<key>`` for steps, ``on.inputs.default`` and
``on.workflow_call.outputs``. A key that is not listed (``container``, ``services``, whose
sub-keys differ) bans nothing: precision first.
"""

from __future__ import annotations

CHECKED = frozenset(("env", "runner", "secrets", "strategy", "job"))
_ALL = CHECKED
_NO_RUNTIME = frozenset(("env", "runner", "secrets", "job"))

#: top-level fields (no job) -> contexts that do not exist there
WORKFLOW_BANNED: dict[str, frozenset[str]] = {
    "run-name": _ALL,
    "concurrency": _ALL,
    "env": frozenset(("env", "runner", "strategy", "job")),
    "on.inputs.default": _ALL,
    "on.workflow_call.outputs": _ALL,
}
#: job-level fields -> contexts that do not exist there
JOB_BANNED: dict[str, frozenset[str]] = {
    "if": _ALL,
    "strategy": _ALL,
    "env": frozenset(("env", "runner", "job")),
    "secrets": frozenset(("env", "runner", "job")),
    "defaults": frozenset(("runner", "secrets", "job")),
    "environment": frozenset(("secrets",)),
    "runs-on": _NO_RUNTIME,
    "name": _NO_RUNTIME,
    "timeout-minutes": _NO_RUNTIME,
    "continue-on-error": _NO_RUNTIME,
    "concurrency": _NO_RUNTIME,
    "with": _NO_RUNTIME,
}
#: step fields -> contexts that do not exist there
STEP_BANNED: dict[str, frozenset[str]] = {"steps.if": frozenset(("secrets",))}

STATUS_FUNCTIONS = frozenset(("success", "always", "cancelled", "failure"))
STATUS_FIELDS = frozenset(("if", "steps.if"))


def banned(field: str, in_job: bool) -> frozenset[str]:
    """The contexts of :data:`CHECKED` that do not exist at ``field``."""
    if not in_job:
        return WORKFLOW_BANNED.get(field, frozenset())
    if field.startswith("steps."):
        return STEP_BANNED.get(field, frozenset())
    return JOB_BANNED.get(field, frozenset())


def available(field: str, in_job: bool) -> list[str]:
    """Every context that exists at ``field``, for messages."""
    base = {"github", "inputs", "vars"}
    if in_job:
        base |= {"needs"}
        if field not in ("if", "strategy"):
            base |= {"matrix", "strategy"}
        if field.startswith("steps.") or field in ("outputs", "environment"):
            base |= {"steps"}
    elif field == "on.workflow_call.outputs":
        base |= {"jobs"}
    return sorted((base | CHECKED) - banned(field, in_job))


def function_problem(name: str, field: str, in_job: bool) -> str | None:
    """Why the special function ``name`` (lower-cased) cannot be called at ``field``, if it cannot."""
    if name in STATUS_FUNCTIONS and not (in_job and field in STATUS_FIELDS):
        return f'"{name}()" is not available here; it exists only in job and step "if" conditions'
    if name == "hashfiles" and not (in_job and field.startswith("steps.")):
        return '"hashFiles()" is not available here; it exists only in steps'
    return None
