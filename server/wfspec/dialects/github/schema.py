"""The structural schema of a GitHub Actions workflow and the action catalog checks.

``validate(root)`` returns ``(span, message, severity)`` problems for the ``schema`` rule:
unknown workflow, event, job and step keys; values of the wrong shape; missing required
properties (``on``, ``jobs``, ``runs-on``, a step's ``run`` or ``uses``); bad enumeration values;
invalid job and step ids; ``uses:`` of the wrong shape; and, for actions the catalog knows,
unknown ``with:`` inputs (warning, as GitHub itself only warns), missing required inputs and
a major version the action never released.

Certainty first: a value holding a ``${{ }}`` expression is accepted wherever a typed value is
expected, and anything GitHub may have added since the schema was written (permission scopes,
input properties) is at most a warning.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from wfspec.dialects.github import catalog
from wfspec.dialects.github.nodes import ID_RE, describe, entries, get, index, is_expr, key_node, text
from wfspec.findings import Severity
from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode, Span

Problem = tuple[Span, str, Severity]

#: starter-workflow template placeholders such as ``$default-branch`` and ``$cron-weekly``
PLACEHOLDER = re.compile(r"^\$[a-z][a-z-]*$")

E = Severity.ERROR
W = Severity.WARNING

WORKFLOW_KEYS = ("name", "run-name", "on", "permissions", "env", "defaults", "concurrency", "jobs")

EVENTS = frozenset(
    """branch_protection_rule check_run check_suite create delete deployment deployment_status discussion
    discussion_comment fork gollum image_version issue_comment issues label merge_group milestone page_build
    project project_card project_column public pull_request pull_request_comment pull_request_review
    pull_request_review_comment pull_request_target push registry_package release repository_dispatch
    schedule status watch workflow_call workflow_dispatch workflow_run""".split()
)

#: filters per event; events not listed take ``types`` only
EVENT_KEYS: dict[str, tuple[str, ...]] = {
    "push": ("branches", "branches-ignore", "tags", "tags-ignore", "paths", "paths-ignore"),
    "pull_request": ("types", "branches", "branches-ignore", "paths", "paths-ignore"),
    "pull_request_target": ("types", "branches", "branches-ignore", "paths", "paths-ignore"),
    "workflow_run": ("types", "workflows", "branches", "branches-ignore"),
    "workflow_dispatch": ("inputs",),
    "workflow_call": ("inputs", "outputs", "secrets"),
    "image_version": ("names", "versions", "types"),
    "merge_group": ("types", "branches", "branches-ignore"),
}
#: events whose filter list above is certain: other keys are errors (elsewhere warnings)
STRICT_EVENTS = frozenset(
    {"push", "pull_request", "pull_request_target", "workflow_run", "workflow_dispatch", "workflow_call"}
)
EXCLUSIVE_FILTERS = (("branches", "branches-ignore"), ("tags", "tags-ignore"), ("paths", "paths-ignore"))

DISPATCH_INPUT_KEYS = ("description", "required", "default", "type", "options", "deprecationMessage")
DISPATCH_INPUT_TYPES = ("string", "choice", "boolean", "number", "environment")
CALL_INPUT_KEYS = ("description", "required", "default", "type")
CALL_INPUT_TYPES = ("string", "boolean", "number")
CALL_OUTPUT_KEYS = ("description", "value")
CALL_SECRET_KEYS = ("description", "required")

PERMISSION_SCOPES = frozenset(
    """actions attestations checks contents deployments discussions id-token issues models packages pages
    pull-requests repository-projects security-events statuses artifact-metadata""".split()
)
PERMISSION_LEVELS = ("read", "write", "none")
#: scopes that take only some of the levels
PERMISSION_LEVELS_OF = {"id-token": ("write", "none"), "models": ("read", "none")}

JOB_KEYS = (
    "name",
    "needs",
    "permissions",
    "runs-on",
    "environment",
    "concurrency",
    "outputs",
    "env",
    "defaults",
    "if",
    "steps",
    "timeout-minutes",
    "strategy",
    "continue-on-error",
    "container",
    "services",
    "snapshot",
)
CALL_JOB_KEYS = ("name", "uses", "with", "secrets", "needs", "if", "permissions", "strategy", "concurrency")
STEP_COMMON = ("id", "if", "name", "env", "continue-on-error", "timeout-minutes")
RUN_STEP_KEYS = (*STEP_COMMON, "run", "shell", "working-directory")
USES_STEP_KEYS = (*STEP_COMMON, "uses", "with")
CONTAINER_KEYS = ("image", "credentials", "env", "ports", "volumes", "options")
SERVICE_KEYS = (*CONTAINER_KEYS, "entrypoint", "command")
STRATEGY_KEYS = ("matrix", "fail-fast", "max-parallel")
SNAPSHOT_KEYS = ("image-name", "version", "if")


def _placeholder(node: Node) -> bool:
    return isinstance(node, ScalarNode) and PLACEHOLDER.match(node.value) is not None


def _blank(node: Node | None) -> bool:
    """A value left out after its key (``key:`` and nothing else): null, but not a written ``null``."""
    return isinstance(node, ScalarNode) and node.tag == "null" and not node.value


def _suggest(name: str, allowed: Iterable[str]) -> str:
    got = difflib.get_close_matches(name, list(allowed), n=1, cutoff=0.6)
    return f'; did you mean "{got[0]}"?' if got else ""


class _Validator:
    def __init__(self) -> None:
        self.out: list[Problem] = []

    def add(self, span: Span, message: str, severity: Severity = E) -> None:
        self.out.append((span, message, severity))

    # -- generic shapes ------------------------------------------------------------------------
    def keys(
        self,
        m: MapNode,
        allowed: Iterable[str],
        where: str,
        severity: Severity = E,
    ) -> None:
        allowed_t = tuple(allowed)
        for k, _ in entries(m):
            if k.value not in allowed_t:
                self.add(
                    k.span,
                    f'unknown key "{k.value}" in {where}{_suggest(k.value, allowed_t)}',
                    severity,
                )

    def mapping(self, node: Node | None, where: str, *, expr_ok: bool = False) -> MapNode | None:
        """``node`` as a mapping, or a problem (null and expressions are tolerated)."""
        if node is None:
            return None
        if isinstance(node, MapNode):
            return node
        if isinstance(node, ScalarNode) and (
            node.tag == "null" or (expr_ok and is_expr(node)) or PLACEHOLDER.match(node.value)
        ):
            return None
        self.add(node.span, f"{where} must be a mapping, not {describe(node)}")
        return None

    def string_or_list(self, node: Node | None, where: str) -> None:
        if node is None or isinstance(node, ScalarNode):
            return
        if isinstance(node, SeqNode):
            for item in node.items:
                if not isinstance(item, ScalarNode):
                    self.add(item.span, f"{where} entries must be strings, not {describe(item)}")
            return
        self.add(node.span, f"{where} must be a string or a list of strings, not {describe(node)}")

    def not_empty(self, node: Node | None, where: str, at: ScalarNode | None = None) -> None:
        """A string that must say something: nothing written (reported at its key ``at`` when
        given) or a blank string is an error; an explicit ``null`` means "none" and is not."""
        if not isinstance(node, ScalarNode):
            return
        if _blank(node):
            self.add(at.span if at is not None else node.span, f"{where} must not be empty")
        elif node.tag == "str" and not node.value.strip():
            self.add(node.span, f"{where} must not be an empty string")

    def no_empty_list(self, node: Node | None, where: str) -> None:
        """A list that must hold an entry, and whose entries must not be empty strings."""
        if not isinstance(node, SeqNode):
            return
        if not node.items:
            self.add(node.span, f"{where} is an empty list; list at least one entry or remove it")
        for item in node.items:
            if isinstance(item, ScalarNode) and item.tag == "str" and not item.value.strip():
                self.add(item.span, f"an entry of {where} must not be an empty string")

    def no_empty_map(self, m: MapNode, key: str, where: str) -> MapNode | None:
        """The mapping under ``key``, or None; written with no entries (null or ``{}``) is an
        error at the key."""
        kn, v = key_node(m, key), get(m, key)
        if kn is not None and (
            (isinstance(v, ScalarNode) and _blank(v)) or (isinstance(v, MapNode) and not v.pairs)
        ):
            self.add(kn.span, f"{where} is empty; give it its entries or remove it")
            return None
        return v if isinstance(v, MapNode) else None

    def scalar(self, node: Node | None, where: str) -> None:
        if node is None or isinstance(node, ScalarNode):
            return
        self.add(node.span, f"{where} must be a string, not {describe(node)}")

    def boolean(self, node: Node | None, where: str) -> None:
        if node is None or is_expr(node) or _placeholder(node):
            return
        if isinstance(node, ScalarNode) and node.tag in ("bool", "null"):
            return
        if isinstance(node, ScalarNode) and node.value.strip().lower() in ("true", "false"):
            return  # a quoted boolean: GitHub converts it
        self.add(node.span, f'{where} must be true, false or a "${{{{ }}}}" expression, not {describe(node)}')

    def number(self, node: Node | None, where: str) -> None:
        if node is None or is_expr(node) or _placeholder(node):
            return
        if isinstance(node, ScalarNode) and node.tag in ("int", "float", "null"):
            return
        if isinstance(node, ScalarNode) and node.tag == "str":
            try:
                float(node.value)
            except ValueError:
                pass
            else:
                self.add(
                    node.span, f'{where} must be a number, not the string "{node.value}"; remove the quotes'
                )
                return
        self.add(node.span, f'{where} must be a number or a "${{{{ }}}}" expression, not {describe(node)}')

    def case_duplicates(self, m: MapNode | None, where: str) -> None:
        """Keys GitHub compares case-insensitively, written twice in different case (the same
        key twice is the syntax rule's)."""
        if m is None:
            return
        seen: dict[str, ScalarNode] = {}
        for k, _ in entries(m):
            low = k.value.lower()
            first = seen.get(low)
            if first is None:
                seen[low] = k
            elif first.value != k.value:
                self.add(
                    k.span,
                    f'"{k.value}" and "{first.value}" in {where} are the same key: GitHub ignores the case '
                    "of these names",
                    W,
                )

    def positive(self, node: Node | None, where: str, *, integer: bool = False) -> None:
        """A number that must be greater than zero (an integer when ``integer``)."""
        if not isinstance(node, ScalarNode) or node.tag not in ("int", "float"):
            return
        try:
            value = float(node.value)
        except ValueError:
            return
        if value <= 0:
            self.add(node.span, f"{where} must be greater than zero, not {node.value}")
        elif integer and node.tag == "float":
            self.add(node.span, f"{where} must be a whole number, not {node.value}")

    def env(self, node: Node | None, where: str) -> None:
        m = self.mapping(node, where, expr_ok=True)
        if m is None:
            return
        self.case_duplicates(m, where)
        for k, v in entries(m):
            if "${{" not in k.value and (bad := next((c for c in k.value if c == "=" or c.isspace()), None)):
                what = '"="' if bad == "=" else "a space"
                self.add(k.span, f'invalid environment variable name "{k.value}": it cannot contain {what}')
            if isinstance(v, (MapNode, SeqNode)):
                self.add(v.span, f'value of "{k.value}" in {where} must be a string, not {describe(v)}')

    # -- workflow ------------------------------------------------------------------------------
    def workflow(self, root: Node | None) -> None:
        if not isinstance(root, MapNode):
            if root is not None and not (isinstance(root, ScalarNode) and root.tag == "null"):
                self.add(root.span, f"a workflow must be a mapping, not {describe(root)}")
            return
        self.keys(root, WORKFLOW_KEYS, "the workflow")
        for key in ("on", "jobs"):
            if get(root, key) is None and key_node(root, key) is None:
                self.add(root.span, f'missing required key "{key}" in the workflow')
        for key, what in (("on", "names no event"), ("jobs", "has no job")):
            kn, value = key_node(root, key), get(root, key)
            empty = isinstance(value, ScalarNode) and value.tag == "null"
            if key == "on" and (
                (isinstance(value, MapNode) and not value.pairs)
                or (isinstance(value, SeqNode) and not value.items)
            ):
                empty = True
            if kn is not None and empty:
                self.add(kn.span, f'"{key}" {what}, so the workflow never runs anything')
        self.scalar(get(root, "name"), '"name"')
        self.scalar(get(root, "run-name"), '"run-name"')
        self.on(get(root, "on"))
        self.permissions(get(root, "permissions"), key_node(root, "permissions"))
        self.env(get(root, "env"), '"env"')
        self.defaults(self.no_empty_map(root, "defaults", '"defaults"'))
        self.concurrency(get(root, "concurrency"))
        jobs = get(root, "jobs")
        jm = self.mapping(jobs, '"jobs"')
        if jm is not None:
            for k, v in entries(jm):
                self.job(k, v)

    def on(self, on: Node | None) -> None:
        if on is None:
            return
        if isinstance(on, ScalarNode):
            if on.tag != "null":
                self.event_name(on, on.value)
            return
        if isinstance(on, SeqNode):
            for item in on.items:
                if isinstance(item, ScalarNode):
                    self.event_name(item, item.value)
                else:
                    self.add(item.span, f"event names must be strings, not {describe(item)}")
            return
        assert isinstance(on, MapNode)
        for k, v in entries(on):
            if not self.event_name(k, k.value, key=True):
                continue
            self.event(k.value, v)

    def event_name(self, node: ScalarNode, name: str, *, key: bool = False) -> bool:
        if name == "schedule" and not key:
            self.add(
                node.span, '"schedule" needs its cron entries: write "schedule:" with a list of "- cron: ..."'
            )
            return False
        if name in EVENTS:
            return True
        self.add(node.span, f'unknown event "{name}"{_suggest(name, EVENTS)}')
        return False

    def event(self, name: str, body: Node) -> None:
        where = f'the "{name}" event'
        if name == "schedule":
            self.schedule(body)
            return
        m = self.mapping(body, where)
        if m is None:
            return
        allowed = EVENT_KEYS.get(name, ("types",))
        self.keys(m, allowed, where, E if name in STRICT_EVENTS else W)
        for a, b in EXCLUSIVE_FILTERS:
            ka, kb = key_node(m, a), key_node(m, b)
            if a in allowed and b in allowed and ka is not None and kb is not None:
                later = kb if kb.start_offset > ka.start_offset else ka
                self.add(
                    later.span,
                    f'"{a}" and "{b}" cannot be used together in {where}; use "!" patterns in "{a}"',
                )
        for k, v in entries(m):
            if k.value in ("inputs", "outputs", "secrets"):
                continue
            self.string_or_list(v, f'"{k.value}"')
            self.no_empty_list(v, f'"{k.value}" of {where}')
            if name == "image_version" and k.value in ("names", "versions"):
                if isinstance(v, ScalarNode) and v.tag != "null" and not is_expr(v):
                    self.add(v.span, f'"{k.value}" of {where} must be a list, not {describe(v)}')
        if name == "workflow_dispatch":
            self.inputs(get(m, "inputs"), DISPATCH_INPUT_KEYS, DISPATCH_INPUT_TYPES, dispatch=True)
        elif name == "workflow_call":
            self.inputs(get(m, "inputs"), CALL_INPUT_KEYS, CALL_INPUT_TYPES, dispatch=False)
            outputs = self.mapping(get(m, "outputs"), '"workflow_call.outputs"')
            self.case_duplicates(outputs, '"workflow_call.outputs"')
            if outputs is not None:
                for k, v in entries(outputs):
                    om = self.mapping(v, f'output "{k.value}"')
                    if om is None:
                        if v is None or (isinstance(v, ScalarNode) and v.tag == "null"):
                            self.add(k.span, f'output "{k.value}" must have a "value"')
                        continue
                    self.keys(om, CALL_OUTPUT_KEYS, f'output "{k.value}"')
                    if get(om, "value") is None:
                        self.add(k.span, f'output "{k.value}" must have a "value"')
                    else:
                        self.not_empty(
                            get(om, "value"), f'the "value" of output "{k.value}"', key_node(om, "value")
                        )
            secrets = self.mapping(get(m, "secrets"), '"workflow_call.secrets"')
            self.case_duplicates(secrets, '"workflow_call.secrets"')
            if secrets is not None:
                for k, v in entries(secrets):
                    sm = self.mapping(v, f'secret "{k.value}"')
                    if sm is not None:
                        self.keys(sm, CALL_SECRET_KEYS, f'secret "{k.value}"')
                        self.boolean(get(sm, "required"), '"required"')

    def schedule(self, body: Node) -> None:
        if isinstance(body, ScalarNode) and body.tag == "null":
            return
        if not isinstance(body, SeqNode):
            self.add(body.span, f'"schedule" must be a list of {{cron: ...}} entries, not {describe(body)}')
            return
        if not body.items:
            self.add(body.span, '"schedule" is an empty list; list its "- cron: ..." entries or remove it')
        for item in body.items:
            m = self.mapping(item, "a schedule entry")
            if m is None:
                continue
            self.keys(m, ("cron", "timezone"), "a schedule entry", W)
            cron = get(m, "cron")
            if cron is None:
                self.add(m.span, 'missing required key "cron" in a schedule entry')
                continue
            if text(cron) is None:  # its syntax is the cron rule's
                self.add(cron.span, f'"cron" must be a string, not {describe(cron)}')

    def inputs(
        self, node: Node | None, allowed: tuple[str, ...], types: tuple[str, ...], *, dispatch: bool
    ) -> None:
        m = self.mapping(node, '"inputs"')
        if m is None:
            return
        self.case_duplicates(m, '"inputs"')
        for k, v in entries(m):
            where = f'input "{k.value}"'
            im = self.mapping(v, where)
            if im is None:
                if not dispatch:
                    self.add(k.span, f'{where} must declare its "type" ({", ".join(types)})')
                continue
            self.keys(im, allowed, where, W)
            self.boolean(get(im, "required"), '"required"')
            typ = get(im, "type")
            if typ is None:
                if not dispatch:
                    self.add(k.span, f'{where} must declare its "type" ({", ".join(types)})')
            elif isinstance(typ, ScalarNode) and typ.value not in types:
                self.add(typ.span, f'unknown input type "{typ.value}"; expected one of {", ".join(types)}')
            elif not isinstance(typ, ScalarNode):
                self.add(typ.span, f'the "type" of {where} must be a string, not {describe(typ)}')
            if dispatch:
                self.no_empty_list(get(im, "options"), f'the "options" of {where}')
            if dispatch and text(typ) == "choice":
                opts = get(im, "options")
                if opts is None:
                    self.add(k.span, f'{where} has type "choice" but no "options"', W)
                elif not isinstance(opts, SeqNode):
                    self.add(opts.span, f'"options" must be a list, not {describe(opts)}')

    def permissions(self, node: Node | None, key: ScalarNode | None = None) -> None:
        if node is None:
            return
        if isinstance(node, ScalarNode) and _blank(node) and key is not None:
            self.add(
                key.span,
                '"permissions" is empty; write read-all, write-all, "{}" (no permission) or the scopes',
            )
            return
        if isinstance(node, ScalarNode):
            if node.tag != "null" and not is_expr(node) and node.value not in ("read-all", "write-all"):
                self.add(
                    node.span,
                    f'unknown permissions "{node.value}"; expected read-all, write-all or a mapping',
                )
            return
        m = self.mapping(node, '"permissions"')
        if m is None:
            return
        for k, v in entries(m):
            if k.value not in PERMISSION_SCOPES:
                self.add(
                    k.span, f'unknown permission scope "{k.value}"{_suggest(k.value, PERMISSION_SCOPES)}', W
                )
            level = text(v)
            allowed = PERMISSION_LEVELS_OF.get(k.value, PERMISSION_LEVELS)
            if level is None or level not in PERMISSION_LEVELS:
                self.add(
                    v.span, f'permission level must be read, write or none, not "{level or describe(v)}"'
                )
            elif level not in allowed:
                self.add(
                    v.span,
                    f'"{level}" is not a level of the "{k.value}" permission; it takes '
                    + " or ".join(allowed),
                )

    def defaults(self, node: Node | None) -> None:
        m = self.mapping(node, '"defaults"')
        if m is None:
            return
        self.keys(m, ("run",), '"defaults"')
        run = self.mapping(get(m, "run"), '"defaults.run"')
        if run is not None:
            self.keys(run, ("shell", "working-directory"), '"defaults.run"')

    def concurrency(self, node: Node | None) -> None:
        if node is None or isinstance(node, ScalarNode):
            return
        m = self.mapping(node, '"concurrency"')
        if m is None:
            return
        self.keys(m, ("group", "cancel-in-progress"), '"concurrency"')
        if get(m, "group") is None:
            self.add(m.span, 'missing required key "group" in "concurrency"')
        self.boolean(get(m, "cancel-in-progress"), '"cancel-in-progress"')

    # -- jobs ----------------------------------------------------------------------------------
    def job(self, key: ScalarNode, body: Node) -> None:
        name = key.value
        if not ID_RE.match(name):
            self.add(
                key.span,
                f'invalid job id "{name}": ids start with a letter or "_" and contain only letters, digits, "-" '
                'and "_"',
            )
        m = self.mapping(body, f'job "{name}"')
        if m is None:
            if body is None or (isinstance(body, ScalarNode) and body.tag == "null"):
                self.add(key.span, f'job "{name}" is empty; it needs "runs-on" and "steps" (or "uses")')
            return
        f, fk = index(m)
        is_call = f.get("uses") is not None
        if is_call:
            allowed = CALL_JOB_KEYS
            for k, _ in entries(m):
                if k.value in CALL_JOB_KEYS:
                    continue
                if k.value in JOB_KEYS:
                    sev = E if k.value in ("runs-on", "steps") else W
                    self.add(
                        k.span,
                        f'"{k.value}" is not allowed in job "{name}", which calls a reusable workflow with "uses"',
                        sev,
                    )
                else:
                    self.add(k.span, f'unknown key "{k.value}" in job "{name}"{_suggest(k.value, allowed)}')
            self.call_job(name, m)
        else:
            self.keys(m, JOB_KEYS + ("uses", "with", "secrets"), f'job "{name}"')
            for call_key in ("with", "secrets"):
                kn = fk.get(call_key)
                if kn is not None:
                    self.add(
                        kn.span,
                        f'"{call_key}" is only allowed in a job that calls a reusable workflow with "uses"',
                    )
            if f.get("runs-on") is None:
                kn = fk.get("runs-on")
                self.add(kn.span if kn else m.span, f'missing required key "runs-on" in job "{name}"')
            else:
                self.runs_on(f.get("runs-on"))
            steps = f.get("steps")
            if steps is None:
                kn = fk.get("steps")
                self.add(kn.span if kn else m.span, f'job "{name}" has no "steps"', W)
            elif isinstance(steps, SeqNode):
                for step in steps.items:
                    self.step(step)
            else:
                self.add(steps.span, f'"steps" must be a list of steps, not {describe(steps)}')
            self.environment(f.get("environment"))
            out = self.mapping(f.get("outputs"), f'"outputs" of job "{name}"')
            if out is not None:
                for k, v in entries(out):
                    if isinstance(v, (MapNode, SeqNode)):
                        self.add(v.span, f'output "{k.value}" must be a string, not {describe(v)}')
            self.env(f.get("env"), '"env"')
            self.defaults(self.no_empty_map(m, "defaults", '"defaults"'))
            self.number(f.get("timeout-minutes"), '"timeout-minutes"')
            self.positive(f.get("timeout-minutes"), '"timeout-minutes"')
            self.boolean(f.get("continue-on-error"), '"continue-on-error"')
            self.not_empty(f.get("container"), '"container"', fk.get("container"))
            self.container(f.get("container"), '"container"')
            self.snapshot(f.get("snapshot"), fk.get("snapshot"))
            services = self.mapping(f.get("services"), '"services"', expr_ok=True)
            self.case_duplicates(services, '"services"')
            if services is not None:
                for k, v in entries(services):
                    self.container(v, f'service "{k.value}"', SERVICE_KEYS)
        self.needs(f.get("needs"))
        self.permissions(f.get("permissions"), fk.get("permissions"))
        self.concurrency(f.get("concurrency"))
        self.strategy(f.get("strategy"))
        self.scalar(f.get("if"), '"if"')

    def call_job(self, name: str, m: MapNode) -> None:
        uses = get(m, "uses")
        value = text(uses)
        if uses is None:
            return
        if value is None:
            self.add(uses.span, f'"uses" must be a string, not {describe(uses)}')
        elif "${{" not in value:
            if value.startswith("./"):
                if "@" in value:
                    self.add(
                        uses.span,
                        f'a local reusable workflow takes no "@ref" (it is read from the same commit): '
                        f'"{value.partition("@")[0]}"',
                    )
                elif not value.startswith("./.github/workflows/"):
                    self.add(uses.span, 'a local reusable workflow must live in "./.github/workflows/"', W)
            elif value.startswith("/"):
                self.add(
                    uses.span,
                    f'invalid reusable workflow "{value}"; expected "owner/repo/path/to/workflow.yml@ref" '
                    'or "./.github/workflows/workflow.yml"',
                )
            else:
                path, sep, ref = value.partition("@")
                if not sep or not ref or path.count("/") < 2:
                    self.add(
                        uses.span,
                        f'invalid reusable workflow "{value}"; expected "owner/repo/path/to/workflow.yml@ref" '
                        'or "./.github/workflows/workflow.yml"',
                    )
        self.case_duplicates(self.mapping(get(m, "with"), '"with"', expr_ok=False), '"with"')
        secrets = get(m, "secrets")
        if isinstance(secrets, ScalarNode):
            if secrets.tag != "null" and secrets.value != "inherit":
                self.add(secrets.span, f'"secrets" must be "inherit" or a mapping, not "{secrets.value}"')
        else:
            self.case_duplicates(self.mapping(secrets, '"secrets"'), '"secrets"')

    def needs(self, node: Node | None) -> None:
        if node is None:
            return
        items: list[Node]
        if isinstance(node, ScalarNode):
            items = [node]
        elif isinstance(node, SeqNode):
            items = node.items
        else:
            self.add(node.span, f'"needs" must be a job id or a list of job ids, not {describe(node)}')
            return
        if isinstance(node, SeqNode) and not items:
            self.add(node.span, '"needs" is an empty list; name the jobs this job waits for or remove it')
        seen: dict[str, ScalarNode] = {}
        for item in items:
            if not isinstance(item, ScalarNode):
                self.add(item.span, f'"needs" entries must be job ids, not {describe(item)}')
                continue
            low = item.value.lower()
            if low in seen:
                self.add(
                    item.span,
                    f'job "{item.value}" is listed twice in "needs" (job ids are case-insensitive)',
                    W,
                )
            else:
                seen[low] = item

    def runs_on(self, node: Node | None) -> None:
        if node is None or isinstance(node, ScalarNode):
            if isinstance(node, ScalarNode) and (node.tag == "null" or not node.value.strip()):
                self.add(node.span, '"runs-on" must name a runner')
            return
        if isinstance(node, SeqNode):
            self.string_or_list(node, '"runs-on"')
            self.labels(node, '"runs-on"')
            return
        assert isinstance(node, MapNode)
        self.keys(node, ("group", "labels"), '"runs-on"')
        self.scalar(get(node, "group"), '"group"')
        self.not_empty(get(node, "group"), 'the runner "group"', key_node(node, "group"))
        labels = get(node, "labels")
        self.string_or_list(labels, '"labels"')
        if isinstance(labels, ScalarNode) and labels.tag == "str" and not labels.value.strip():
            self.add(labels.span, 'the runner "labels" must not be an empty string')
        if isinstance(labels, SeqNode):
            self.labels(labels, '"labels"')

    def labels(self, node: SeqNode, where: str) -> None:
        if not node.items:
            self.add(node.span, f"{where} must name a runner, not an empty list")
        for item in node.items:
            if isinstance(item, ScalarNode) and not item.value.strip():
                self.add(item.span, f"an empty runner label in {where}")

    def environment(self, node: Node | None) -> None:
        if node is None or isinstance(node, ScalarNode):
            return
        m = self.mapping(node, '"environment"')
        if m is None:
            return
        self.keys(m, ("name", "url", "deployment"), '"environment"', W)

    def container(self, node: Node | None, where: str, allowed: tuple[str, ...] = CONTAINER_KEYS) -> None:
        if node is None or isinstance(node, ScalarNode):
            return
        m = self.mapping(node, where)
        if m is None:
            return
        self.keys(m, allowed, where)
        if get(m, "image") is None and not any(is_expr(v) for _, v in entries(m)):
            self.add(m.span, f'missing required key "image" in {where}')
        creds_key = key_node(m, "credentials")
        creds = self.mapping(get(m, "credentials"), '"credentials"', expr_ok=True)
        if creds_key is not None and isinstance(get(m, "credentials"), ScalarNode) and creds is None:
            if _blank(get(m, "credentials")):
                self.add(creds_key.span, f'"credentials" in {where} is empty; give "username" and "password"')
        if creds is not None:
            self.keys(creds, ("username", "password"), '"credentials"')
            missing = [k for k in ("username", "password") if get(creds, k) is None]
            if missing:
                self.add(creds.span, f'"credentials" in {where} need both "username" and "password"')
        image = get(m, "image")
        if isinstance(image, ScalarNode) and image.tag == "str" and not image.value.strip():
            self.add(image.span, f'"image" in {where} must not be empty')
        self.env(get(m, "env"), '"env"')
        for k in ("ports", "volumes"):
            v = get(m, k)
            if isinstance(v, SeqNode) and v.items:  # an empty list is fine here, an empty entry is not
                self.no_empty_list(v, f'"{k}" in {where}')
            if v is not None and not isinstance(v, SeqNode) and not is_expr(v):
                if not (isinstance(v, ScalarNode) and v.tag == "null"):
                    self.add(v.span, f'"{k}" must be a list, not {describe(v)}')

    def snapshot(self, node: Node | None, key: ScalarNode | None) -> None:
        """``snapshot``: an image name, or a mapping of ``image-name`` (required), ``version``
        and ``if``."""
        if node is None or key is None:
            return
        if isinstance(node, ScalarNode):
            self.not_empty(node, '"snapshot"', key)
            return
        if not isinstance(node, MapNode):
            self.add(node.span, f'"snapshot" must be an image name or a mapping, not {describe(node)}')
            return
        self.keys(node, SNAPSHOT_KEYS, '"snapshot"')
        name = get(node, "image-name")
        if name is None:
            self.add(key.span, '"snapshot" must name its image with "image-name"')
        else:
            self.not_empty(name, '"image-name"', key_node(node, "image-name"))
        self.not_empty(get(node, "version"), 'the snapshot "version"', key_node(node, "version"))

    def strategy(self, node: Node | None) -> None:
        m = self.mapping(node, '"strategy"', expr_ok=True)
        if m is None:
            return
        self.keys(m, STRATEGY_KEYS, '"strategy"')
        self.boolean(get(m, "fail-fast"), '"fail-fast"')
        self.number(get(m, "max-parallel"), '"max-parallel"')
        self.positive(get(m, "max-parallel"), '"max-parallel"', integer=True)
        matrix = get(m, "matrix")
        mm = self.mapping(matrix, '"matrix"', expr_ok=True)
        if mm is None:
            return
        self.case_duplicates(mm, '"matrix"')
        for k, v in entries(mm):
            if k.value in ("include", "exclude"):
                if (
                    not isinstance(v, SeqNode)
                    and not is_expr(v)
                    and not (isinstance(v, ScalarNode) and v.tag == "null")
                ):
                    self.add(v.span, f'"{k.value}" must be a list of mappings, not {describe(v)}')
                elif isinstance(v, SeqNode):
                    if not v.items:
                        self.add(
                            v.span,
                            f'"{k.value}" of the matrix is an empty list; give its entries or remove it',
                        )
                    for item in v.items:
                        if not isinstance(item, MapNode) and not is_expr(item):
                            self.add(item.span, f'"{k.value}" entries must be mappings, not {describe(item)}')
            elif not isinstance(v, SeqNode) and not is_expr(v):
                self.add(v.span, f'matrix values of "{k.value}" must be a list, not {describe(v)}', W)
            elif isinstance(v, SeqNode) and not v.items:
                self.add(v.span, f'the matrix row "{k.value}" is empty, so the matrix has no job to run')

    # -- steps ---------------------------------------------------------------------------------
    def step(self, node: Node) -> None:
        m = self.mapping(node, "a step")
        if m is None:
            if isinstance(node, ScalarNode) and node.tag == "null":
                self.add(node.span, 'an empty step; a step needs "run" or "uses"')
            return
        f, fk = index(m)
        uses = f.get("uses")
        run = f.get("run")
        if uses is not None and run is not None:
            ku, kr = fk["uses"], fk["run"]
            second = ku if ku.start_offset > kr.start_offset else kr
            self.add(
                second.span,
                'a step has either "run" (a shell command) or "uses" (an action), not both',
            )
            self.keys(m, USES_STEP_KEYS + ("run", "shell", "working-directory"), "a step")
        elif uses is not None:
            self.keys(m, USES_STEP_KEYS, 'a step with "uses"')
        elif run is not None:
            self.keys(m, RUN_STEP_KEYS, 'a step with "run"')
        else:
            self.add(m.span, 'a step needs "run" (a shell command) or "uses" (an action)')
            self.keys(m, USES_STEP_KEYS + ("run", "shell", "working-directory"), "a step")
        sid = f.get("id")
        if sid is not None:
            value = text(sid)
            if value is None and not (isinstance(sid, ScalarNode)):
                self.add(sid.span, f"a step id must be a string, not {describe(sid)}")
            elif isinstance(sid, ScalarNode) and not sid.value.strip():
                self.add(sid.span if sid.tag != "null" else fk["id"].span, "a step id must not be empty")
            elif value and "${{" not in value and not ID_RE.match(value):
                self.add(
                    sid.span,
                    f'invalid step id "{value}": ids start with a letter or "_" and contain only letters, '
                    'digits, "-" and "_"',
                )
        self.env(f.get("env"), '"env"')
        self.boolean(f.get("continue-on-error"), '"continue-on-error"')
        self.number(f.get("timeout-minutes"), '"timeout-minutes"')
        self.positive(f.get("timeout-minutes"), '"timeout-minutes"')
        self.scalar(run, '"run"')
        self.scalar(f.get("if"), '"if"')
        with_ = self.mapping(f.get("with"), '"with"')
        if with_ is None and "with" in fk and _blank(f.get("with")):
            self.add(fk["with"].span, '"with" is empty; give the action its inputs or remove it')
        elif with_ is not None and not with_.pairs:
            self.add(fk["with"].span, '"with" is empty; give the action its inputs or remove it')
        self.case_duplicates(with_, '"with"')
        if uses is not None:
            self.uses(uses, m, with_)

    def uses(self, uses: Node, step: MapNode, with_: MapNode | None) -> None:
        value = text(uses)
        if value is None:
            self.add(uses.span, f'"uses" must be a string, not {describe(uses)}')
            return
        ref = catalog.parse_uses(value)
        if ref.kind == "invalid":
            why = f" ({ref.problem})" if ref.problem else ""
            self.add(
                uses.span,
                f'invalid action reference "{value}"{why}; expected "owner/repo@ref", "owner/repo/path@ref", '
                '"./path" or "docker://image"',
            )
            return
        spec = catalog.lookup(ref)
        if spec is None:
            return
        if ref.major is not None and ref.major > spec.max_major + catalog.MAJOR_SLACK:
            self.add(
                uses.span,
                f"{spec.name} has no major version v{ref.major} (the newest known is v{spec.max_major}); "
                f'use "{spec.name}@v{spec.max_major}"',
            )
            return
        if ref.major is not None and spec.current_since is not None and ref.major < spec.current_since:
            self.add(
                uses.span,
                f"{spec.name}@v{ref.major} runs on a Node.js version GitHub's runners no longer provide; "
                f'use "{spec.name}@v{spec.max_major}"',
                W,
            )
        given: dict[str, ScalarNode] = {}
        if with_ is not None:
            for k, _ in entries(with_):
                given[k.value.lower()] = k
        docker_only = {"entrypoint", "args"}
        if spec.inputs is not None:
            known = {i.lower(): i for i in spec.inputs}
            for low, k in given.items():
                if low not in known:
                    hint = _suggest(k.value, spec.inputs)
                    only = " (it is an input of Docker actions only)" if low in docker_only else ""
                    self.add(k.span, f'{spec.name} has no input "{k.value}"{only}{hint}', W)
        elif spec.using and spec.using != "docker":
            for low, k in given.items():
                if low in docker_only:
                    self.add(
                        k.span, f'"{k.value}" is an input of Docker actions only; {spec.name} is not one', W
                    )
        for low, k in given.items():
            advice = spec.deprecation(low)
            if advice is not None:
                self.add(k.span, f'the input "{k.value}" of {spec.name} is deprecated; {advice}', W)
        missing = [i for i in spec.required_inputs(ref.major) if i.lower() not in given]
        for inp in missing:
            self.add(step.span, f'missing required input "{inp}" of {spec.name}')


def validate(root: Node | None) -> list[Problem]:
    """Schema and catalog problems of a workflow document's root node."""
    v = _Validator()
    v.workflow(root)
    return v.out


def merge_key_problems(keys: Iterable[ScalarNode]) -> list[Problem]:
    """GitHub Actions reads YAML anchors and aliases but not merge keys: each ``<<`` written
    is an error (the syntax layer still resolves it, so nothing else is reported twice)."""
    return [
        (
            k.span,
            'GitHub Actions does not support YAML merge keys ("<<"); write the keys out, '
            'or alias the whole mapping (such as "env: *defaults")',
            E,
        )
        for k in keys
    ]


def unused_anchor_problems(root: Node | None) -> list[Problem]:
    """Anchors (``&name``) that no alias (``*name``) reads: dead text, or an alias that was
    meant to be written. A later anchor of the same name replaces an earlier one, so each
    anchored node is judged on its own: it is used when the tree reaches it more than once
    (aliased subtrees are shared nodes). Linear in the written tree."""
    if root is None:
        return []
    refs: dict[int, int] = {id(root): 1}
    anchored: list[Node] = []
    stack: list[Node] = [root]
    seen: set[int] = set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if n.anchor is not None:
            anchored.append(n)
        children: Iterable[Node]
        if isinstance(n, MapNode):
            children = [x for pair in (*n.pairs, *n.merges) for x in pair]
        elif isinstance(n, SeqNode):
            children = n.items
        else:
            continue
        for c in children:
            refs[id(c)] = refs.get(id(c), 0) + 1
            stack.append(c)
    return [
        (
            n.span if isinstance(n, ScalarNode) and not n.value else _anchor_span(n),
            f'the anchor "{n.anchor}" is never used; alias it with "*{n.anchor}" or remove it',
            W,
        )
        for n in sorted(anchored, key=lambda x: x.start_offset)
        if refs.get(id(n), 0) < 2
    ]


def _anchor_span(n: Node) -> Span:
    """The span of the anchor written before ``n`` (the node's own span starts there)."""
    sp = n.span
    lines = n._lines
    if lines is None or n.anchor is None:
        return sp
    start = sp.start.offset
    return lines.span(start, start + 1 + len(n.anchor))
