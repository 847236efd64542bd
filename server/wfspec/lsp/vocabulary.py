"""What completion offers per dialect: property keys with one-line docs, enum values, task
snippets and expression variables.

Task keys come from the Serverless Workflow schema module's public tables
(``TASK_TYPES``/``TASK_COMMON``/``TASK_OWN``), the one place they are written; the rest is a
small table kept here, written from the DSL 1.0 reference and GitHub's workflow syntax.
"""

from __future__ import annotations

from dataclasses import dataclass

from wfspec.dialects.serverless.lowering import BUILTIN_CALLS
from wfspec.dialects.serverless.schema import TASK_COMMON, TASK_OWN, TASK_TYPES  # noqa: F401 - re-exported for completion

TASK_LIST_KEYS = frozenset({"do", "try", "branches"})
FLOW_DIRECTIVES = {
    "continue": "go on with the next task in declaration order (the default)",
    "exit": "leave the enclosing composite task; at the top level, end the workflow",
    "end": "end the workflow",
}

TASK_DOCS: dict[str, str] = {
    "call": "call a function: a built-in (`http`, `grpc`, `openapi`, `asyncapi`, `a2a`, `mcp`) or one of `use.functions`",
    "do": "run a list of tasks in order",
    "emit": "publish a CloudEvent",
    "for": "iterate over a collection (`for.each`, `for.in`, `for.at`) running `do` for each item",
    "fork": "run `fork.branches` concurrently (`compete: true`: the first to finish wins)",
    "listen": "wait for one or more events (`listen.to`)",
    "raise": "raise an error (`raise.error`): ends the path unless a `try` catches it",
    "run": "run a container, script, shell command or another workflow",
    "set": "set data: the task output becomes the given object",
    "switch": "choose the next task by the first case whose `when` holds",
    "try": "run tasks and `catch` the errors they raise",
    "wait": "pause for a duration",
    "if": "a runtime expression; the task is skipped when it is false",
    "input": "filter and validate the task input (`from`, `schema`)",
    "output": "transform the task output (`as`, `schema`)",
    "export": "write into the workflow context (`as`): `$context` afterwards",
    "timeout": "a timeout for the task (`after`), or the name of one in `use.timeouts`",
    "then": "what runs next: `continue`, `exit`, `end` or the name of a task in the same `do` list",
    "metadata": "free-form data about the task",
    "with": "the arguments of the call",
    "while": "a runtime expression evaluated before each iteration",
    "catch": "what to catch (`errors.with`, `when`, `exceptWhen`, `as`), `retry` and the `do` run on a catch",
    "foreach": "tasks to run for each event consumed",
}

TOP_LEVEL: dict[str, str] = {
    "document": "the workflow's identity: `dsl`, `namespace`, `name`, `version`, ...",
    "input": "validate and filter the workflow input",
    "use": "reusable definitions: functions, errors, secrets, authentications, retries, timeouts, ...",
    "do": "the tasks of the workflow, run in order",
    "timeout": "a timeout for the whole workflow",
    "output": "transform the workflow output",
    "schedule": "when the workflow runs by itself (`every`, `cron`, `after`, `on`)",
    "evaluate": "the runtime expression language and mode",
}
DOCUMENT_KEYS: dict[str, str] = {
    "dsl": "the DSL version, e.g. `'1.0.3'`",
    "namespace": "the namespace the workflow belongs to",
    "name": "the workflow name",
    "version": "the workflow version (semantic versioning)",
    "title": "a human-readable title",
    "summary": "a Markdown summary",
    "tags": "key/value tags",
    "metadata": "free-form metadata",
}
USE_KEYS: dict[str, str] = {
    "authentications": "named authentication policies, referenced with `use: name`",
    "errors": "named errors, raised with `raise.error: name`",
    "extensions": "extensions run before/after matching tasks",
    "functions": "named functions, called with `call: name`",
    "retries": "named retry policies",
    "secrets": "secret names, read as `$secrets.name`",
    "timeouts": "named timeouts",
    "catalogs": "function catalogs",
}
WITH_KEYS: dict[str, dict[str, str]] = {
    "http": {
        "method": "the HTTP method",
        "endpoint": "the URL, or an endpoint object with `uri` and `authentication`",
        "headers": "request headers",
        "body": "request body",
        "query": "query parameters",
        "output": "`raw`, `content` (default) or `response`",
        "redirect": "follow redirects",
    },
    "openapi": {
        "document": "the OpenAPI document (`endpoint`)",
        "operationId": "the operation to call",
        "parameters": "the operation's parameters",
        "authentication": "authentication policy",
        "output": "`raw`, `content` (default) or `response`",
        "redirect": "follow redirects",
    },
    "grpc": {
        "proto": "the proto file (`endpoint`)",
        "service": "`name`, `host`, `port`, `authentication`",
        "method": "the RPC method",
        "arguments": "the call arguments",
    },
    "asyncapi": {
        "document": "the AsyncAPI document",
        "channel": "the channel",
        "operation": "the operation",
        "server": "the server to use",
        "message": "the message to publish",
        "subscription": "how to consume messages",
        "authentication": "authentication policy",
    },
}
ENUMS: dict[str, tuple[str, ...]] = {
    "method": ("get", "post", "put", "patch", "delete", "head", "options"),
    "output": ("content", "raw", "response"),
    "read": ("data", "envelope", "raw"),
    "return": ("stdout", "stderr", "code", "all", "none"),
}

