"""The structural schema of Serverless Workflow DSL 1.0.x (``wfspec.dialects.serverless.schema``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfspec.dialects.serverless.schema import validate
from wfspec.syntax.parse import parse

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpora" / "serverlessworkflow-spec"

#: five lines (0-4); ``do:`` is then line 5, the first task name line 6 and its body line 7
HEAD = "document:\n  dsl: '1.0.3'\n  namespace: test\n  name: t\n  version: '0.1.0'\n"


def problems(text: str) -> list[tuple[int, int, str]]:
    """(line, character, message) of every schema problem, 0-based."""
    return [(s.start.line, s.start.character, m) for s, m in validate(parse(text).root)]


def only(text: str, fragment: str) -> tuple[int, int]:
    """The position of the single problem, which must contain ``fragment``."""
    found = problems(text)
    assert len(found) == 1, found
    line, char, message = found[0]
    assert fragment in message, message
    assert message[0].islower() or message[0] == '"', message
    return line, char


def task(body: str) -> str:
    """A workflow with one task ``a`` whose body (indented 6) is ``body``."""
    lines = "".join(f"      {line}\n" for line in body.strip("\n").splitlines())
    return HEAD + "do:\n  - a:\n" + lines


# ---------------------------------------------------------------------------------------------
# the workflow and its document


def test_valid_minimal_workflow() -> None:
    assert problems(task("set:\n  x: 1")) == []


def test_empty_and_non_mapping_roots() -> None:
    assert validate(None) == []
    assert problems("- a\n- b\n") == [(0, 0, 'a workflow must be a mapping with "document" and "do"')]


def test_unknown_top_level_property_suggests() -> None:
    text = HEAD + "dos:\n  - a:\n      wait: PT1S\n"
    found = problems(text)
    assert (5, 0, 'unknown property "dos" in the workflow; did you mean "do"?') in found
    assert (0, 0, 'missing required property "do" in the workflow') in found


def test_missing_document_property_at_first_key() -> None:
    text = "document:\n  dsl: '1.0.3'\n  namespace: test\n  version: '0.1.0'\ndo:\n  - a:\n      wait: PT1S\n"
    assert only(text, 'missing required property "name" in "document"') == (1, 2)


def test_missing_property_in_flow_mapping_at_the_mapping() -> None:
    text = "document: {dsl: '1.0.3', name: t, version: '1.0.0'}\ndo:\n  - a:\n      wait: PT1S\n"
    assert only(text, 'missing required property "namespace"') == (0, 10)


def test_unknown_document_property() -> None:
    text = HEAD + "  titel: x\ndo:\n  - a:\n      wait: PT1S\n"
    assert only(text, 'unknown property "titel" in "document"; did you mean "title"?') == (5, 2)


def test_dsl_version() -> None:
    bad = HEAD.replace("'1.0.3'", "'0.8'") + "do:\n  - a:\n      wait: PT1S\n"
    assert only(bad, 'unsupported DSL version "0.8"') == (1, 7)
    # an unquoted number is a 1.x version all the same
    float_dsl = HEAD.replace("'1.0.3'", "1.0") + "do:\n  - a:\n      wait: PT1S\n"
    assert problems(float_dsl) == []
    assert problems(HEAD.replace("'1.0.3'", "1.0.0-alpha5") + "do:\n  - a:\n      wait: PT1S\n") == []


def test_document_wrong_types() -> None:
    text = HEAD + "  tags: [a, b]\ndo:\n  - a:\n      wait: PT1S\n"
    assert only(text, '"tags" must be a mapping, not a list') == (5, 2)


def test_do_must_be_a_list() -> None:
    text = HEAD + "do:\n  a:\n    wait: PT1S\n"
    assert only(text, '"do" must be a list of tasks') == (5, 0)


def test_schedule_and_evaluate() -> None:
    text = HEAD + "schedule:\n  every: 5 minutes\nevaluate:\n  mode: lax\ndo:\n  - a:\n      wait: PT1S\n"
    found = problems(text)
    assert (6, 9, found[0][2]) == found[0] and 'invalid duration "5 minutes"' in found[0][2]
    assert found[1][:2] == (8, 2) and 'unsupported value "lax" for "mode"' in found[1][2]
    assert len(found) == 2


# ---------------------------------------------------------------------------------------------
# use


def test_use_types() -> None:
    text = HEAD + "use:\n  secrets: mySecret\n  errors: []\n  secret: [x]\ndo:\n  - a:\n      wait: PT1S\n"
    found = problems(text)
    assert found == [
        (6, 2, '"secrets" must be a list of strings, not a string'),
        (7, 2, '"errors" must be a mapping of error names to error definitions, not a list'),
        (8, 2, 'unknown property "secret" in "use"; did you mean "secrets"?'),
    ]


def test_use_functions_are_tasks() -> None:
    text = (
        HEAD + "use:\n  functions:\n    f:\n      call: http\n      with:\n        method: get\n"
        "        endpoint: https://x\n      retry: 3\ndo:\n  - a:\n      call: f\n"
    )
    assert only(text, 'unknown property "retry" in call task "f"') == (12, 6)


def test_use_errors_retries_timeouts_catalogs() -> None:
    text = (
        HEAD + "use:\n  errors:\n    notFound:\n      type: https://x/not-found\n"
        "  retries:\n    r:\n      delay: {second: 3}\n"
        "  timeouts:\n    t:\n      afterr: PT1S\n"
        "  catalogs:\n    c: {}\n"
        "do:\n  - a:\n      wait: PT1S\n"
    )
    found = problems(text)
    assert found == [
        (8, 6, 'missing required property "status" in error "notFound"'),
        (11, 14, 'unknown property "second" in the duration "delay"; did you mean "seconds"?'),
        (14, 6, 'unknown property "afterr" in timeout "t"; did you mean "after"?'),
        (14, 6, 'missing required property "after" in timeout "t"'),
        (16, 7, 'missing required property "endpoint" in catalog "c"'),
    ]


def test_use_extensions() -> None:
    text = (
        HEAD + "use:\n  extensions:\n    - log:\n        extend: everything\n"
        "        before:\n          - a:\n              wait: PT1S\n"
        "do:\n  - a:\n      wait: PT1S\n"
    )
    assert only(text, 'unsupported value "everything" for "extend"') == (8, 8)


def test_authentication_policies() -> None:
    text = (
        HEAD + "use:\n  authentications:\n    both:\n      basic:\n        username: u\n"
        "      bearer:\n        token: t\n    partial:\n      basic:\n        username: u\n"
        "    secret:\n      oauth2:\n        use: mySecret\n    ref:\n      use: both\n"
        "do:\n  - a:\n      wait: PT1S\n"
    )
    found = problems(text)
    assert found == [
        (9, 8, 'missing required property "password" in the "basic" authentication'),
        (
            10,
            6,
            '"bearer" cannot be combined with "basic" in authentication policy "both"; '
            "use exactly one authentication scheme",
        ),
        (14, 8, 'missing required property "password" in the "basic" authentication'),
        (
            19,
            6,
            'unknown property "use" in authentication policy "ref"; '
            '"use" is only allowed where a policy is referenced, not in "use.authentications"',
        ),
        (
            19,
            6,
            'missing property in authentication policy "ref": expected one of '
            '"basic", "bearer", "certificate", "digest", "oauth2" or "oidc"',
        ),
    ]


def test_endpoint_authentication_reference_is_fine() -> None:
    body = (
        "call: http\nwith:\n  method: get\n  endpoint:\n    uri: https://x\n"
        "    authentication:\n      use: petStore\n"
    )
    assert problems(task(body)) == []


# ---------------------------------------------------------------------------------------------
# task lists and task types


def test_two_tasks_in_one_item() -> None:
    text = HEAD + "do:\n  - a:\n      wait: PT1S\n    b:\n      wait: PT2S\n"
    assert only(text, 'two tasks in one list item: "a" and "b"; each task needs its own "- " item') == (8, 4)


def test_task_properties_not_indented() -> None:
    text = HEAD + "do:\n  - a:\n    call: http\n    with:\n      method: get\n      endpoint: https://x\n"
    assert only(text, '"call" is at the same level as task "a"') == (7, 4)


def test_task_without_definition() -> None:
    assert only(HEAD + "do:\n  - a:\n", 'task "a" has no definition') == (6, 4)
    assert only(HEAD + "do:\n  - a\n", 'each item of "do" must be a mapping') == (6, 4)


def test_unknown_task_type_at_first_key() -> None:
    line, char = only(
        task("then: end\ncal: f"), "unknown task type; expected one of call, do, emit, for, fork"
    )
    assert (line, char) == (7, 6)
    assert 'did you mean "call" instead of "cal"?' in problems(task("then: end\ncal: f"))[0][2]


def test_conflicting_task_types() -> None:
    assert only(task("set:\n  x: 1\nwait: PT1S"), '"wait" cannot be combined with "set" in one task') == (
        9,
        6,
    )


def test_property_of_another_task_type() -> None:
    text = task("do:\n  - b:\n      wait: PT1S\ncatch:\n  do: []")
    assert only(text, 'unknown property "catch" in do task "a"; "catch" belongs to try tasks') == (10, 6)


def test_common_property_types() -> None:
    text = task("set:\n  x: 1\nthen: [b]\nif: {x: 1}\nmetadata: m\ntimeout: 5\noutput: .x")
    assert problems(text) == [
        (9, 6, '"then" must be a string, not a list'),
        (10, 6, '"if" must be a string (a runtime expression) or a boolean, not a mapping'),
        (11, 6, '"metadata" must be a mapping, not a string'),
        (13, 6, '"output" must be a mapping, not a string'),
    ]
    # a number where a name is expected is read as a name; if may be a boolean or an expression
    assert problems(task("set:\n  x: 1\nif: true\nthen: exit")) == []
    assert problems(task("set:\n  x: 1\nif: ${ .x }\ninput:\n  from: ${ .a }\nexport:\n  as: {}")) == []


def test_timeout_definitions() -> None:
    assert problems(task("wait: PT1S\ntimeout: myTimeout")) == []
    assert only(task("wait: PT1S\ntimeout:\n  after: soon"), 'invalid duration "soon" for "after"') == (9, 15)


def test_input_schema() -> None:
    text = task("set:\n  x: 1\ninput:\n  schema:\n    format: json")
    assert only(text, 'expected one of "document" or "resource"') == (11, 10)
    free = task("set:\n  x: 1\ninput:\n  schema:\n    document:\n      type: object\n      anything: [1, 2]")
    assert problems(free) == []


# call


def test_http_call_with() -> None:
    assert only(
        task("call: http\nwith:\n  endpoint: https://x"),
        'missing required property "method" in http call "with"',
    ) == (9, 8)
    assert only(task("call: http"), 'missing required property "with" in http call task "a"') == (7, 6)
    text = task("call: http\nwith:\n  method: get\n  endpoint: https://x\n  outpt: raw")
    assert only(text, 'unknown property "outpt" in http call "with"; did you mean "output"?') == (11, 8)
    text = task("call: http\nwith:\n  method: get\n  endpoint: https://x\n  output: json")
    assert only(text, 'unsupported value "json" for "output"') == (11, 8)
    text = task("call: http\nwith:\n  method: get\n  endpoint: https://x\n  redirect: maybe")
    assert only(text, '"redirect" must be a boolean, not a string') == (11, 8)


def test_call_free_form_contents_are_not_checked() -> None:
    body = (
        "call: http\nwith:\n  method: post\n  endpoint: ${ .url }\n  headers:\n    X-Anything: [1, {a: b}]\n"
        "  query: ${ .q }\n  body:\n    do: not-a-task\n    call: 5"
    )
    assert problems(task(body)) == []
    assert problems(task("call: myFunction\nwith:\n  whatever:\n    nested: [1, 2]")) == []
    assert only(task("call: myFunction\nwith: [1]"), '"with" must be a mapping or a runtime expression') == (
        8,
        6,
    )


def test_unknown_property_directly_under_a_call() -> None:
    text = task("call: http\nwith:\n  method: get\n  endpoint: https://x\nfoo: bar")
    assert only(text, 'unknown property "foo" in call task "a"') == (11, 6)


def test_grpc_openapi_asyncapi_calls() -> None:
    grpc = task(
        "call: grpc\nwith:\n  proto:\n    endpoint: file://app/greet.proto\n  service:\n    name: Greeter\n  method: Hi"
    )
    assert only(grpc, 'missing required property "host" in grpc "service"') == (12, 10)
    openapi = task(
        "call: openapi\nwith:\n  document:\n    endpoint: https://x/openapi.json\n  operationID: find"
    )
    found = problems(openapi)
    assert (
        11,
        8,
        'unknown property "operationID" in openapi call "with"; did you mean "operationId"?',
    ) in found
    assert (9, 8, 'missing required property "operationId" in openapi call "with"') in found
    asyncapi = task(
        "call: asyncapi\nwith:\n  document:\n    endpoint: https://x/asyncapi.json\n  operation: notify"
    )
    assert only(asyncapi, 'expected one of "message" or "subscription"') == (9, 8)


def test_a2a_and_mcp_calls() -> None:
    a2a = task("call: a2a\nwith:\n  method: message/sent\n  server: https://agent")
    assert only(a2a, 'unsupported value "message/sent" for "method"') == (9, 8)
    a2a = task("call: a2a\nwith:\n  method: message/send")
    assert only(a2a, 'expected one of "agentCard" or "server"') == (9, 8)
    mcp = task(
        "call: mcp\nwith:\n  method: tools/list\n  transport:\n    stdio:\n      command: npx\n"
        "    http:\n      endpoint: https://mcp"
    )
    assert only(mcp, '"http" cannot be combined with "stdio" in mcp "transport"') == (13, 10)


# do, fork, for, try, switch


def test_fork() -> None:
    assert only(task("fork:\n  compete: true"), 'missing required property "branches" in "fork"') == (8, 8)
    text = task("fork:\n  compete: 'true'\n  branches:\n    - b:\n        wait: PT1S")
    assert only(text, '"compete" must be a boolean, not a string') == (8, 8)


def test_for() -> None:
    text = task("for:\n  each: x\ndo:\n  - b:\n      wait: PT1S")
    assert only(text, 'missing required property "in" in "for"') == (8, 8)
    assert only(task("for:\n  in: ${ .xs }"), 'missing required property "do" in for task "a"') == (7, 6)
    assert problems(task("for:\n  in: ${ .xs }\nwhile: ${ true }\ndo:\n  - b:\n      wait: PT1S")) == []


def test_try_and_catch() -> None:
    assert only(
        task("try:\n  - b:\n      wait: PT1S"), 'missing required property "catch" in try task "a"'
    ) == (7, 6)
    text = task("try:\n  - b:\n      wait: PT1S\ncatch:\n  error:\n    with:\n      status: 503")
    assert only(text, 'unknown property "error" in "catch"; did you mean "errors"?') == (11, 8)
    text = task(
        "try:\n  - b:\n      wait: PT1S\ncatch:\n  retry:\n    backoff:\n      exponential: {}\n      linear: {}"
    )
    assert only(text, '"linear" cannot be combined with "exponential"') == (14, 12)
    text = task(
        "try:\n  - b:\n      wait: PT1S\ncatch:\n  retry: default\n  do:\n    - c:\n        raise:\n          error: x"
    )
    assert problems(text) == []


def test_switch() -> None:
    assert only(task("switch:\n  a: {then: end}"), '"switch" must be a list of cases') == (7, 6)
    assert only(task("switch: []"), '"switch" must have at least one case') == (7, 6)
    text = task("switch:\n  - x:\n      when: ${ .a }\n  - y:\n      when: ${ .b }\n      then: exit")
    assert only(text, 'missing required property "then" in case "x"') == (9, 12)
    text = task("switch:\n  - x:\n      when: ${ .a }\n      then: exit\n    y:\n      then: end")
    assert only(text, 'two cases in one list item: "x" and "y"') == (11, 10)
    text = task("switch:\n  - x:\n      whne: ${ .a }\n      then: exit")
    assert only(text, 'unknown property "whne" in case "x"; did you mean "when"?') == (9, 12)


# emit, listen


def test_emit() -> None:
    text = task(
        "emit:\n  event:\n    with:\n      type: com.example.done\n      data:\n        anything: [1]"
    )
    assert only(text, 'missing required property "source" in "event.with"') == (10, 12)
    text = task("emit:\n  event:\n    source: https://x")
    assert only(text, 'missing required property "with" in "event"; put the event attributes') == (9, 10)


def test_listen() -> None:
    text = task("listen:\n  to:\n    one:\n      with:\n        type: com.example\n  read: body")
    assert only(text, 'unsupported value "body" for "read"') == (12, 8)
    text = task("listen:\n  to:\n    all: []\n    one:\n      with:\n        type: com.example")
    assert only(text, '"one" cannot be combined with "all"') == (10, 10)
    text = task("listen:\n  to:\n    all: []\n    until: ${ true }")
    assert only(text, '"until" only applies to an "any" strategy') == (10, 10)
    text = task("listen:\n  to:\n    any: []\n    until:\n      any: []\n      until: ${ true }")
    assert only(text, '"until" cannot be nested inside "until"') == (12, 12)
    text = task("listen:\n  to:\n    any:\n      - with: {}\n")
    assert only(text, '"with" must not be empty') == (10, 20)
    ok = task(
        "listen:\n  to:\n    any: []\n    until:\n      one:\n        with:\n          type: stop\n"
        "foreach:\n  item: event\n  do:\n    - b:\n        set:\n          e: ${ $event }"
    )
    assert problems(ok) == []


# raise, run, set, wait


def test_raise() -> None:
    assert problems(task("raise:\n  error: notFound")) == []
    text = task("raise:\n  error:\n    type: https://x/err\n    title: Oops")
    assert only(text, 'missing required property "status" in "error"') == (9, 10)
    assert only(task("raise:\n  error:\n    type: t\n    status: '404'"), '"status" must be an integer') == (
        10,
        10,
    )


def test_run() -> None:
    text = task("run:\n  shell:\n    command: ls\n  script:\n    language: js\n    code: x")
    assert only(text, '"script" cannot be combined with "shell" in "run"') == (10, 8)
    assert only(
        task("run:\n  await: false"), 'expected one of "container", "script", "shell" or "workflow"'
    ) == (8, 8)
    text = task("run:\n  container:\n    image: alpine\n    lifetime:\n      cleanup: eventually")
    assert only(text, 'missing required property "after" in "lifetime" when "cleanup" is "eventually"') == (
        11,
        12,
    )
    text = task("run:\n  script:\n    language: js\n  return: everything")
    found = problems(text)
    assert (9, 10, 'missing property in "script": expected one of "code" or "source"') in found
    assert (10, 8, found[1][2]) == found[1] and 'unsupported value "everything" for "return"' in found[1][2]
    text = task("run:\n  workflow:\n    namespace: ns\n    name: child")
    assert only(text, 'missing required property "version" in "workflow"') == (9, 10)


def test_set() -> None:
    assert problems(task("set: ${ .a + 1 }")) == []
    assert problems(task("set:\n  do: [1, 2]\n  call: {x: y}")) == []  # set values are free-form
    assert only(task("set: [1, 2]"), '"set" must be a mapping of values or a runtime expression') == (7, 6)
    assert only(task("set: {}"), '"set" must not be empty') == (7, 6)


def test_wait() -> None:
    assert problems(task("wait: PT1M30S")) == []
    assert problems(task("wait: P1DT2H")) == []
    assert problems(task("wait: ${ .delay }")) == []
    assert problems(task("wait:\n  minutes: 1\n  seconds: 30")) == []
    assert only(task("wait: 30s"), 'invalid duration "30s" for "wait"') == (7, 12)
    assert only(task("wait: PT"), 'invalid duration "PT"') == (7, 12)
    assert only(task("wait:\n  minute: 1"), 'did you mean "minutes"?') == (8, 8)
    assert only(task("wait:\n  seconds: 1.5"), '"seconds" must be an integer, not a number') == (8, 8)
    assert only(task("wait: 30"), '"wait" must be an ISO 8601 duration string or a duration mapping') == (
        7,
        6,
    )


def test_nested_task_lists_are_checked() -> None:
    text = task(
        "fork:\n  branches:\n    - b:\n        do:\n          - c:\n              call: http\n"
        "              with:\n                method: get\n                endpiont: https://x"
    )
    found = problems(text)
    assert (15, 22, 'unknown property "endpiont" in http call "with"; did you mean "endpoint"?') in found
    assert (14, 22, 'missing required property "endpoint" in http call "with"') in found


def test_duplicate_keys_are_each_checked() -> None:
    text = task("set:\n  x: 1\nthen: 5\nthen: [b]")
    assert problems(text) == [(10, 6, '"then" must be a string, not a list')]


# ---------------------------------------------------------------------------------------------
# the official corpus and the project's own specs


def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"the Serverless Workflow corpus is not available at {CORPUS}")
    files = sorted((CORPUS / "examples").glob("*.yaml"))
    for sub in ("ctk", "dsl-reference", "dsl"):
        files += sorted((CORPUS / "extracted" / sub).glob("*.yaml"))
    return files


def test_official_examples_have_no_problems() -> None:
    files = _corpus_files()
    assert len(files) >= 66
    bad = {}
    for path in files:
        found = validate(parse(path.read_text(encoding="utf-8")).root)
        if found:
            bad[path.name] = [(s.start.line, s.start.character, m) for s, m in found]
    assert bad == {}


def test_project_specs_have_no_problems() -> None:
    bad = {}
    for path in sorted((REPO / "specs" / "serverless").glob("*.yaml")):
        found = validate(parse(path.read_text(encoding="utf-8")).root)
        if found:
            bad[path.name] = [(s.start.line, s.start.character, m) for s, m in found]
    assert bad == {}


def test_invalid_fixtures_are_rejected() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the Serverless Workflow corpus is not available at {CORPUS}")
    expected = {
        "extra-property-in-call.yaml": 'unknown property "foo"',
        "two-tasks-in-one-item.yaml": "two tasks in one list item",
        "listen-any-until-any-until.yaml": '"until" cannot be nested inside "until"',
    }
    for name, fragment in expected.items():
        found = validate(parse((CORPUS / "invalid" / name).read_text(encoding="utf-8")).root)
        assert found, name
        assert any(fragment in message for _, message in found), (name, found)