RUNTIME_VARIABLES: dict[str, str] = {
    "secrets": "the secrets declared in `use.secrets`",
    "context": "the workflow context: what tasks wrote with `export.as`",
    "input": "the task's transformed input",
    "output": "the task's transformed output",
    "workflow": "information about the running workflow (`id`, `definition`, `input`, `startedAt`)",
    "task": "information about the running task (`name`, `reference`, `definition`, `startedAt`)",
    "runtime": "information about the runtime (`name`, `version`, `metadata`)",
    "authorization": "the resolved authorization of the current call (`scheme`, `parameter`)",
}


@dataclass(frozen=True, slots=True)
class Snippet:
    """A task skeleton: ``body`` lines under the task name, ``$1``... placeholders."""

    kind: str
    label: str
    body: tuple[str, ...]


TASK_SNIPPETS: tuple[Snippet, ...] = (
    Snippet(
        "call",
        "call http",
        (
            "call: http",
            "with:",
            "  method: ${2|get,post,put,patch,delete|}",
            "  endpoint: ${3:https://example.com}",
        ),
    ),
    Snippet("call", "call function", ("call: ${2:functionName}", "with:", "  ${3:argument}: ${4:value}")),
    Snippet("do", "do", ("do:", "  - ${2:step}:", "      set:", "        ${3:key}: ${4:value}")),
    Snippet(
        "emit",
        "emit",
        (
            "emit:",
            "  event:",
            "    with:",
            "      source: ${2:https://example.com}",
            "      type: ${3:com.example.event}",
        ),
    ),
    Snippet(
        "for",
        "for",
        (
            "for:",
            "  each: ${2:item}",
            "  in: ${3:.items}",
            "do:",
            "  - ${4:handleItem}:",
            "      set:",
            "        ${5:key}: ${6:value}",
        ),
    ),
    Snippet(
        "fork",
        "fork",
        (
            "fork:",
            "  compete: ${2|false,true|}",
            "  branches:",
            "    - ${3:branchA}:",
            "        set:",
            "          ${4:key}: ${5:value}",
        ),
    ),
    Snippet(
        "listen",
        "listen",
        ("listen:", "  to:", "    one:", "      with:", "        type: ${2:com.example.event}"),
    ),
    Snippet("raise", "raise", ("raise:", "  error: ${2:errorName}")),
    Snippet("run", "run shell", ("run:", "  shell:", "    command: ${2:echo hello}")),
    Snippet("set", "set", ("set:", "  ${2:key}: ${3:value}")),
    Snippet(
        "switch",
        "switch",
        (
            "switch:",
            "  - ${2:caseA}:",
            "      when: ${3:.value == 1}",
            "      then: ${4:continue}",
            "  - default:",
            "      then: ${5:end}",
        ),
    ),
    Snippet(
        "try",
        "try / catch",
        (
            "try:",
            "  - ${2:attempt}:",
            "      call: ${3:http}",
            "catch:",
            "  errors:",
            "    with:",
            "      status: ${4:503}",
            "  do:",
            "    - ${5:recover}:",
            "        set:",
            "          ${6:recovered}: true",
        ),
    ),
    Snippet("wait", "wait", ("wait:", "  seconds: ${2:10}")),
)


# -- GitHub Actions (a small table until the dialect ships its own vocabulary) ---------------

GITHUB_TOP_LEVEL: dict[str, str] = {
    "name": "the workflow name",
    "run-name": "the name of workflow runs",
    "on": "the events that trigger the workflow",
    "permissions": "GITHUB_TOKEN permissions",
    "env": "environment variables for every job",
    "defaults": "default settings for every job",
    "concurrency": "a concurrency group",
    "jobs": "the jobs of the workflow",
}
GITHUB_JOB_KEYS: dict[str, str] = {
    "name": "display name",
    "needs": "jobs that must finish first",
    "runs-on": "the runner",
    "if": "a condition",
    "steps": "the steps of the job",
    "env": "environment variables",
    "outputs": "outputs other jobs read with `needs.<job>.outputs.<name>`",
    "strategy": "a build matrix",
    "permissions": "GITHUB_TOKEN permissions",
    "environment": "the deployment environment",
    "concurrency": "a concurrency group",
    "timeout-minutes": "the job timeout",
    "continue-on-error": "do not fail the workflow when this job fails",
    "container": "a container to run steps in",
    "services": "service containers",
    "defaults": "default settings",
    "uses": "a reusable workflow",
    "with": "inputs of a reusable workflow",
    "secrets": "secrets for a reusable workflow",
}
GITHUB_STEP_KEYS: dict[str, str] = {
    "id": "the step id (for `steps.<id>.outputs`)",
    "name": "display name",
    "uses": "an action",
    "run": "a shell command",
    "with": "action inputs",
    "env": "environment variables",
    "if": "a condition",
    "shell": "the shell",
    "working-directory": "the working directory",
    "continue-on-error": "do not fail the job when this step fails",
    "timeout-minutes": "the step timeout",
}
GITHUB_CONTEXTS: dict[str, str] = {
    "github": "information about the run and the event",
    "env": "environment variables",
    "vars": "configuration variables",
    "job": "the current job",
    "jobs": "outputs of reusable workflow jobs",
    "steps": "outputs and outcomes of earlier steps of this job (`steps.<id>.outputs`)",
    "runner": "the runner",
    "secrets": "secrets",
    "strategy": "the matrix strategy",
    "matrix": "the current matrix values",
    "needs": "outputs and results of the jobs this job needs (`needs.<job>.outputs.<name>`)",
    "inputs": "the workflow inputs",
}

BUILTIN_CALL_DOCS = {name: f"built-in `{name}` call" for name in sorted(BUILTIN_CALLS)}
