"""Intent extraction (wfspec.llm.intent): many phrasings per construct, negatives, and a check
that every plan the extractor builds is structurally consistent with its items."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfspec.llm import coverage
from wfspec.llm.intent import Intent, extract
from wfspec.llm.plan import ACTIONS, Item, Plan, Step

ALL: list[tuple[str, str]] = []  # every request used below, with its dialect


def _reg(dialect: str, requests: list[Any]) -> list[Any]:
    ALL.extend((r[0] if isinstance(r, tuple) else r, dialect) for r in requests)
    return requests


def kinds(intent: Intent, kind: str) -> list[Item]:
    return [i for i in intent.items if i.kind == kind]


def steps_of(plan: Plan, kind: str) -> list[Step]:
    return [s for s in plan.walk() if s.kind == kind]


# -- steps and their order ----------------------------------------------------------------------

ORDER = _reg(
    "serverless",
    [
        "Fetch the invoice, then send it to the customer",
        "fetch the invoice and then send it to the customer",
        "First fetch the invoice. After that, send it to the customer.",
        "Fetch the invoice; send it to the customer",
        "# fetch the invoice, next send it to the customer",
        "FETCH THE INVOICE THEN SEND IT TO THE CUSTOMER",
        "Fetch the invoice. Then send it to the customer!",
        "Please fetch the invoice and send it to the customer",
        "fetch the invoice, and finally send it to the customer",
        "// Fetch the invoice\n// Send it to the customer",
    ],
)


@pytest.mark.parametrize("request_", ORDER)
def test_steps_in_order(request_: str) -> None:
    intent = extract(request_)
    names = [i.name for i in kinds(intent, "step")]
    assert names == ["fetch invoice", "send customer"] or names == ["fetch invoice", "send"], names
    flat = [s.name for s in intent.plan.steps]
    assert flat[0] == "fetchInvoice" and flat[1].startswith("send")


def test_step_names_camel_unique_and_short() -> None:
    intent = extract(
        "Send a welcome email, then send a welcome email again, then notify the very long named "
        "customer success operations escalation management team about the onboarding status"
    )
    names = [s.name for s in intent.plan.walk()]
    assert len(names) == len(set(names))
    assert all(len(n) <= 40 and n[0].islower() for n in names)
    assert names[0] == "sendWelcomeEmail" and names[1] == "sendWelcomeEmail2"


# -- branches ------------------------------------------------------------------------------------

IF_ELSE = _reg(
    "serverless",
    [
        "Ping the status page; if the site is down, page the on-call engineer through PagerDuty, otherwise log that all is well",
        "If the site is down, page the on-call engineer. Otherwise, log that all is well.",
        "if the site is down then page the on-call engineer else log that all is well",
        "Check the site. If it is down, page the on-call engineer; if not, log that all is well.",
        "Page the on-call engineer if the site is down, otherwise log that all is well",
        "If the site's down, page the on-call engineer, or else log that all is well",
        "IF THE SITE IS DOWN, PAGE THE ON-CALL ENGINEER, OTHERWISE LOG THAT ALL IS WELL",
        "in case the site is down, page the on-call engineer, else log that all is well",
        "When the site is down, page the on-call engineer. In all other cases, log that all is well.",
    ],
)


@pytest.mark.parametrize("request_", IF_ELSE)
def test_if_otherwise(request_: str) -> None:
    intent = extract(request_)
    (branch,) = kinds(intent, "branch")
    assert "down" in branch.name
    assert branch.count == 2 and len(branch.values) == 2
    assert "page" in branch.values[0].lower() and "log" in branch.values[1].lower()
    (step,) = steps_of(intent.plan, "branch")
    assert [bool(c.when) for c in step.cases] == [True, False]
    assert step.cases[0].steps[0].name.startswith("page")
    assert step.cases[1].steps[0].name.startswith("log")


MULTI = _reg(
    "serverless",
    [
        "When the amount is over 500, escalate to finance; under 100, auto-approve it; else ask the manager agent",
        "If the amount is over 500 escalate to finance. If it's under 100, auto-approve it. Otherwise ask the manager agent.",
        "if the amount is above 500, escalate to finance, if the amount is below 100, auto-approve it, otherwise ask the manager agent",
        "When the amount is more than 500, escalate to finance. Less than 100: auto-approve it. Anything else, ask the manager agent.",
        "if amount > 500 then escalate to finance; else if amount < 100 then auto-approve it; else ask the manager agent",
        "If the amount exceeds 500, escalate to finance; under 100, auto-approve it; otherwise ask the manager agent",
        "when the amount is greater than 500 escalate to finance, under 100 auto-approve it, and otherwise ask the manager agent",
        "If the amount is over 500, escalate to finance. If under 100, auto-approve it. Else, ask the manager agent.",
    ],
)


@pytest.mark.parametrize("request_", MULTI)
def test_multi_way_branch(request_: str) -> None:
    intent = extract(request_)
    (branch,) = kinds(intent, "branch")
    assert branch.count == 3, branch
    (step,) = steps_of(intent.plan, "branch")
    assert len(step.cases) == 3 and step.cases[-1].when == ""
    assert "500" in step.cases[0].when and "100" in step.cases[1].when
    assert step.cases[2].steps[0].kind == "agent" and step.cases[2].steps[0].target == "manager"


ROUTING = _reg(
    "serverless",
    [
        "route billing issues to the billing agent and everything else to the general agent",
        "Route billing issues to the billing agent, everything else to the general agent.",
        "send billing questions to the billing agent and anything else to the general agent",
        "Billing tickets go to the billing agent, the rest to the general agent",
        "forward billing requests to the billing agent; all others to the general agent",
        "Route billing issues to the billing agent, and the rest to the general agent",
        "ROUTE BILLING ISSUES TO THE BILLING AGENT AND EVERYTHING ELSE TO THE GENERAL AGENT",
        "assign billing cases to the billing agent and all other cases to the general agent",
    ],
)


@pytest.mark.parametrize("request_", ROUTING)
def test_routing_is_a_switch_with_a_default(request_: str) -> None:
    intent = extract(request_)
    (step,) = steps_of(intent.plan, "branch")
    assert len(step.cases) == 2
    assert "billing" in step.cases[0].when.lower() and step.cases[1].when == ""
    assert step.cases[0].steps[0].kind == "agent" and step.cases[0].steps[0].target == "billing"
    assert step.cases[1].steps[0].kind == "agent" and step.cases[1].steps[0].target == "general"
    assert {i.name for i in kinds(intent, "agent")} == {"billing", "general"}
    assert kinds(intent, "branch")[0].count == 2


def test_routing_uses_workspace_agent_names() -> None:
    intent = extract(
        "route billing issues to the billing agent and everything else to the general agent",
        names={"agents": ["billingAgent", "generalAgent", "technicalAgent"]},
    )
    assert [i.name for i in kinds(intent, "agent")] == ["billingAgent", "generalAgent"]
    (step,) = steps_of(intent.plan, "branch")
    assert [c.steps[0].target for c in step.cases] == ["billingAgent", "generalAgent"]
    assert "technicalAgent" not in json.dumps(intent.plan.to_json())


DEPENDING = _reg(
    "serverless",
    [
        "Depending on the priority, page the on-call for high, email the team for medium, and log it for low",
        "depending on the priority: high -> page the on-call, medium -> email the team, low -> log it",
        "Based on the priority, page the on-call for high, email the team for medium, log it for low.",
        "Depending on the priority: for high, page the on-call; for medium, email the team; for low, log it",
    ],
)


@pytest.mark.parametrize(
    "request_",
    [
        "depending on the severity: critical goes to pagerduty, high to the on-call channel, anything else just gets logged",
        "based on the region, EU orders go to the Dublin warehouse and US orders to the Ohio warehouse; anything else is rejected",
    ],
)
def test_cases_stated_about_their_subject(request_: str) -> None:
    # "X goes to Y", a gapped "Z to W" and "the rest get logged": a case each, the last the default
    intent = extract(request_)
    (step,) = steps_of(intent.plan, "branch")
    assert [bool(c.when) for c in step.cases] == [True, True, False]
    assert [c.steps[0].name for c in step.cases][2] in ("log", "reject")
    assert all(c.steps[0].name.startswith("send") for c in step.cases[:2])
    assert len(intent.plan.steps) == 1  # "depending on"/"based on" is no step of its own


@pytest.mark.parametrize("request_", DEPENDING)
def test_depending_on(request_: str) -> None:
    intent = extract(request_)
    (step,) = steps_of(intent.plan, "branch")
    whens = [c.when for c in step.cases if c.when]
    assert len(whens) == 3 and all("priority" in w for w in whens)
    firsts = [c.steps[0].name for c in step.cases if c.steps]
    assert [n.startswith(v) for n, v in zip(firsts, ("page", "email", "log"), strict=True)] == [True] * 3, (
        firsts
    )
    assert kinds(intent, "branch")[0].count == len(step.cases)


NOT_BRANCH = _reg(
    "serverless",
    [
        "Notify the IF team about the outage",
        "Check whether the gift card is valid and send the receipt",
        "Send the difference report to finance",
        "When done, email the summary",
        "Email the ifconfig output to the admin",
        "Verify the identity of the caller, then greet them",
        "Look up the specifics of the order",
        "Email the life insurance quote",
        "Check if the site is up",
        "Ask the user if they want a receipt",
        "See if the file exists, then upload it",
    ],
)


@pytest.mark.parametrize("request_", NOT_BRANCH)
def test_if_inside_words_is_no_branch(request_: str) -> None:
    intent = extract(request_)
    assert not kinds(intent, "branch") and not steps_of(intent.plan, "branch")
    assert kinds(intent, "step")


# -- for-each ------------------------------------------------------------------------------------

FOREACH = _reg(
    "serverless",
    [
        "For each new signup, send a welcome email, then add all of them to the CRM in one call",
        "for every attachment, scan it for viruses",
        "For all the rows, validate the row",
        "for each of the orders, charge the card",
        "Send a reminder for each overdue invoice",
        "Each new signup should get a welcome email",
        "iterate over the files and compress them",
        "FOR EACH ATTACHMENT SCAN IT FOR VIRUSES",
        "Loop through the rows, validate each one",
        "For every row in the sheet, insert it into the database",
        "resize every image in the bucket with the thumbnail API",
        "tag each new invoice using the billing agent",
        "pull the totals out of every receipt",
        "check the licence on each dependency of the project",
    ],
)


@pytest.mark.parametrize("request_", FOREACH)
def test_foreach(request_: str) -> None:
    intent = extract(request_)
    assert len(kinds(intent, "foreach")) == 1
    (step,) = steps_of(intent.plan, "foreach")
    assert step.steps and step.each and step.of
    assert step.steps[0].kind in ACTIONS


def test_foreach_body_ends_at_a_collective_step() -> None:
    intent = extract("For each new signup, send a welcome email, then add all of them to the CRM in one call")
    (loop,) = steps_of(intent.plan, "foreach")
    assert loop.each == "signup" and [s.name for s in loop.steps] == ["sendWelcomeEmail"]
    assert intent.plan.steps[-1].name.startswith("add") and intent.plan.steps[-1] is not loop
    assert kinds(intent, "foreach")[0].name == "new signup"


NOT_FOREACH = _reg(
    "serverless",
    [
        "Charge each customer the monthly fee",
        "They each get a copy of the report",
        "Send the invoice, which costs 5 dollars each",
        "Email everyone in the list",
        "Give each agent a summary",
        "Add all of them to the CRM",
        "Ask every reviewer to sign off",
        "Send everything to the archive",
    ],
)


@pytest.mark.parametrize("request_", NOT_FOREACH)
def test_each_as_determiner_is_no_foreach(request_: str) -> None:
    intent = extract(request_)
    assert not kinds(intent, "foreach") and not steps_of(intent.plan, "foreach")


# -- loops -----------------------------------------------------------------------------------------

LOOP = _reg(
    "serverless",
    [
        "keep asking until it answers yes",
        "Keep asking the customer until they answer yes",
        "Review the draft, then repeat the review until it passes",
        "repeat the review until it passes",
        "Ask for approval until approved",
        "Poll the job status until it is done",
        "Request a review; repeat until approved",
        "KEEP CHECKING THE STATUS PAGE UNTIL THE SITE IS UP",
        "Try the payment again and again until it succeeds",
        "Generate a summary, and keep refining it until the editor agent approves",
    ],
)


@pytest.mark.parametrize("request_", LOOP)
def test_loop(request_: str) -> None:
    intent = extract(request_)
    (item,) = kinds(intent, "loop")
    assert item.name
    (step,) = steps_of(intent.plan, "loop")
    assert step.until == item.name and step.steps


def test_repeat_wraps_the_earlier_step() -> None:
    intent = extract("Review the draft, then repeat the review until it passes")
    assert len(intent.plan.steps) == 1
    (loop,) = intent.plan.steps
    assert loop.kind == "loop" and loop.steps[0].name == "reviewDraft" and loop.until == "it passes"


# -- parallel ------------------------------------------------------------------------------------

PARALLEL = _reg(
    "serverless",
    [
        "Resize the image, extract the text and tag it, all at the same time",
        "In parallel, resize the image and extract the text",
        "Resize the image. Meanwhile, extract the text.",
        "resize the image and extract the text in parallel",
        "Simultaneously resize the image and extract the text",
        "Resize the image; at the same time, extract the text",
        "resize the image, extract the text concurrently",
        "RESIZE THE IMAGE AND EXTRACT THE TEXT SIMULTANEOUSLY",
        "Resize the image while also extracting the text",
        "resize the image and, at the same time, extract the text",
    ],
)


@pytest.mark.parametrize("request_", PARALLEL)
def test_parallel(request_: str) -> None:
    intent = extract(request_)
    (item,) = kinds(intent, "parallel")
    (step,) = steps_of(intent.plan, "parallel")
    assert len(step.branches) == item.count >= 2
    assert step.branches[0][0].name == "resizeImage"
    assert step.branches[1][0].name.startswith("extract")


# -- retries and fallbacks --------------------------------------------------------------------------

RETRY = _reg(
    "serverless",
    [
        ("Charge the card, try it 5 times"),
        ("Charge the card and retry up to 5 times"),
        ("charge the card, retrying at most 5 times with exponential backoff"),
        ("Charge the card with 5 retries"),
        ("Charge the card. Retry it five times."),
        ("CHARGE THE CARD, RETRY 5 TIMES"),
        ("Charge the card; give up after 5 attempts"),
        ("charge the card (retry 5 times)"),
        ("charge the card up to 5 times with exponential backoff"),
    ],
)


@pytest.mark.parametrize("request_", RETRY)
def test_retry(request_: str) -> None:
    intent = extract(request_)
    (item,) = kinds(intent, "retry")
    assert item.count == 5
    (step,) = steps_of(intent.plan, "try")
    assert step.retry == 5 and step.steps[0].name == "chargeCard"


def test_backoff() -> None:
    intent = extract("Call the Stripe API, retrying up to 3 times with exponential backoff")
    (step,) = steps_of(intent.plan, "try")
    assert step.backoff == "exponential" and step.retry == 3


FALLBACK = _reg(
    "serverless",
    [
        "Call the primary service. If that errors, use the backup service.",
        "call the primary service; if it fails, use the backup service",
        "Call the primary service, and fall back to the backup service",
        "Call the primary service. On failure, use the backup service.",
        "Call the primary service; in case of an error, use the backup service",
        "call the primary service. if anything goes wrong, use the backup service",
        "Call the primary service, falling back to the backup service",
        "CALL THE PRIMARY SERVICE. IF IT FAILS, USE THE BACKUP SERVICE.",
        "Call the primary service; if it is down, use the backup service",
        "call the primary service, and if the primary service is unreachable switch to the backup service",
    ],
)


@pytest.mark.parametrize("request_", FALLBACK)
def test_fallback(request_: str) -> None:
    intent = extract(request_)
    (item,) = kinds(intent, "fallback")
    assert "backup" in item.values[0]
    (step,) = steps_of(intent.plan, "try")
    assert step.steps[0].name == "callPrimaryService"
    assert step.catch and "backup" in step.catch[0].name.lower()
    assert not steps_of(intent.plan, "branch")


def test_a_checked_service_that_is_down_is_a_branch() -> None:
    # a probe step's outcome is a condition to branch on, not a failure to catch
    intent = extract("Ping the primary service; if it is down, use the backup service")
    assert kinds(intent, "branch") and not kinds(intent, "fallback")


# -- waits and timeouts ------------------------------------------------------------------------------

WAIT = _reg(
    "serverless",
    [
        ("pause for an hour, then send a reminder", "PT1H"),
        ("Wait 10 minutes and send a reminder", "PT10M"),
        ("Sleep for 30 seconds, then send a reminder", "PT30S"),
        ("After two days, send a reminder", "P2D"),
        ("wait a day before sending a reminder", "P1D"),
        ("Hold for 2 hours; send a reminder", "PT2H"),
        ("WAIT FIFTEEN MINUTES THEN SEND A REMINDER", "PT15M"),
        ("Delay 5m then send a reminder", "PT5M"),
        ("wait half an hour, then send a reminder", "PT30M"),
    ],
)


@pytest.mark.parametrize("request_,iso", WAIT)
def test_wait(request_: str, iso: str) -> None:
    intent = extract(request_)
    assert [i.name for i in kinds(intent, "wait")] == [iso]
    assert intent.plan.steps[0].kind == "wait" and intent.plan.steps[0].target == iso
    assert intent.plan.steps[1].name == "sendReminder"


NOT_WAIT = _reg(
    "serverless",
    [
        "Add them to the wait list",
        "Report the wait time to the manager",
        "Reduce the average wait for callers",
        "Send the waiting customers a coupon",
        "Log the wait",
        "Check the queue for a while",
        "Email the wait staff schedule",
        "Update the wait-time dashboard",
    ],
)


@pytest.mark.parametrize("request_", NOT_WAIT)
def test_wait_as_noun_is_no_wait(request_: str) -> None:
    intent = extract(request_)
    assert not kinds(intent, "wait") and not steps_of(intent.plan, "wait")


TIMEOUT = _reg(
    "serverless",
    [
        ("Wait for the approval event; give up after two days", "P2D"),
        ("Ask for approval, and time out after 3 hours", "PT3H"),
        ("Process the order with a 30 minute timeout", "PT30M"),
        ("Process the order. The timeout is 1 hour.", "PT1H"),
        ("Process the order; it must finish within 10 minutes", "PT10M"),
        ("Process the order, abort after 2 days", "P2D"),
        ("process the order, timeout of 45 minutes", "PT45M"),
        ("Process the order. If it takes longer than an hour, give up.", "PT1H"),
        ("ask the pricing agent for a quote and give up if nobody replies within 2 hours", "PT2H"),
        ("wait for the shipment.delivered event for at most 3 days, then close the order", "P3D"),
    ],
)


@pytest.mark.parametrize("request_,iso", TIMEOUT)
def test_timeout(request_: str, iso: str) -> None:
    intent = extract(request_)
    assert [i.name for i in kinds(intent, "timeout")] == [iso]
    assert intent.plan.timeout == iso
    assert not any("give" in s.name.lower() or "timeout" in s.name.lower() for s in intent.plan.walk())


# -- events ------------------------------------------------------------------------------------------

LISTEN = _reg(
    "serverless",
    [
        "When the order.created event comes in, charge the card",
        "once the order.created event arrives, charge the card",
        "Wait for the order.created event, then charge the card",
        "On the order.created event, charge the card",
        "Listen for order.created and charge the card",
        "Charge the card when the order.created event is received",
        "WHEN THE ORDER.CREATED EVENT COMES IN, CHARGE THE CARD",
        "As soon as an order.created event fires, charge the card",
    ],
)


@pytest.mark.parametrize("request_", LISTEN)
def test_listen(request_: str) -> None:
    intent = extract(request_)
    (item,) = kinds(intent, "listen")
    assert item.name.lower() == "order.created"
    assert intent.plan.steps[0].kind == "listen" and intent.plan.steps[0].target.lower() == "order.created"
    assert intent.plan.steps[1].name == "chargeCard"


EMIT = _reg(
    "serverless",
    [
        ("Ship the order, then publish an order.shipped event", "order.shipped"),
        ("ship the order and emit order.shipped", "order.shipped"),
        ("Ship the order. Fire an order shipped event.", "order.shipped"),
        ("Ship the order, broadcast the order.shipped event", "order.shipped"),
        ("ship the order; send an order.shipped event", "order.shipped"),
        ("Ship the order and raise a shipment-done event", "shipment.done"),
        ("SHIP THE ORDER, THEN PUBLISH AN ORDER.SHIPPED EVENT", "order.shipped"),
        ("Ship the order and then emit a shipped event", "shipped"),
    ],
)


@pytest.mark.parametrize("request_,event", EMIT)
def test_emit(request_: str, event: str) -> None:
    intent = extract(request_)
    (item,) = kinds(intent, "emit")
    assert item.name.lower() == event
    assert intent.plan.steps[0].name == "shipOrder"
    assert intent.plan.steps[1].kind == "emit" and intent.plan.steps[1].target.lower() == event


# -- schedules -----------------------------------------------------------------------------------------

SCHEDULE = [
    ("daily at 9, send the report", "0 9 * * *"),
    ("Every day at 9am send the report", "0 9 * * *"),
    ("on weekdays at noon, send the report", "0 12 * * 1-5"),
    ("every 15 minutes, send the report", "*/15 * * * *"),
    ("Send the report every Monday at 8am", "0 8 * * 1"),
    ("send the report hourly", "0 * * * *"),
    ("Send the report weekly", "0 0 * * 1"),
    ("every night, send the report", "0 2 * * *"),
    ("Send the report at 5:30 pm every weekday", "30 17 * * 1-5"),
    ("EVERY HOUR SEND THE REPORT", "0 * * * *"),
    ("Send the report every Monday and Thursday at 7", "0 7 * * 1,4"),
    ("monthly, send the report", "0 0 1 * *"),
    ("Every morning send the report", "0 9 * * *"),
    ("send the report every 2 hours", "0 */2 * * *"),
]
ALL.extend((r, "serverless") for r, _ in SCHEDULE)


@pytest.mark.parametrize("request_,cron", SCHEDULE)
def test_schedule(request_: str, cron: str) -> None:
    intent = extract(request_)
    assert [i.name for i in kinds(intent, "schedule")] == [cron]
    assert intent.plan.schedule == cron
    assert [s.name for s in intent.plan.steps] == ["sendReport"]


NOT_SCHEDULE = _reg(
    "serverless",
    [
        "Send the daily report",
        "Summarize the weekly numbers",
        "Email our nightly build status",
        "For every row, validate it",
        "Archive the monthly invoices",
        "Send the report to every manager",
        "Post the hourly metrics",
        "Compile this weekly digest",
    ],
)


@pytest.mark.parametrize("request_", NOT_SCHEDULE)
def test_adjective_is_no_schedule(request_: str) -> None:
    intent = extract(request_)
    assert not kinds(intent, "schedule") and not intent.plan.schedule


# -- names ---------------------------------------------------------------------------------------------

AGENTS = _reg(
    "serverless",
    [
        ("ask the billing agent to refund the customer", "billing"),
        ("Hand it to the refunds agent", "refunds"),
        ("Have the triage agent classify the ticket", "triage"),
        ("delegate to agent Xavier", "Xavier"),
        ("The triage agent should classify the ticket", "triage"),
        ("Tell the billing agent to refund the customer", "billing"),
        ("Send the ticket to the refunds agent", "refunds"),
        ("Let the research bot summarize the findings", "research"),
        ("Consult the legal agent", "legal"),
    ],
)


@pytest.mark.parametrize("request_,agent", AGENTS)
def test_agents(request_: str, agent: str) -> None:
    intent = extract(request_)
    assert [i.name for i in kinds(intent, "agent")] == [agent]
    (step,) = intent.plan.steps
    assert step.kind == "agent" and step.target == agent


def test_agent_name_from_the_workspace() -> None:
    names = {"agents": ["billingAgent", "triage"], "functions": ["chargeCard"]}
    intent = extract(
        "ask the billing agent to refund the customer, then have the triage agent close it", names=names
    )
    assert [i.name for i in kinds(intent, "agent")] == ["billingAgent", "triage"]
    assert [s.target for s in intent.plan.steps] == ["billingAgent", "triage"]
    assert intent.plan.steps[0].name == "refundCustomer"


def test_plural_singular_workspace_match() -> None:
    intent = extract("Hand it to the refunds agent", names={"agents": ["refundAgent"]})
    assert intent.plan.steps[0].target == "refundAgent"


def test_unrelated_workspace_names_never_appear() -> None:
    names = {"agents": ["technicalAgent"], "functions": ["pushToErp", "fetchChangedContacts"]}
    intent = extract("For each new signup, send a welcome email", names=names)
    text = json.dumps(intent.plan.to_json()) + json.dumps([i.to_json() for i in intent.items])
    assert "Erp" not in text and "technical" not in text and "Contacts" not in text


def test_functions() -> None:
    names = {"functions": ["chargeCard", "sendInvoice"]}
    intent = extract("Charge the card, then call the sendInvoice function", names=names)
    assert [i.name for i in kinds(intent, "function")] == ["chargeCard", "sendInvoice"]
    assert [(s.kind, s.target) for s in intent.plan.steps] == [
        ("function", "chargeCard"),
        ("function", "sendInvoice"),
    ]


TOOLS = _reg(
    "serverless",
    [
        ("use the search tool to find similar tickets", "search"),
        ("Find similar tickets via the search MCP tool", "search"),
        ("open an issue via the github MCP server", "github"),
        ("Look up the docs with the docs tool", "docs"),
        ("query the database through the postgres MCP server", "postgres"),
        ("Use the web search tool", "web search"),
        ("Summarize the page using the browser tool", "browser"),
        ("Call the weather tool", "weather"),
    ],
)


@pytest.mark.parametrize("request_,tool", TOOLS)
def test_tools(request_: str, tool: str) -> None:
    intent = extract(request_)
    assert [i.name for i in kinds(intent, "tool")] == [tool]
    assert intent.plan.steps[0].kind == "mcp" and intent.plan.steps[0].target.endswith(tool)


APIS = _reg(
    "serverless",
    [
        ("call the Stripe API", "stripe"),
        ("POST the order to https://api.example.org/orders", "https://api.example.org/orders"),
        ("fetch https://status.example.com/health", "https://status.example.com/health"),
        ("Notify the team on Slack", "slack"),
        ("Page the on-call engineer through PagerDuty", "pagerduty"),
        ("Call the inventory endpoint", "inventory"),
        ("send the payload to the orders webhook", "orders"),
        ("Create a ticket in Jira", "jira"),
    ],
)


@pytest.mark.parametrize("request_,api", APIS)
def test_apis(request_: str, api: str) -> None:
    intent = extract(request_)
    assert [i.name for i in kinds(intent, "api")] == [api]
    (step,) = intent.plan.steps
    assert step.kind == "http"
    assert step.target == (api if api.startswith("http") else "")


def test_secrets_and_shell_and_workflow() -> None:
    intent = extract(
        "Post to Slack using the SLACK_TOKEN secret, then run `make clean`, then run the cleanup script, "
        "then start the billing workflow"
    )
    assert [i.name for i in kinds(intent, "secret")] == ["SLACK_TOKEN"]
    s = intent.plan.steps
    assert s[0].kind == "http" and s[0].args.get("secrets") == ["SLACK_TOKEN"]
    assert (s[1].kind, s[1].target) == ("shell", "make clean")
    assert (s[2].kind, s[2].target) == ("shell", "./cleanup.sh")
    assert (s[3].kind, s[3].target) == ("workflow", "billing")


def test_secret_from_workspace_words() -> None:
    intent = extract("Post to Slack with the slack token", names={"secrets": ["SLACK_TOKEN"]})
    assert [i.name for i in kinds(intent, "secret")] == ["SLACK_TOKEN"]


# -- the issue's requests --------------------------------------------------------------------------------


def test_demo_request() -> None:
    intent = extract("route billing issues to the billing agent and everything else to the general agent")
    (branch,) = intent.plan.steps
    assert branch.kind == "branch" and len(branch.cases) == 2
    assert not any("technical" in s.name.lower() for s in intent.plan.walk())


def test_comment_request_in_do_list() -> None:
    intent = extract(
        "# then ask the billing agent to refund the customer", names={"agents": ["billingAgent"]}
    )
    (step,) = intent.plan.steps
    assert (step.kind, step.target, step.name) == ("agent", "billingAgent", "refundCustomer")


# -- GitHub Actions -------------------------------------------------------------------------------------

GH_TRIGGERS = [
    ("on pushes to release branches, run the tests", "push", ["release/**"]),
    ("On every push to main, run the tests", "push", ["main"]),
    ("on pull requests to main, run the tests", "pull_request", ["main"]),
    ("When a PR is opened against develop, run the tests", "pull_request", ["opened", "develop"]),
    ("when an issue is opened, label it", "issues", ["opened"]),
    ("When a new issue is created, comment on it", "issues", ["opened"]),
    ("on tags v*, build the package", "push", ["v*"]),
    ("When a version tag is pushed, build the package", "push", ["v*"]),
    ("when a release is published, publish to npm", "release", ["published"]),
    ("Run the tests manually", "workflow_dispatch", []),
    ("on pushes to main or develop, run the tests", "push", ["main", "develop"]),
    ("ON PULL REQUESTS TO MAIN RUN THE TESTS", "pull_request", ["main"]),
    ("on main: build the site and publish it", "push", ["main"]),
    ("whenever code lands on a hotfix/* branch, run the tests", "push", ["hotfix/*"]),
]
ALL.extend((r, "github") for r, _, _ in GH_TRIGGERS)


@pytest.mark.parametrize("request_,event,values", GH_TRIGGERS)
def test_github_triggers(request_: str, event: str, values: list[str]) -> None:
    intent = extract(request_, "github")
    (item,) = kinds(intent, "trigger")
    assert item.name == event and sorted(item.values) == sorted(values)
    (t,) = intent.plan.triggers
    assert t.event == event
    assert sorted([*t.branches, *t.tags, *t.types]) == sorted(values)


def test_github_dispatch_input() -> None:
    intent = extract("manually, with a version input, publish the package", "github")
    assert [i.name for i in kinds(intent, "input")] == ["version"]
    (t,) = intent.plan.triggers
    assert t.event == "workflow_dispatch" and t.inputs == {"version": "string"}


def test_github_schedule() -> None:
    intent = extract("every night, run the test suite on ubuntu and upload the coverage report", "github")
    assert [i.name for i in kinds(intent, "schedule")] == ["0 2 * * *"]
    assert [(t.event, t.cron) for t in intent.plan.triggers] == [("schedule", "0 2 * * *")]
    (job,) = intent.plan.jobs
    uses = [s.target for s in job.steps if s.kind == "action"]
    assert uses[0] == "actions/checkout@v4" and "actions/upload-artifact@v4" in uses
    assert any(s.kind == "shell" and "test" in s.target for s in job.steps)
    assert job.runs_on == "ubuntu-latest"


GH_MATRIX = [
    ("Test on Node 18, 20 and 22", "node", ["18", "20", "22"]),
    ("run the tests for node 18 and 20", "node", ["18", "20"]),
    ("test with Python 3.11 and 3.12", "python", ["3.11", "3.12"]),
    ("Run pytest on python 3.10, 3.11, 3.12", "python", ["3.10", "3.11", "3.12"]),
    ("Build on Ubuntu and Windows", "os", ["ubuntu", "windows"]),
    ("run the tests on ubuntu, macos and windows", "os", ["ubuntu", "macos", "windows"]),
    ("test across Node.js versions 20 and 22", "node", ["20", "22"]),
    ("Test on Go 1.21 and 1.22", "go", ["1.21", "1.22"]),
]
ALL.extend((r, "github") for r, _, _ in GH_MATRIX)


@pytest.mark.parametrize("request_,key,values", GH_MATRIX)
def test_github_matrix(request_: str, key: str, values: list[str]) -> None:
    intent = extract(request_, "github")
    (item,) = kinds(intent, "matrix")
    assert item.name == key and list(item.values) == values
    (job,) = intent.plan.jobs
    assert key in job.matrix and len(job.matrix[key]) == len(values)
    if key == "os":
        assert job.runs_on == "${{ matrix.os }}"


def test_github_jobs_with_needs_and_environment() -> None:
    intent = extract("build, then deploy to production", "github")
    ids = [j.id for j in intent.plan.jobs]
    assert ids == ["build", "deploy"]
    assert intent.plan.jobs[1].needs == ["build"] and intent.plan.jobs[1].environment == "production"
    assert [i.name for i in kinds(intent, "job")] == ["build", "deploy production"]


def test_github_parallel_jobs_then_deploy() -> None:
    intent = extract(
        "On pushes to release branches, build and test on Node 18, 20 and 22 on Ubuntu and Windows, then deploy to production",
        "github",
    )
    jobs = {j.id: j for j in intent.plan.jobs}
    assert list(jobs) == ["build", "test", "deploy"]
    assert (
        jobs["build"].needs == [] and jobs["test"].needs == [] and jobs["deploy"].needs == ["build", "test"]
    )
    assert jobs["test"].matrix == {"node": ["18", "20", "22"], "os": ["ubuntu-latest", "windows-latest"]}
    assert not jobs["deploy"].matrix and jobs["deploy"].environment == "production"
    node = next(s for s in jobs["test"].steps if s.target.startswith("actions/setup-node"))
    assert node.args["node-version"] == "${{ matrix.node }}"


def test_github_python_commands() -> None:
    intent = extract("On pull requests, lint with ruff and run pytest on Python 3.12", "github")
    targets = [s.target for j in intent.plan.jobs for s in j.steps]
    assert "actions/setup-python@v5" in targets and "ruff check ." in targets and "pytest" in targets


def test_github_secret_on_step() -> None:
    intent = extract("when a release is published, publish to npm using the NPM_TOKEN secret", "github")
    assert [i.name for i in kinds(intent, "secret")] == ["NPM_TOKEN"]
    publish = next(s for j in intent.plan.jobs for s in j.steps if s.target == "npm publish")
    assert publish.args["env"] == {"NPM_TOKEN": "${{ secrets.NPM_TOKEN }}"}


def test_github_workspace_action_ref() -> None:
    intent = extract("on pushes to main, run the tests", "github", names={"actions": ["actions/checkout@v3"]})
    assert intent.plan.jobs[0].steps[0].target == "actions/checkout@v3"


# -- every plan is consistent with its items ------------------------------------------------------------

COMBINED = _reg(
    "serverless",
    [
        "For each attachment, scan it for viruses; if it is infected, delete it, otherwise upload it to S3",
        "Every weekday at 8, fetch the open tickets; for each ticket, ask the triage agent to classify it",
        "Call the Stripe API to charge the card, retrying up to 3 times with exponential backoff. If that fails, use the backup service.",
        "Pause for an hour, then send a reminder. Give up after two days.",
        "When the order.created event comes in, charge the card and publish an order.charged event",
        "Draft the reply, then have the editor agent review it until it is approved, then send it",
    ],
)


def _check_consistent(intent: Intent) -> None:
    plan = intent.plan
    every = list(plan.walk())
    scopes = (
        [[s.name for s in plan.walk()]]
        if intent.dialect != "github"
        else [[s.name for s in j.steps] for j in plan.jobs]
    )
    for names in scopes:
        assert len(names) == len(set(names)), names
        assert all(0 < len(n) <= (40 if intent.dialect != "github" else 80) for n in names)
    for item in intent.items:
        k = item.kind
        if k == "branch" and intent.dialect == "github":
            # a GitHub branch is steps guarded by ``if:``, one per outcome
            guarded = [s for j in plan.jobs for s in j.steps if s.when]
            assert len(guarded) >= item.count >= max(1, len(item.values)), item
        elif k == "branch":
            assert any(s.kind == "branch" and len(s.cases) == item.count for s in every), item
            assert item.count >= max(2, len(item.values))
        elif k == "foreach":
            assert any(s.kind == "foreach" and s.steps for s in every)
        elif k == "loop":
            assert any(s.kind == "loop" and s.steps and s.until == item.name for s in every)
        elif k == "parallel":
            assert any(
                s.kind == "parallel" and len(s.branches) == item.count and all(s.branches) for s in every
            )
        elif k == "retry":
            assert any(s.kind == "try" and s.retry >= max(item.count, 1) for s in every)
        elif k == "fallback":
            assert any(s.kind == "try" and s.catch for s in every)
        elif k in ("wait", "listen", "emit"):
            assert any(s.kind == k and s.target == item.name for s in every), item
        elif k == "agent":
            assert any(s.kind == "agent" and s.target == item.name for s in every)
        elif k == "tool":
            assert any(s.kind == "mcp" and s.target.endswith(item.name) for s in every)
        elif k == "function":
            assert any(s.kind == "function" and s.target == item.name for s in every)
        elif k == "schedule":
            assert item.name in (plan.schedule, *(t.cron for t in plan.triggers))
        elif k == "timeout":
            assert plan.timeout == item.name
        elif k == "trigger":
            assert any(t.event == item.name for t in plan.triggers)
        elif k == "matrix":
            assert any(item.name in j.matrix for j in plan.jobs)
        elif k == "input":
            assert any(item.name in t.inputs for t in plan.triggers)
    for s in every:
        if s.kind == "branch":
            assert len(s.cases) >= 2 and sum(1 for c in s.cases if not c.when) == 1
            assert s.cases[-1].when == ""
        if s.kind in ("foreach", "loop", "try"):
            assert s.steps
        if s.kind == "parallel":
            assert len(s.branches) >= 2
    secrets_text = json.dumps(plan.to_json())
    results = coverage.cover(intent.items, plan, secrets_text)
    missing = [c for c in results if not c.ok]
    assert not missing, coverage.feedback(missing)


@pytest.mark.parametrize("request_,dialect", ALL)
def test_every_plan_is_consistent(request_: str, dialect: str) -> None:
    _check_consistent(extract(request_, dialect))


def test_deterministic() -> None:
    for request_, dialect in ALL[:40]:
        a, b = extract(request_, dialect), extract(request_, dialect)
        assert a.items == b.items and a.plan.to_json() == b.plan.to_json()


# -- more phrasings -------------------------------------------------------------------------------------

MORE = _reg(
    "serverless",
    [
        "When a support ticket arrives, have the triage agent classify it. If it's about billing, hand it to the billing agent; if it's technical, send it to the tech support agent; otherwise reply with the FAQ link.",
        "Charge the customer's card via Stripe. If the charge fails, retry twice, then notify the customer by email.",
        "Generate the invoice PDF, upload it to S3, then send a link to the customer. If the upload errors out, store it locally instead.",
        "Check inventory; when stock is under 10, reorder from the supplier API, when it's under 50 send a warning, else do nothing",
        "Try to fetch the exchange rates up to 4 times, backing off exponentially; if all attempts fail, use yesterday's rates",
        "Use the github MCP server to list open PRs and for every PR older than a week, ping the author",
        "Have the research agent gather sources, meanwhile have the writer agent draft an outline, then combine them",
    ],
)


def test_trigger_context_is_no_step() -> None:
    intent = extract(MORE[0])
    assert [s.kind for s in intent.plan.steps] == ["agent", "branch"]
    branch = intent.plan.steps[1]
    assert [c.steps[0].target if c.steps else "" for c in branch.cases] == ["billing", "tech support", ""]
    assert branch.cases[2].steps[0].name == "replyFaqLink"


def test_if_it_fails_retry_is_a_retry_not_a_fallback() -> None:
    intent = extract(MORE[1])
    assert not kinds(intent, "fallback")
    (t,) = steps_of(intent.plan, "try")
    assert t.retry == 2 and t.steps[0].name == "chargeCustomerCard" and not t.catch


def test_fallback_wraps_the_step_it_names() -> None:
    intent = extract(MORE[2])
    (t,) = steps_of(intent.plan, "try")
    assert t.steps[0].name == "uploadS3" and t.catch[0].name == "storeLocally"
    assert intent.plan.steps[-1].name == "sendLink"


def test_pronoun_conditions_take_the_subject_and_nothing_is_an_empty_default() -> None:
    intent = extract(MORE[3])
    (b,) = steps_of(intent.plan, "branch")
    assert [c.when for c in b.cases] == ["stock is under 10", "stock is under 50", ""]
    assert b.cases[1].steps[0].name == "sendWarning" and b.cases[2].steps == []
    assert kinds(intent, "branch")[0].values == ("reorder supplier api", "send warning")


def test_try_to_up_to_n_times() -> None:
    intent = extract(MORE[4])
    (t,) = steps_of(intent.plan, "try")
    assert (t.retry, t.backoff, t.steps[0].name) == (4, "exponential", "fetchExchangeRates")
    assert t.catch and "yesterday" in t.catch[0].name.lower()


def test_use_tool_to_do_something() -> None:
    intent = extract(MORE[5])
    first = intent.plan.steps[0]
    assert (first.kind, first.target, first.name) == ("mcp", "github", "listOpenPrs")
    (loop,) = steps_of(intent.plan, "foreach")
    assert loop.each == "pr" and loop.steps[0].name == "pingAuthor"


GH_MORE = _reg(
    "github",
    [
        "On every push and pull request, install dependencies with npm, lint, and run the unit tests",
        "When a pull request targets main, run pytest with coverage on Python 3.11 and 3.12 and upload the coverage report",
        "Nightly at 3am, build the docker image and push it to the registry using the DOCKERHUB_TOKEN secret",
        "on push to main: build, test, then deploy to staging; manually deploy to production",
        "Let me trigger it manually with a boolean dry-run input, then run ./scripts/migrate.sh",
        "On pull requests that touch docs/, build the docs site",
        "cache node modules, run npm ci, then run the build on node 20",
        "Every Sunday at midnight, close stale issues",
    ],
)


def test_github_push_and_pull_request_one_job() -> None:
    intent = extract(GH_MORE[0], "github")
    assert [t.event for t in intent.plan.triggers] == ["push", "pull_request"]
    (job,) = intent.plan.jobs
    cmds = [s.target for s in job.steps if s.kind == "shell"]
    assert cmds == ["npm ci", "npm run lint", "npm test"]


def test_github_pr_targets_and_coverage() -> None:
    intent = extract(GH_MORE[1], "github")
    assert intent.plan.triggers[0].branches == ["main"]
    (job,) = intent.plan.jobs
    assert job.id == "test" and "pytest --cov --cov-report=xml" in [s.target for s in job.steps]


def test_github_one_job_when_heads_are_not_staged() -> None:
    intent = extract(GH_MORE[2], "github")
    (job,) = intent.plan.jobs
    assert [s.target for s in job.steps][1:] == ["docker build -t app .", "docker push app"]
    assert job.steps[-1].args["env"] == {"DOCKERHUB_TOKEN": "${{ secrets.DOCKERHUB_TOKEN }}"}


def test_github_environments_per_deploy() -> None:
    intent = extract(GH_MORE[3], "github")
    jobs = {j.id: j for j in intent.plan.jobs}
    assert jobs["deploy"].environment == "staging" and jobs["deploy-production"].environment == "production"
    assert {t.event for t in intent.plan.triggers} == {"push", "workflow_dispatch"}


def test_github_script_path_and_leftover_words() -> None:
    intent = extract(GH_MORE[4], "github")
    (job,) = intent.plan.jobs
    assert job.steps[-1].target == "./scripts/migrate.sh"
    assert intent.plan.triggers[0].inputs == {"dry-run": "boolean"}
    assert [i.name for i in kinds(intent, "step")] == ["run scripts migrate sh"]


def test_github_paths_and_cache_and_stale() -> None:
    assert extract(GH_MORE[5], "github").plan.triggers[0].paths == ["docs/**"]
    job = extract(GH_MORE[6], "github").plan.jobs[0]
    node = next(s for s in job.steps if s.target.startswith("actions/setup-node"))
    assert node.args == {"node-version": "20", "cache": "npm"}
    assert [s.target for s in job.steps].count("npm ci") == 1
    assert extract(GH_MORE[7], "github").plan.jobs[0].steps[-1].target == "actions/stale@v9"


MORE2 = _reg(
    "serverless",
    [
        "translate the document into French and German at the same time, then merge the results",
        "Run the fraud check and the credit check in parallel; if either fails, reject the application, otherwise approve it",
        "Poll the build status every minute until it succeeds or fails, then post the result",
        "Retry the webhook delivery 3 times, waiting 10 seconds between attempts",
        "Get the list of overdue invoices. For each one, email the customer a reminder and add a late fee.",
        "First, authenticate with the OAUTH_CLIENT_SECRET secret. Then call the orders API.",
        "Process each uploaded image: resize it, watermark it and upload it to the CDN",
        "Approve the expense automatically if it's under $50; if it's between 50 and 500, ask the manager; anything above that goes to finance",
        "Ask the customer to confirm their address, wait up to 24 hours for a reply, then ship the package",
    ],
)


def test_one_verb_over_a_list_in_parallel() -> None:
    (par,) = steps_of(extract(MORE2[0]).plan, "parallel")
    assert [b[0].name for b in par.branches] == ["translateDocumentFrench", "translateDocumentGerman"]
    plan = extract(MORE2[1]).plan
    (t,) = steps_of(plan, "try")
    assert t.steps[0].kind == "parallel" and len(t.steps[0].branches) == 2
    assert t.catch[0].name == "rejectApplication" and plan.steps[-1].name == "approve"


def test_polling_pace_is_a_wait_in_the_loop_not_a_schedule() -> None:
    intent = extract(MORE2[2])
    assert not intent.plan.schedule and not kinds(intent, "schedule")
    (loop,) = steps_of(intent.plan, "loop")
    assert [s.kind for s in loop.steps] == ["http", "wait"] and loop.steps[1].target == "PT1M"


def test_retry_a_noun_with_a_delay() -> None:
    (t,) = steps_of(extract(MORE2[3]).plan, "try")
    assert (t.retry, t.backoff, t.args.get("delay"), t.steps[0].name) == (
        3,
        "constant",
        "PT10S",
        "retryWebhookDelivery",
    )


def test_for_each_one_takes_the_collection_before() -> None:
    (loop,) = steps_of(extract(MORE2[4]).plan, "foreach")
    assert loop.each == "invoice" and [s.name for s in loop.steps] == ["emailCustomerReminder", "addLateFee"]


def test_secret_is_not_in_the_step_name() -> None:
    intent = extract(MORE2[5])
    assert intent.plan.steps[0].name == "authenticate"
    assert intent.plan.steps[0].args["secrets"] == ["OAUTH_CLIENT_SECRET"]


def test_process_each_with_a_colon_body() -> None:
    (loop,) = steps_of(extract(MORE2[6]).plan, "foreach")
    assert [s.name for s in loop.steps] == ["resize", "watermark", "uploadCdn"]


def test_trailing_condition_with_pronoun_and_above_that_default() -> None:
    (b,) = steps_of(extract(MORE2[7]).plan, "branch")
    assert [c.when for c in b.cases] == ["the expense is under $50", "the expense is between 50 and 500", ""]
    assert [c.steps[0].name for c in b.cases] == ["approveExpense", "askManager", "sendFinance"]


def test_wait_up_to_for_a_reply() -> None:
    """Waiting up to a time for a reply waits for the reply, bounded by that time; a plan that
    only waits the time covers a wait item too, and so does a listen under that timeout."""
    plan = extract(MORE2[8]).plan
    assert [s.kind for s in plan.steps] == ["http", "listen", "http"] and plan.timeout == "PT24H"
    wait = Item("wait", "PT24H", (), 0, "wait up to 24 hours")
    (got,) = coverage.cover([wait], plan)
    assert got.ok, got.how
    (got,) = coverage.cover([wait], Plan(steps=[Step("listen", "waitForReply", target="reply")]))
    assert not got.ok  # unbounded: no wait of 24 hours


MORE3 = _reg(
    "serverless",
    [
        "Once the payment clears, book the shipment, and send a tracking email. If booking fails, alert ops.",
        "Ask the planner agent to break the goal into tasks, then for each task have the worker agent execute it",
        "Keep retrying the upload until it works",
        "Check the site every 10 minutes and page someone if it's down",
        "Call the partner API. If it times out, try the mirror endpoint, and if that fails too, queue the request for later.",
    ],
)


def test_once_is_a_moment_and_a_fallback_finds_its_step_by_stem() -> None:
    plan = extract(MORE3[0]).plan
    assert [s.kind for s in plan.steps] == ["try", "http"]
    assert plan.steps[0].steps[0].name == "bookShipment" and plan.steps[0].catch[0].name == "alertOps"


def test_agent_told_to_do_an_unlisted_verb() -> None:
    plan = extract(MORE3[1]).plan
    assert (plan.steps[0].kind, plan.steps[0].target, plan.steps[0].name) == ("agent", "planner", "breakGoal")
    (loop,) = steps_of(plan, "foreach")
    assert loop.steps[0].target == "worker"


def test_keep_retrying_is_a_loop_over_the_action() -> None:
    (loop,) = extract(MORE3[2]).plan.steps
    assert loop.kind == "loop" and loop.steps[0].name == "upload" and loop.until == "it works"


def test_pronoun_condition_refers_to_the_step_before() -> None:
    (b,) = steps_of(extract(MORE3[3]).plan, "branch")
    assert b.cases[0].when == "the site is down" and b.cases[0].steps[0].name == "pageSomeone"


def test_nested_fallbacks() -> None:
    (t,) = extract(MORE3[4]).plan.steps
    assert t.kind == "try" and t.steps[0].name == "callPartnerApi"
    inner = t.catch[0]
    assert (
        inner.kind == "try" and inner.steps[0].name == "callMirrorEndpoint"
    )  # "try the mirror endpoint": call it
    assert [s.name for s in inner.catch] == ["queueRequest"]


GH_MORE2 = _reg(
    "github",
    [
        "# on PRs, run eslint and jest",
        "Run go test on Go 1.22 for pushes to any branch",
        "Trigger manually with inputs environment and version, then deploy to the chosen environment",
        "Lint the Dockerfile, build the image, then push it to GHCR when a tag is pushed",
        "On pull requests to main or release/*, run the unit tests and the integration tests in parallel",
        "When someone comments on an issue, reply with the triage checklist",
        "Every day at 2:30 UTC, scan dependencies for vulnerabilities and open an issue if any are found",
    ],
)


def test_github_run_two_tools() -> None:
    (job,) = extract(GH_MORE2[0], "github").plan.jobs
    assert [s.target for s in job.steps if s.kind == "shell"][-2:] == ["npx eslint .", "npx jest"]


def test_github_literal_go_test() -> None:
    intent = extract(GH_MORE2[1], "github")
    (job,) = intent.plan.jobs
    assert job.steps[-1].target == "go test ./..."
    assert next(s for s in job.steps if s.target.startswith("actions/setup-go")).args == {
        "go-version": "1.22"
    }
    assert intent.plan.triggers[0].event == "push" and intent.plan.triggers[0].branches == []


def test_github_inputs_list_and_environment_from_input() -> None:
    intent = extract(GH_MORE2[2], "github")
    assert intent.plan.triggers[0].inputs == {"environment": "string", "version": "string"}
    (job,) = intent.plan.jobs
    assert job.environment == "${{ inputs.environment }}"


def test_github_tag_pushed_and_docker_jobs() -> None:
    intent = extract(GH_MORE2[3], "github")
    assert intent.plan.triggers[0].tags == ["*"]
    assert [(j.id, j.needs) for j in intent.plan.jobs] == [
        ("lint", []),
        ("build", []),
        ("publish", ["lint", "build"]),
    ]
    assert [j.steps[-1].target for j in intent.plan.jobs] == [
        "hadolint Dockerfile",
        "docker build -t app .",
        "docker push app",
    ]


def test_github_branch_globs_and_parallel_test_jobs() -> None:
    intent = extract(GH_MORE2[4], "github")
    assert intent.plan.triggers[0].branches == ["main", "release/*"]
    assert [(j.id, j.needs) for j in intent.plan.jobs] == [("test", []), ("test-2", [])]


def test_github_issue_events_use_github_script() -> None:
    (job,) = extract(GH_MORE2[5], "github").plan.jobs
    assert [s.target for s in job.steps] == ["actions/github-script@v7"]
    (job,) = extract(GH_MORE2[6], "github").plan.jobs
    assert (
        job.steps[-1].target == "actions/github-script@v7" and "issues.create" in job.steps[-1].args["script"]
    )


# -- any text: no exception, a structurally sound plan ----------------------------------------------

_WORDS = (
    "if when otherwise else then and , ; . for each every all until repeat keep retry 3 times wait "
    "an hour meanwhile in parallel at the same time send email ask the billing agent route issues to "
    "everything else call the Stripe API fails use backup daily at 9 on pushes to main pull requests "
    "Node 18 20 on ubuntu windows deploy production build test lint order.created event publish "
    "depending on priority high low : it it's over 500 under 100 give up after two days `make x` "
    "https://x.example/y SLACK_TOKEN secret tool MCP server"
).split()


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_WORDS), min_size=0, max_size=30), st.sampled_from(["serverless", "github"]))
def test_any_request_gives_a_sound_plan(words: list[str], dialect: str) -> None:
    intent = extract(" ".join(words), dialect)
    for s in intent.plan.walk():
        if s.kind == "branch":
            assert len(s.cases) >= 2 and s.cases[-1].when == ""
        if s.kind in ("foreach", "loop", "try"):
            assert s.steps
        if s.kind == "parallel":
            assert len(s.branches) >= 2 and all(s.branches)
    for item in intent.items:
        if item.kind == "branch":
            assert any(s.kind == "branch" and len(s.cases) == item.count for s in intent.plan.walk())
    if dialect == "github":
        assert intent.plan.jobs and intent.plan.triggers
        ids = [j.id for j in intent.plan.jobs]
        assert len(ids) == len(set(ids)) and all(n in ids for j in intent.plan.jobs for n in j.needs)


MORE4 = _reg(
    "serverless",
    [
        "In case the invoice is overdue, send a reminder; else mark it as paid",
        "Hand the complaint to the escalations agent unless it's a refund request",
        "Wait for approval from the manager",
        "Delegate to agent Maria, then wait for her answer",
        "Query the orders table, then keep only the rows where status is pending",
        "Send a text via Twilio and an email via SendGrid simultaneously",
    ],
)


def test_mark_it_as_a_status() -> None:
    (b,) = extract(MORE4[0]).plan.steps
    step = b.cases[1].steps[0]
    assert (step.kind, step.name, step.args) == ("set", "markPaid", {"status": "paid"})


def test_trailing_unless() -> None:
    (b,) = extract(MORE4[1]).plan.steps
    assert b.cases[0].when == "the complaint is not a refund request"
    assert b.cases[0].steps[0].target == "escalations" and b.cases[1].steps == []


def test_wait_for_something_is_a_listen() -> None:
    assert [(s.kind, s.target) for s in extract(MORE4[2]).plan.steps] == [("listen", "approval")]
    assert [s.kind for s in extract(MORE4[3]).plan.steps] == ["agent", "listen"]


def test_only_and_where_stay_out_of_names() -> None:
    assert extract(MORE4[4]).plan.steps[1].name == "keepRows"


def test_two_services_at_the_same_time() -> None:
    intent = extract(MORE4[5])
    (par,) = intent.plan.steps
    assert [b[0].args.get("api") for b in par.branches] == ["twilio", "sendgrid"]
    assert [i.name for i in kinds(intent, "api")] == ["twilio", "sendgrid"]


MORE5 = _reg(
    "serverless",
    [
        "Collect the name, email and phone number, then create the account",
        "Transcribe the voicemail, then either call back or send an SMS depending on the intent",
    ],
)


def test_a_list_of_things_is_one_step() -> None:
    assert [s.name for s in extract(MORE5[0]).plan.steps] == ["collectNameEmail", "createAccount"]


def test_either_or_depending_on() -> None:
    (b,) = steps_of(extract(MORE5[1]).plan, "branch")
    assert [c.steps[0].name if c.steps else "" for c in b.cases] == ["callBack", "sendSms", ""]
    assert all("intent" in c.when for c in b.cases if c.when)


def test_github_no_invented_webhook_secret() -> None:
    (job,) = extract("on push, notify the team on Slack", "github").plan.jobs
    assert "SLACK" not in json.dumps([vars(s) for s in job.steps]).replace("Slack", "")
    (job,) = extract("on push, notify Slack using the SLACK_WEBHOOK secret", "github").plan.jobs
    assert '"$SLACK_WEBHOOK"' in job.steps[-1].target
    assert job.steps[-1].args["env"] == {"SLACK_WEBHOOK": "${{ secrets.SLACK_WEBHOOK }}"}


def test_github_needs_an_existing_job() -> None:
    names = {"jobs": ["build", "lint"]}
    intent = extract("after the build job, deploy to production", "github", names=names)
    assert [(j.id, j.needs, j.environment) for j in intent.plan.jobs] == [("deploy", ["build"], "production")]
    intent = extract("once lint passes, publish to npm", "github", names=names)
    assert [(j.id, j.needs) for j in intent.plan.jobs] == [("publish", ["lint"])]
    intent = extract("after the release job, notify the team", "github")
    assert [j.id for j in intent.plan.jobs] == ["notify"] and intent.plan.jobs[0].needs == []


TERSE = _reg(
    "serverless",
    [
        "get order -> validate it -> charge card -> send receipt",
        "fetch the data & transform it & load it into the warehouse",
        "steps: 1) pull the logs 2) summarize them 3) email the summary",
        "on new signup: send welcome email; wait 3 days; send onboarding tips",
        "classify the ticket with the triage agent. billing -> billing agent. tech -> tech agent. anything else -> general agent.",
        "try charging the card; on error fall back to PayPal",
        "summarize each document in parallel",
        "for each region run the report and, when all are done, merge them",
    ],
)


@pytest.mark.parametrize(
    "request_,names",
    [
        (TERSE[0], ["getOrder", "validate", "chargeCard", "sendReceipt"]),
        (TERSE[1], ["fetchData", "transform", "loadWarehouse"]),
        (TERSE[2], ["pullLogs", "summarize", "emailSummary"]),
        (TERSE[3], ["sendWelcomeEmail", "wait3Days", "sendOnboardingTips"]),
    ],
)
def test_terse_sequences(request_: str, names: list[str]) -> None:
    assert [s.name for s in extract(request_).plan.steps] == names


def test_arrow_mappings_make_one_switch() -> None:
    plan = extract(TERSE[4]).plan
    assert [s.kind for s in plan.steps] == ["agent", "branch"]
    assert [(c.when, c.steps[0].target) for c in plan.steps[1].cases] == [
        ("billing", "billing"),
        ("tech", "tech"),
        ("", "general"),
    ]


def test_try_ving_and_parallel_each_and_all_done() -> None:
    (t,) = extract(TERSE[5]).plan.steps
    assert t.steps[0].name == "chargeCard" and t.catch[0].args.get("api") == "paypal"
    (loop,) = extract(TERSE[6]).plan.steps
    assert loop.kind == "foreach" and loop.each == "document" and loop.steps[0].name == "summarizeDocument"
    plan = extract(TERSE[7]).plan
    assert [s.kind for s in plan.steps] == ["foreach", "http"] and plan.steps[1].name == "merge"


GH_TRIGGERS2 = [
    ("whenever someone pushes to main, run the tests", "push", ["main"]),
    ("on merge to main, deploy to production", "push", ["main"]),
    ("on each commit, lint the code", "push", []),
    ("when code is pushed to develop or main, build it", "push", ["develop", "main"]),
    ("for pull requests against main, run the linters", "pull_request", ["main"]),
    ("when a PR is opened or reopened, label it", "pull_request", ["opened", "reopened"]),
    ("run the release when a new tag matching v* is pushed", "push", ["v*"]),
    ("when a release is created, build and upload the binaries", "release", ["created"]),
    ("on push to feature branches, run the unit tests on Python 3.12", "push", ["feature/**"]),
]
ALL.extend((r, "github") for r, _, _ in GH_TRIGGERS2)


@pytest.mark.parametrize("request_,event,values", GH_TRIGGERS2)
def test_github_more_triggers(request_: str, event: str, values: list[str]) -> None:
    (t,) = extract(request_, "github").plan.triggers
    assert t.event == event and sorted([*t.branches, *t.tags, *t.types]) == sorted(values)


def test_thousands_separator_is_no_clause_break() -> None:
    (b,) = extract("If the amount is over $1,000, escalate to finance, otherwise approve it").plan.steps
    assert [c.when for c in b.cases] == ["the amount is over $1000", ""]


LOOPS2 = _reg(
    "serverless",
    [
        "Until the queue is empty, process the next message",
        "While there are unread emails, process the next one",
        "Generate a draft and revise it repeatedly until the reviewer approves",
        "retry the payment until it succeeds, up to 5 times",
        "Keep polling the job every 30 seconds until it finishes, but give up after 10 minutes",
    ],
)


def test_until_and_while_heads_open_a_loop() -> None:
    (loop,) = extract(LOOPS2[0]).plan.steps
    assert (
        loop.kind == "loop"
        and loop.until == "the queue is empty"
        and loop.steps[0].name == "processNextMessage"
    )
    (loop,) = extract(LOOPS2[1]).plan.steps
    assert loop.kind == "loop" and loop.until == "there are not unread emails"


def test_loop_details() -> None:
    plan = extract(LOOPS2[2]).plan
    assert plan.steps[1].kind == "loop" and plan.steps[1].steps[0].name == "revise"
    (t,) = extract(LOOPS2[3]).plan.steps
    assert t.kind == "try" and t.retry == 5
    intent = extract(LOOPS2[4])
    (loop,) = intent.plan.steps
    assert loop.until == "it finishes" and intent.plan.timeout == "PT10M"
    assert [s.kind for s in loop.steps] == ["http", "wait"]


AGAIN = _reg(
    "serverless",
    [
        ("Ask the model for an answer; if the answer is not valid, ask again", "the answer is valid", 1),
        ("Fetch the page. If it is empty, retry", "it is not empty", 1),
        (
            "Draft a reply, check it with the QA agent, and if it fails the review, draft it again",
            "it passes the review",
            2,
        ),
        (
            "Ask the user for a date; if it is not a weekday, ask again, otherwise book the meeting",
            "it is a weekday",
            1,
        ),
    ],
)


@pytest.mark.parametrize("request_,until,body", AGAIN)
def test_if_not_then_again_is_a_loop_back(request_: str, until: str, body: int) -> None:
    intent = extract(request_)
    assert not kinds(intent, "branch") and [i.name for i in kinds(intent, "loop")] == [until]
    loop = intent.plan.steps[0]
    assert loop.kind == "loop" and loop.until == until and len(loop.steps) == body


# -- constructs: headings, label cases, subject routing, named services, timeouts ---------------------

ROUND2: list[tuple[str, str]] = []  # every request below, rendered, analyzed and covered at the end


def _r2(dialect: str, requests: list[Any]) -> list[Any]:
    ROUND2.extend((r[0] if isinstance(r, tuple) else r, dialect) for r in requests)
    return _reg(dialect, requests)


SERVICES = _r2(
    "serverless",
    [
        ("create the incident in ServiceNow", "servicenow"),
        ("Translate the text with Google Translate", "google translate"),
        ("sync the contacts to HubSpot", "hubspot"),
        ("text the driver via Twilio", "twilio"),
        ("page the team through PagerDuty", "pagerduty"),
        ("open a ticket on Jira", "jira"),
        ("charge the card with Stripe", "stripe"),
        ("store the file in Google Drive, then notify the owner", "google drive"),
        ("post the weekly summary to Microsoft Teams", "microsoft teams"),
    ],
)


@pytest.mark.parametrize("request_,api", SERVICES)
def test_named_service_is_an_api(request_: str, api: str) -> None:
    intent = extract(request_)
    assert [i.name for i in kinds(intent, "api")] == [api]
    assert intent.plan.steps[0].kind == "http" and intent.plan.steps[0].args["api"] == api


@pytest.mark.parametrize(
    "request_", ["email the report on Monday", "Delegate to agent Maria", "send it to Bob and archive it"]
)
def test_no_service_without_a_service_name(request_: str) -> None:
    assert not kinds(extract(request_), "api")


HEADINGS = _r2(
    "serverless",
    [
        (
            "set up a new laptop: install the agent, enrol it in MDM and email the owner",
            ["installAgent", "enrolMdm", "emailOwner"],
        ),
        (
            "Onboard the new hire: create the accounts, order a laptop and book the welcome lunch.",
            ["createAccounts", "orderLaptop", "bookWelcomeLunch"],
        ),
        (
            "New release checklist: tag the commit; build the image; push it to the registry",
            ["tagCommit", "buildImage", "pushRegistry"],
        ),
        (
            "# nightly cleanup: purge the temp files and then compact the database",
            ["purgeTempFiles", "compactDatabase"],
        ),
        (
            "Refund flow: look up the order, refund the payment, and notify the customer",
            ["lookUpOrder", "refundPayment", "notifyCustomer"],
        ),
        ("INCIDENT RESPONSE: PAGE THE ON-CALL, THEN OPEN A BRIDGE", ["pageOnCall", "openBridge"]),
        (
            "Quarterly report: gather the metrics, summarize them, then email the board",
            ["gatherMetrics", "summarize", "emailBoard"],
        ),
        (
            "close out a sprint:  archive the board and export the burndown",
            ["archiveBoard", "exportBurndown"],
        ),
    ],
)


@pytest.mark.parametrize("request_,names", HEADINGS)
def test_heading_before_a_colon_is_not_a_step(request_: str, names: list[str]) -> None:
    intent = extract(request_)
    assert [s.name for s in intent.plan.steps] == names
    assert len(kinds(intent, "step")) == len(names)


def test_colon_that_is_not_a_heading_stays() -> None:
    # a lead that starts the workflow, a for-each body and a 'depending on' list keep their meaning
    assert [s.name for s in extract("on new signup: send welcome email; wait 3 days").plan.steps][
        0
    ] == "sendWelcomeEmail"
    (loop,) = extract("process each invoice: validate it, book it and archive it").plan.steps
    assert loop.kind == "foreach" and len(loop.steps) == 3
    (b,) = extract("depending on the region: ship from Berlin for EU, ship from Ohio for US").plan.steps
    assert b.kind == "branch"
    # the text after the colon is not steps: nothing is dropped
    assert extract("notify the team: the build failed").plan.steps[0].name.startswith("notifyTeam")


LABEL_CASES = _r2(
    "serverless",
    [
        (
            "Urgent: page the on-call. Normal: open a ticket. Anything else: log it.",
            ["it is urgent", "it is normal"],
            ["page on-call", "open ticket", "log"],
        ),
        (
            "check the order status: shipped -> email the tracking link, cancelled -> refund, otherwise wait",
            ["the order status is shipped", "the order status is cancelled"],
            ["email tracking link", "refund", "wait"],
        ),
        (
            "VIP: call the customer. Regular: send an email.",
            ["it is vip", "it is regular"],
            ["call customer", "send email"],
        ),
        (
            "triage the alert. critical: wake the SRE; warning: post to the channel; everything else: archive it",
            ["it is critical", "it is warning"],
            ["wake sre", "post channel", "archive"],
        ),
        (
            "Look up the payment state: paid => ship the order, failed => email the buyer, else => cancel it",
            ["the payment state is paid", "the payment state is failed"],
            ["ship order", "email buyer", "cancel"],
        ),
        (
            "classify the lead: hot: assign it to sales, cold: add it to the newsletter",
            ["the lead is hot", "the lead is cold"],
            ["assign sales", "add newsletter"],
        ),
        (
            "Check the build result: green -> deploy it, red -> open an issue, anything else -> rerun it",
            ["the build result is green", "the build result is red"],
            ["deploy", "open issue", "rerun"],
        ),
        (
            "Weekday: run the full backup. Weekend: run the quick backup. Otherwise: skip it.",
            ["it is weekday", "it is weekend"],
            ["run full backup", "run quick backup"],
        ),
    ],
)


@pytest.mark.parametrize("request_,conds,outcomes", LABEL_CASES)
def test_label_colon_cases_are_one_branch(request_: str, conds: list[str], outcomes: list[str]) -> None:
    intent = extract(request_)
    (b,) = steps_of(intent.plan, "branch")
    assert [c.when for c in b.cases if c.when] == conds and b.cases[-1].when == ""
    (item,) = kinds(intent, "branch")
    assert list(item.values) == outcomes and item.count == len(b.cases)
    labels = [i.name for i in kinds(intent, "step")]
    assert all(v in labels for v in item.values)


@pytest.mark.parametrize(
    "request_",
    [
        "Note: fetch the invoice, then send it",
        "fetch the invoice. Then: send it to the customer",
        "Fetch the invoice at 9:30 and send it",
    ],
)
def test_no_label_cases_without_a_run_of_labels(request_: str) -> None:
    assert not kinds(extract(request_), "branch")


SUBJECT_ROUTING = _r2(
    "serverless",
    [
        (
            "premium users get a call from the success agent; everyone else gets the newsletter",
            ["the user is premium"],
            ["call", "send newsletter"],
        ),
        (
            "large orders go to manual review, the rest are approved",
            ["the order is large"],
            ["send manual review", "approve"],
        ),
        (
            "Gold members receive a discount code; the others receive the regular newsletter.",
            ["the member is gold"],
            ["send discount code", "send regular newsletter"],
        ),
        (
            "tickets from enterprise customers go to the priority agent while all others go to the general agent",
            ["the ticket comes from enterprise customers"],
            ["send priority agent", "send general agent"],
        ),
        (
            "Small invoices are paid right away, large ones are held for review, the rest get flagged.",
            ["the invoice is small", "the invoice is large"],
            ["pay right away", "hold review", "flag"],
        ),
        (
            "VIP guests get a welcome call from the concierge agent, everybody else gets an SMS via Twilio",
            ["the guest is vip"],
            ["call", "send sms"],
        ),
        (
            "ADMINS GET FULL ACCESS; EVERYONE ELSE GETS READ-ONLY ACCESS",
            ["it is admins"],
            ["send full access", "send access"],
        ),
        (
            "Score the order. Risky orders are blocked, all others are shipped.",
            ["the order is risky"],
            ["block", "ship"],
        ),
    ],
)


@pytest.mark.parametrize("request_,conds,outcomes", SUBJECT_ROUTING)
def test_subject_predicate_routing_is_a_branch(request_: str, conds: list[str], outcomes: list[str]) -> None:
    intent = extract(request_)
    (b,) = steps_of(intent.plan, "branch")
    assert [c.when for c in b.cases if c.when] == conds and b.cases[-1].when == ""
    (item,) = kinds(intent, "branch")
    assert list(item.values) == outcomes and item.count == len(conds) + 1
    assert all(v in [i.name for i in kinds(intent, "step")] for v in item.values)


@pytest.mark.parametrize(
    "request_",
    [
        "The site is down, the team is asleep",
        "the invoice is overdue, send a reminder",
        "Users get confused by the form, so rewrite the help text",
    ],
)
def test_statements_are_not_subject_routing(request_: str) -> None:
    assert not kinds(extract(request_), "branch")


COMPARATOR_CASES = _r2(
    "serverless",
    [
        (
            "rate the lead with the scoreLead function; above 80 hand it to sales, below 20 drop it, otherwise nurture it",
            ["it is above 80", "below 20"],
            3,
        ),
        (
            "orders over $500 need a manager's approval, ones under $20 are approved automatically, the rest go to the review queue",
            ["the order is over $500", "the order is under $20"],
            3,
        ),
        (
            "check the temperature; below 5 turn on the heater, above 30 start the fan, otherwise do nothing",
            ["it is below 5", "above 30"],
            3,
        ),
        (
            "Compute the risk score. Over 0.8: block the payment. Under 0.2: approve it. Otherwise: send it to review.",
            ["it is over 0.8", "it is under 0.2"],
            3,
        ),
        (
            "Cart totals above 100 get free shipping, the rest pay the standard fee",
            ["the total is above 100"],
            2,
        ),
        (
            "count the failed logins; more than 5 lock the account, otherwise log the attempt",
            ["it is more than 5"],
            2,
        ),
        (
            "Measure the latency, over 300 ms page the on-call, under 100 ms close the alert, otherwise keep watching",
            ["it is over 300 ms", "under 100"],
            3,
        ),
        (
            "invoices above $10000 need the CFO's sign-off; invoices below $100 are paid at once; all other invoices go to accounting",
            ["the invoice is above $10000", "the invoice is below $100"],
            3,
        ),
    ],
)


@pytest.mark.parametrize("request_,conds,count", COMPARATOR_CASES)
def test_comparator_case_lists_are_a_multi_way_branch(request_: str, conds: list[str], count: int) -> None:
    intent = extract(request_)
    (b,) = steps_of(intent.plan, "branch")
    assert [c.when for c in b.cases if c.when] == conds and b.cases[-1].when == ""
    (item,) = kinds(intent, "branch")
    assert item.count == count == len(b.cases)


def test_a_number_after_a_step_is_no_comparator_case() -> None:
    assert not kinds(extract("wait over 5 minutes, then ping the site"), "branch")
    assert not kinds(extract("above all, notify the owner"), "branch")


SCHEDULE_WORDS = _r2(
    "serverless",
    [
        ("every quarter hour, check the queue", "*/15 * * * *"),
        ("Sync the calendar every half hour", "*/30 * * * *"),
        ("ping the health endpoint every half-hour", "*/30 * * * *"),
        ("twice a day, back up the database", "0 0,12 * * *"),
        ("At 8:30 on weekdays, send the standup reminder", "30 8 * * 1-5"),
        ("every Sunday night, rotate the logs", "0 22 * * 0"),
        ("On the first of the month, send the invoices.", "0 0 1 * *"),
        ("EVERY FRIDAY AFTERNOON EMAIL THE DIGEST", "0 14 * * 5"),
        ("refresh the exchange rates three times a day", "0 0,8,16 * * *"),
    ],
)


@pytest.mark.parametrize("request_,cron", SCHEDULE_WORDS)
def test_schedules_in_words(request_: str, cron: str) -> None:
    intent = extract(request_)
    assert intent.plan.schedule == cron and [i.name for i in kinds(intent, "schedule")] == [cron]
    assert len(intent.plan.steps) == 1 and intent.plan.steps[0].kind != "wait"


def test_schedule_words_in_github_and_no_schedule_without_them() -> None:
    (t,) = extract("twice a day, run the smoke tests", "github").plan.triggers
    assert t.event == "schedule" and t.cron == "0 0,12 * * *"
    assert not kinds(extract("split the report into quarters and email half of it"), "schedule")
    assert not kinds(extract("send the night shift report to Sunday's lead"), "schedule")


GH_ROUND3 = _r2(
    "github",
    [
        "lint, then test, then deploy to Fly.io but only from main",
        "run the terraform plan on PRs that touch the infra folder",
        "when someone comments /deploy on a pull request, deploy the preview",
        "let me trigger it by hand with an environment choice (staging or production) and deploy to that environment",
        "run the python tests on 3.10, 3.11 and 3.12; after they all pass, build the wheel and upload it to PyPI using the PYPI_API_TOKEN secret",
        "nightly at 1am UTC, run the e2e tests with playwright and upload the report if they fail",
        "on PRs, check formatting with prettier",
        "cache pip dependencies, run flake8 and pytest with coverage, and upload coverage to Codecov",
        "build the Go binary on push and pull request, then run golangci-lint",
        "every weekday at 9:30, post the open PR count to Slack using the SLACK_WEBHOOK_URL secret",
        'when a PR is labeled "ready", run the full integration suite',
        "deploy to staging on every push to develop and to production on every push to main",
        "on release, build and push a docker image to Docker Hub with DOCKERHUB_USERNAME and DOCKERHUB_TOKEN",
        "run rubocop and rspec on push",
        "run npm test for node 20 and 22 on linux and windows runners",
        "build and test the rust crate with cargo on every push, caching the target directory",
        "on push, run the tests, and if they fail, post a comment on the commit",
        "build the docker image on PRs but only push it on main",
        "run the benchmarks manually, with an iterations input (number) and a verbose flag",
        "deploy the lambda to AWS when main changes, using AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        "install deps with pnpm, typecheck, run vitest, and build on push to main and on PRs",
        'when a maintainer adds the "deploy" label to a PR, deploy it to the preview environment',
        "matrix build for python 3.9 through 3.12 on ubuntu, windows and macos, then upload the wheels",
        "test on node 18 to 22",
    ],
)


def test_github_typecheck_and_no_dangling_and() -> None:
    assert _shell(GH_ROUND3[20]) == [
        ["pnpm install --frozen-lockfile", "npx tsc --noEmit", "npx vitest", "pnpm run build"]
    ]
    names = [s.name for j in extract(GH_ROUND3[20], "github").plan.jobs for s in j.steps]
    assert names[-1] == "Build"


def test_github_label_added_to_a_pr() -> None:
    intent = extract(GH_ROUND3[21], "github")
    (t,) = intent.plan.triggers
    assert (t.event, t.types) == ("pull_request", ["labeled"])
    (job,) = intent.plan.jobs
    assert (job.when, job.environment) == ("the label is deploy", "preview")


def test_github_version_ranges() -> None:
    (job,) = extract(GH_ROUND3[22], "github").plan.jobs
    assert job.matrix["python"] == ["3.9", "3.10", "3.11", "3.12"] and len(job.matrix["os"]) == 3
    assert "python -m build" in [s.target for s in job.steps]
    (job,) = extract(GH_ROUND3[23], "github").plan.jobs
    assert job.matrix == {"node": ["18", "20", "22"]}


def test_github_if_they_fail_comments_on_the_commit() -> None:
    from wfspec.llm.render import render_github_workflow

    intent = extract(GH_ROUND3[16], "github")
    doc = render_github_workflow(intent.plan, GH_ROUND3[16])
    assert 'if: "failure()"' in doc and "createCommitComment" in doc


def test_github_build_on_prs_push_only_on_main() -> None:
    intent = extract(GH_ROUND3[17], "github")
    assert {t.event: t.branches for t in intent.plan.triggers} == {"pull_request": [], "push": ["main"]}
    (job,) = intent.plan.jobs
    push = job.steps[-1]
    assert (push.target, push.when) == ("docker push app", "on main")


def test_github_input_type_in_parentheses_and_main_changes() -> None:
    (t,) = extract(GH_ROUND3[18], "github").plan.triggers
    assert t.inputs == {"iterations": "number", "verbose": "boolean"}
    (t,) = extract(GH_ROUND3[19], "github").plan.triggers
    assert (t.event, t.branches) == ("push", ["main"])


def test_github_runner_words_and_linux_is_ubuntu() -> None:
    intent = extract(GH_ROUND3[14], "github")
    (job,) = intent.plan.jobs
    assert job.matrix["os"] == ["ubuntu-latest", "windows-latest"] and job.steps[-1].target == "npm test"
    (item,) = [i for i in intent.items if i.kind == "matrix" and i.name == "os"]
    assert item.values == ("linux", "windows")  # as said; coverage knows linux runs on ubuntu


def test_github_cache_comes_before_the_steps_that_use_it() -> None:
    (job,) = extract(GH_ROUND3[15], "github").plan.jobs
    targets = [s.target for s in job.steps]
    assert targets[1] == "actions/cache@v4" and targets[2:] == ["cargo build --release", "cargo test"]
    assert job.steps[1].args["path"] == "target"


def _shell(request_: str) -> list[list[str]]:
    return [[s.target for s in j.steps if s.kind == "shell"] for j in extract(request_, "github").plan.jobs]


def test_github_named_tools_run_their_own_commands() -> None:
    assert _shell(GH_ROUND3[7]) == [
        ["python -m pip install -r requirements.txt", "flake8 .", "pytest --cov --cov-report=xml"]
    ]
    (go,) = extract(GH_ROUND3[8], "github").plan.jobs
    assert [s.target for s in go.steps][1:3] == ["actions/setup-go@v5", "go build ./..."]
    assert "golangci-lint" in go.steps[-1].target
    assert _shell(GH_ROUND3[13]) == [["bundle exec rubocop", "bundle exec rspec"]]


def test_github_slack_webhook_is_no_issue_comment() -> None:
    (job,) = extract(GH_ROUND3[9], "github").plan.jobs
    assert job.steps[-1].target.startswith("curl ") and "$SLACK_WEBHOOK_URL" in job.steps[-1].target


def test_github_labeled_with_a_name_is_the_job_condition() -> None:
    from wfspec.llm.render import render_github_workflow

    intent = extract(GH_ROUND3[10], "github")
    (t,) = intent.plan.triggers
    assert (t.event, t.types) == ("pull_request", ["labeled"])
    assert [s.name for s in intent.plan.jobs[0].steps][-1] == "Run the full integration suite"
    assert "if: \"github.event.label.name == 'ready'\"" in render_github_workflow(intent.plan, GH_ROUND3[10])


def test_github_a_deployment_per_branch_and_environment() -> None:
    intent = extract(GH_ROUND3[11], "github")
    (t,) = intent.plan.triggers
    assert (t.event, t.branches) == ("push", ["develop", "main"])
    assert [(j.environment, [s.when for s in j.steps if s.when]) for j in intent.plan.jobs] == [
        ("staging", ["on develop"]),
        ("production", ["on main"]),
    ]


def test_github_docker_hub_login_with_the_named_secrets() -> None:
    (cmds,) = _shell(GH_ROUND3[12])
    assert cmds[0] == "docker build -t app ."
    assert cmds[1].startswith(
        'echo "$DOCKERHUB_TOKEN" | docker login -u "$DOCKERHUB_USERNAME" --password-stdin'
    )


def test_github_versions_of_the_named_language_then_a_publish_stage() -> None:
    intent = extract(GH_ROUND3[4], "github")
    test, build = intent.plan.jobs
    assert test.matrix == {"python": ["3.10", "3.11", "3.12"]} and not build.matrix
    assert build.needs == [test.id]
    assert [s.target for s in test.steps if s.kind == "shell"][-1] == "pytest"
    (pub,) = [s for s in build.steps if "twine upload" in s.target]
    assert pub.args["env"] == {
        "TWINE_USERNAME": "__token__",
        "TWINE_PASSWORD": "${{ secrets.PYPI_API_TOKEN }}",
    }


def test_github_trailing_if_they_fail_and_node_tools() -> None:
    (job,) = extract(GH_ROUND3[5], "github").plan.jobs
    up = next(s for s in job.steps if "upload-artifact" in s.target)
    assert up.when == "it fails" and up.name == "Upload the report"
    assert "npx playwright test" in [s.target for s in job.steps]
    assert any(s.target.startswith("actions/setup-node") for s in job.steps)
    (job,) = extract(GH_ROUND3[6], "github").plan.jobs
    assert job.steps[-1].target == "npx prettier --check ."


def test_github_only_from_a_branch_guards_the_step() -> None:
    intent = extract(GH_ROUND3[0], "github")
    (deploy,) = [s for j in intent.plan.jobs for s in j.steps if s.target == "make deploy"]
    assert deploy.when == "on main" and deploy.name == "Deploy to Fly.io"
    assert [t.event for t in intent.plan.triggers] == ["push", "pull_request"]


def test_github_paths_from_a_folder() -> None:
    (t,) = extract(GH_ROUND3[1], "github").plan.triggers
    assert (t.event, t.paths) == ("pull_request", ["infra/**"])
    (t,) = extract(
        "build the docs on pushes touching the docs or website directories", "github"
    ).plan.triggers
    assert (t.event, t.paths) == ("push", ["docs/**", "website/**"])


def test_github_comment_command_is_the_trigger_and_the_job_condition() -> None:
    from wfspec.llm.render import render_github_workflow

    intent = extract(GH_ROUND3[2], "github")
    (t,) = intent.plan.triggers
    assert (t.event, t.types) == ("issue_comment", ["created"])
    doc = render_github_workflow(intent.plan, GH_ROUND3[2])
    assert (
        "if: \"github.event.issue.pull_request && startsWith(github.event.comment.body, '/deploy')\"" in doc
    )


def test_github_choice_input_with_options_and_the_environment_it_picks() -> None:
    from wfspec.llm.render import render_github_workflow

    intent = extract(GH_ROUND3[3], "github")
    (t,) = intent.plan.triggers
    assert t.event == "workflow_dispatch" and t.inputs == {"environment": "choice"}
    assert t.options == {"environment": ["staging", "production"]}
    assert [j.environment for j in intent.plan.jobs] == ["${{ inputs.environment }}"]
    assert "environment: '${{ inputs.environment }}'" in render_github_workflow(intent.plan, GH_ROUND3[3])


SW_ROUND3 = _r2(
    "serverless",
    [
        "ask the research agent to gather sources and, at the same time, have the writer agent draft an outline; then merge both",
        "call the payments API up to 3 times with exponential backoff, and if it still fails, refund the customer",
        "first get the user profile, then check their subscription tier: premium users get the priority support agent, free users get the FAQ bot",
        "every 15 minutes, check the queue depth and scale up the workers if it's above 1000",
        "use the github MCP server's create_issue tool to file a bug, then tell the dev agent about it",
        "give the reviewer 3 days to respond, then auto-approve",
        "start when a file.uploaded event is received; scan it for viruses, and if it's clean move it to storage, otherwise quarantine it",
        "retry sending the webhook 4 times, waiting 30 seconds between attempts",
        "loop: fetch the next page and append it, until there are no more pages, then email the report",
        "keep fetching the next page and appending the results until there are no more pages",
        "for each line item, look up the price with the pricing API and add it to the total",
        "classify the incoming email with the classifier agent, and depending on the label, forward sales leads to the sales agent, support requests to the support agent, and spam to the trash",
        "summarize the meeting notes, translate the summary into Spanish and French at the same time, and post both to the team channel",
        "run the data quality checks in parallel: null checks, range checks and schema checks; then publish a quality.report event",
        "search the knowledge base with the kb MCP tool; if nothing is found, escalate to a human agent",
        "when a new lead comes in, score it with the scoring agent; hot leads go to sales, cold ones to nurture",
        "Validate the form. If validation fails, return an error to the user. Otherwise create the account and send a welcome email.",
        "process refunds: look up the order, check the refund policy, and if eligible, issue the refund through Stripe",
        "ingest the file, then run three checks at once (virus scan, format check, size check), then store it",
        "if the score is between 50 and 80, send it to manual review",
        "call the geocoding API for every address, then merge the results",
        "if the customer is new, create a profile; then, regardless, log the visit",
        "generate the monthly invoices on the 1st of every month at 6am and email them to customers",
        "wait until the approval.granted event arrives, but no longer than 2 days, then deploy",
        "for every pull request comment, run the sentiment agent and flag toxic ones",
        "escalate the ticket to tier 2 if it's been open for more than 48 hours",
        "try the primary LLM endpoint; on timeout fall back to the secondary one",
        "hand the customer's question to the FAQ agent, and if it isn't confident, escalate to a human",
        "the research agent gathers sources, the writer agent drafts the article, and the editor agent reviews it until it's approved",
        "have the coding agent write a fix, run the tests, and repeat until they pass, at most 5 times",
        "every Friday at 5pm, ask the reporting agent for the weekly summary and email it to the team",
        "When a refund request arrives, check if the amount is under 100; if so approve it automatically, if not ask the finance agent",
        "if the API returns a 429, wait a minute and retry",
        "fetch all open tickets, and for each one older than 7 days send a reminder to the assignee",
        "for each invoice over 10000, ask the finance agent to review it",
    ],
)


def test_check_if_then_if_so_if_not_is_the_branch() -> None:
    (branch,) = extract(SW_ROUND3[31]).plan.steps
    assert [c.when for c in branch.cases] == ["the amount is under 100", ""]
    assert [c.steps[0].name for c in branch.cases] == ["approveAutomatically", "askFinanceAgent"]


def test_rate_limited_wait_and_retry_is_a_retry_with_that_delay() -> None:
    (t,) = extract(SW_ROUND3[32]).plan.steps
    assert (t.kind, t.retry, t.args.get("delay"), t.steps[0].name) == ("try", 3, "PT1M", "callApi")


@pytest.mark.parametrize(
    ("i", "when"), [(33, "the ticket is older than 7 days"), (34, "the invoice is over 10000")]
)
def test_a_foreach_filter_is_the_condition_of_its_steps(i: int, when: str) -> None:
    (loop,) = steps_of(extract(SW_ROUND3[i]).plan, "foreach")
    assert [s.when for s in loop.steps] == [when]


def test_hand_to_an_agent_then_a_condition_is_no_routing() -> None:
    agent, branch = extract(SW_ROUND3[27]).plan.steps
    assert agent.kind == "agent" and branch.cases[0].when == "it is not confident"
    assert branch.cases[0].steps[0].name == "escalateHuman"


def test_agents_as_subjects_each_do_their_step() -> None:
    a, b, loop = extract(SW_ROUND3[28]).plan.steps
    assert [a.kind, b.kind] == ["agent", "agent"] and (a.name, b.name) == ("gatherSources", "draftArticle")
    assert loop.kind == "loop" and loop.until == "it is approved" and loop.steps[0].kind == "agent"


def test_a_loop_cap_is_no_step_and_a_weekly_noun_keeps_the_day() -> None:
    steps = extract(SW_ROUND3[29]).plan.steps
    assert [s.kind for s in steps] == ["agent", "loop"]
    intent = extract(SW_ROUND3[30])
    assert intent.plan.schedule == "0 17 * * 5"
    assert [s.name for s in intent.plan.steps] == ["getSummary", "emailTeam"]


def test_regardless_is_no_step_and_overlapping_schedule_words_cut_once() -> None:
    branch, last = extract(SW_ROUND3[21]).plan.steps
    assert branch.cases[0].steps[0].name == "createProfile" and last.name == "logVisit"
    intent = extract(SW_ROUND3[22])
    assert intent.plan.schedule == "0 6 1 * *"
    assert [s.name for s in intent.plan.steps] == ["generateInvoices", "emailCustomers"]


def test_wait_until_an_event_but_no_longer_than() -> None:
    intent = extract(SW_ROUND3[23])
    listen, deploy = intent.plan.steps
    assert (listen.kind, listen.target, deploy.name, intent.plan.timeout) == (
        "listen",
        "approval.granted",
        "deploy",
        "P2D",
    )


def test_foreach_over_a_compound_noun() -> None:
    (loop,) = extract(SW_ROUND3[24]).plan.steps
    assert (loop.each, loop.of) == ("comment", "pull request comments")
    assert [s.name for s in loop.steps] == ["runSentimentAgent", "flagToxicOnes"]


def test_it_has_been_and_on_timeout() -> None:
    (branch,) = steps_of(extract(SW_ROUND3[25]).plan, "branch")
    assert branch.cases[0].when == "the ticket has been open for more than 48 hours"
    (t,) = extract(SW_ROUND3[26]).plan.steps
    assert (
        t.kind == "try" and t.steps[0].name == "callPrimaryLlmEndpoint" and t.catch[0].name == "useSecondary"
    )


def test_routing_subject_is_no_clause_list() -> None:
    agent, branch = extract(SW_ROUND3[15]).plan.steps
    assert agent.kind == "agent" and branch.kind == "branch"
    assert [c.when for c in branch.cases if c.when] == ["hot leads", "cold ones"]


def test_a_failed_check_is_a_branch_with_its_otherwise() -> None:
    first, branch = extract(SW_ROUND3[16]).plan.steps
    assert first.name == "validateForm" and branch.kind == "branch"
    assert [[s.name for s in c.steps] for c in branch.cases] == [
        ["returnError"],
        ["createAccount", "sendWelcomeEmail"],
    ]


def test_a_verb_heading_before_a_colon_is_no_step() -> None:
    names = [s.name for s in extract(SW_ROUND3[17]).plan.steps]
    assert names[:2] == ["lookUpOrder", "checkRefundPolicy"]


def test_a_parenthesised_list_at_once_is_a_branch_each() -> None:
    first, fork, last = extract(SW_ROUND3[18]).plan.steps
    assert [b[0].name for b in fork.branches] == ["runVirusScan", "runFormatCheck", "runSizeCheck"]
    assert (first.name, last.name) == ("ingestFile", "store")


def test_between_is_both_bounds_and_a_foreach_goes_over_the_plural() -> None:
    from wfspec.llm.render import collection, condition

    (branch,) = steps_of(extract(SW_ROUND3[19]).plan, "branch")
    assert condition(branch.cases[0].when) == ".score >= 50 and .score <= 80"
    (loop,) = steps_of(extract(SW_ROUND3[20]).plan, "foreach")
    assert collection(loop.of) == ".addresses"


def test_depending_on_mid_sentence_with_a_routing_verb() -> None:
    first, branch = extract(SW_ROUND3[11]).plan.steps
    assert first.kind == "agent" and branch.kind == "branch"
    assert [c.when for c in branch.cases if c.when] == [
        "label is sales leads",
        "label is support requests",
        "label is spam",
    ]


def test_the_list_of_the_last_step_runs_side_by_side() -> None:
    first, fork, post = extract(SW_ROUND3[12]).plan.steps
    assert first.name == "summarizeMeetingNotes" and post.name.startswith("post")
    assert fork.kind == "parallel" and len(fork.branches) == 2


def test_parallel_colon_list_is_a_branch_each() -> None:
    fork, emit = extract(SW_ROUND3[13]).plan.steps
    assert [b[0].name for b in fork.branches] == ["runNullChecks", "runRangeChecks", "runSchemaChecks"]
    assert emit.kind == "emit"


def test_nothing_found_is_an_empty_result() -> None:
    from wfspec.llm.render import condition

    (branch,) = steps_of(extract(SW_ROUND3[14]).plan, "branch")
    assert condition(branch.cases[0].when) == "((.results // []) | length) == 0"


def test_retry_a_gerund_n_times_with_the_delay_asked() -> None:
    from wfspec.llm.render import render_serverless_document

    intent = extract(SW_ROUND3[7])
    (t,) = intent.plan.steps
    assert (t.retry, t.backoff, t.args.get("delay")) == (4, "constant", "PT30S")
    assert t.steps[0].name == "sendWebhook"
    assert "delay: PT30S" in render_serverless_document(intent.plan, SW_ROUND3[7])


@pytest.mark.parametrize("i", [8, 9])
def test_a_loop_said_before_its_condition_wraps_every_step(i: int) -> None:
    steps = extract(SW_ROUND3[i]).plan.steps
    assert steps[0].kind == "loop" and [s.name for s in steps[0].steps][:1] == ["fetchNextPage"]
    assert len(steps[0].steps) == 2 and steps[0].until == "there are no more pages"
    assert [s.name for s in steps[1:]] == (["emailReport"] if i == 8 else [])


def test_subject_cases_after_a_colon_keep_the_steps_before() -> None:
    first, branch, *_ = extract(SW_ROUND3[2]).plan.steps
    assert first.name == "getUserProfile" and branch.kind == "branch"
    assert [c.when for c in branch.cases if c.when] == [
        "the subscription tier is premium",
        "the subscription tier is free",
    ]
    assert [c.steps[0].kind for c in branch.cases if c.when] == ["agent", "agent"]


def test_it_in_a_trailing_condition_is_not_a_plural_object() -> None:
    (branch,) = steps_of(extract(SW_ROUND3[3]).plan, "branch")
    assert branch.cases[0].when == "the queue depth is above 1000"
    assert branch.cases[0].steps[0].name == "scaleUpWorkers"


def test_mcp_server_possessive_tool() -> None:
    intent = extract(SW_ROUND3[4])
    assert [i.name for i in kinds(intent, "tool")] == ["create_issue"]
    assert intent.plan.steps[0].target == "github/create_issue"


def test_time_to_respond_is_a_listen_with_a_time_limit() -> None:
    for request_ in (SW_ROUND3[5], "wait up to 3 days for the reviewer to respond, then auto-approve"):
        intent = extract(request_)
        listen, after = intent.plan.steps
        assert (listen.kind, listen.target, after.name) == ("listen", "reviewer.response", "autoApprove")
        assert intent.plan.timeout == "P3D"


def test_start_when_an_event_is_no_step() -> None:
    steps = extract(SW_ROUND3[6]).plan.steps
    assert [s.name for s in steps][:2] == ["waitForFileUploaded", "scanViruses"]
    assert steps[0].kind == "listen" and steps[2].kind == "branch"


def test_parallel_lead_after_and_then_a_step_after_the_fork() -> None:
    intent = extract(SW_ROUND3[0])
    fork, merge = intent.plan.steps
    assert fork.kind == "parallel" and [b[0].name for b in fork.branches] == ["gatherSources", "draftOutline"]
    assert merge.name == "mergeBoth"


def test_up_to_n_times_with_backoff_then_a_fallback() -> None:
    (t,) = extract(SW_ROUND3[1]).plan.steps
    assert t.kind == "try" and t.retry == 3 and t.backoff == "exponential"
    assert t.steps[0].name == "callPaymentsApi" and t.catch[0].name == "refundCustomer"


# -- keep last: every request of the section above renders, analyzes clean and is covered ------------


@pytest.mark.parametrize("request_,dialect", ROUND2)
def test_round2_plans_render_clean_and_cover(request_: str, dialect: str) -> None:
    from wfspec.analysis.engine import analyze
    from wfspec.llm.lift import lift
    from wfspec.llm.planned import render_at

    intent = extract(request_, dialect)
    text = render_at(intent.plan, dialect, request_, whole_document=True)
    uri = ".github/workflows/w.yml" if dialect == "github" else "w.yaml"
    bad = [f for f in analyze(text, uri).findings if f.severity.label in ("error", "warning")]
    assert not bad, [f.message for f in bad]
    missing = [c for c in coverage.cover(intent.items, lift(text, dialect), text) if not c.ok]
    assert not missing, coverage.feedback(missing)


# -- names of what is asked ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_, name",
    [
        ("ask the legal agent for a risk summary of the contract", "getRiskSummary"),
        ("pass the draft to the editor agent to tighten the wording", "tightenWording"),
        ("forward the invoice to the finance agent", "forwardInvoice"),
        ("query the pricing API for the current rate", "getCurrentRate"),
    ],
)
def test_steps_are_named_after_what_is_asked(request_: str, name: str) -> None:
    """A step that hands work to an agent or API is named after the work, not the hand-off."""
    intent = extract(request_)
    assert intent.plan.steps[0].name.startswith(name)


def test_a_clause_without_its_verb_borrows_the_one_before() -> None:
    intent = extract("tag the ticket; refunds go to the billing agent, everything else to the support agent")
    (branch,) = kinds(intent, "branch")
    assert len(branch.values) == 2 and "billing" in branch.values[0] and "support" in branch.values[1]
    assert intent.plan.steps[0].name.startswith("tag")


@pytest.mark.parametrize(
    "request_, dialect, secret",
    [
        ("call the ledger API with the ledgerKey secret", "serverless", "ledgerKey"),
        ("call the ledger API with the ledger api key secret", "serverless", "ledgerApiKey"),
        ("publish the package using the npm token secret", "github", "NPM_TOKEN"),
    ],
)
def test_secret_names_follow_the_dialect(request_: str, dialect: str, secret: str) -> None:
    assert [i.name for i in kinds(extract(request_, dialect), "secret")] == [secret]


def test_weekdays_at_a_time_opens_a_schedule() -> None:
    intent = extract("weekdays at 7:15 run the report script", "github")
    assert [i.name for i in kinds(intent, "schedule")] == ["15 7 * * 1-5"]


def test_manual_run_inputs_from_the_words_around_it() -> None:
    """What a manual run takes, chooses and decides becomes its inputs, with the options the
    request lists and nothing invented."""
    intent = extract(
        "a workflow I can run manually, picking the region (eu, us or apac) and whether to skip the cache; "
        "it accepts a tag, builds the image and pushes it to the registry",
        "github",
    )
    (t,) = [t for t in intent.plan.triggers if t.event == "workflow_dispatch"]
    assert t.inputs == {"region": "choice", "skip cache": "boolean", "tag": "string"}
    assert t.options == {"region": ["eu", "us", "apac"]}
    steps = [s.name.lower() for j in intent.plan.jobs for s in j.steps]
    assert any(n.startswith("build") for n in steps) and any(n.startswith("push") for n in steps)
    from wfspec.llm.render import render_github_workflow

    doc = render_github_workflow(intent.plan, intent.request)
    assert "options:\n          - eu\n          - us\n          - apac" in doc


def test_a_clause_may_open_with_a_tool() -> None:
    intent = extract("ruff check on every pull request", "github")
    shells = [s.target for j in intent.plan.jobs for s in j.steps if s.kind == "shell"]
    assert any(t.startswith("ruff") for t in shells), shells


@pytest.mark.parametrize(
    "request_, expression",
    [
        (
            "when an issue is opened: if the body mentions refund, ping the billing team, otherwise add the triage label",
            "contains(github.event.issue.body || github.event.pull_request.body, 'refund')",
        ),
        (
            "on pull requests, if it has the docs label, build the docs site, else run the tests",
            "labels.*.name, 'docs'",
        ),
        ("on push: run the tests; if it is on main, publish the package", "github.ref == 'refs/heads/main'"),
        ("on push, if the release flag is set, build the package", "vars.THE_RELEASE_FLAG_IS_SET == 'true'"),
    ],
)
def test_github_branches_become_guarded_steps(request_: str, expression: str) -> None:
    """An if/otherwise in a GitHub request guards the steps it names with ``if:``: a condition
    GitHub can test becomes its expression, the rest a repository variable; the result analyzes
    clean."""
    from wfspec.analysis.engine import analyze
    from wfspec.llm.render import render_github_workflow

    intent = extract(request_, "github")
    (branch,) = kinds(intent, "branch")
    guarded = [s for j in intent.plan.jobs for s in j.steps if s.when]
    assert len(guarded) == branch.count >= 1
    doc = render_github_workflow(intent.plan, request_)
    assert expression in doc
    a = analyze(doc, "file:///r/.github/workflows/x.yml")
    assert not [f for f in a.findings if f.severity <= 2], [(f.rule, f.message) for f in a.findings]


def test_an_mcp_tool_named_after_its_server() -> None:
    """ "the X MCP tool name_of_tool": the server, then the tool's own name; a tool named like
    the clause's verb is still the tool."""
    intent = extract("search the wiki with the docs MCP tool find_pages")
    assert [i.name for i in kinds(intent, "tool")] == ["find_pages"]
    (step,) = intent.plan.steps
    assert (step.kind, step.target) == ("mcp", "docs/find_pages")
    intent = extract("scrape the pricing page with the scrape MCP tool")
    assert [i.name for i in kinds(intent, "tool")] == ["scrape"]


@pytest.mark.parametrize(
    "request_, n",
    [
        ("import the ledger; make 4 attempts before failing", 4),
        ("charge the card and allow up to 2 tries", 2),
    ],
)
def test_attempts_are_retries(request_: str, n: int) -> None:
    assert [i.count for i in kinds(extract(request_), "retry")] == [n]


def test_github_job_timeout_is_rendered_and_read_back() -> None:
    from wfspec.analysis.engine import analyze
    from wfspec.llm.coverage import cover
    from wfspec.llm.lift import lift
    from wfspec.llm.render import render_github_workflow

    req = "lint the code on every push and stop the job if it runs longer than 90 minutes"
    intent = extract(req, "github")
    assert intent.plan.timeout == "PT90M"
    doc = render_github_workflow(intent.plan, req)
    assert "timeout-minutes: 90" in doc
    a = analyze(doc, "file:///r/.github/workflows/x.yml")
    assert not [f for f in a.findings if f.severity <= 2]
    assert [j.timeout for j in lift(doc, "github").jobs] == ["PT1H30M"]
    assert all(c.ok for c in cover(kinds(intent, "timeout"), lift(doc, "github")))


def test_routing_after_a_colon_is_a_case_per_destination() -> None:
    intent = extract(
        "classify the lead, then send it: hot leads to the sales agent, cold leads to the nurture agent, "
        "anything else to the archive"
    )
    (branch,) = kinds(intent, "branch")
    assert branch.count == 3
    assert [s.kind for s in intent.plan.steps][:2] == ["http", "branch"]
    (switch,) = steps_of(intent.plan, "branch")
    assert [c.when for c in switch.cases][:2] == ["it is hot leads", "it is cold leads"]
    assert not switch.cases[2].when


def test_a_trailing_unless_with_a_past_verb_is_a_condition() -> None:
    intent = extract("send the survey unless the customer already answered")
    (branch,) = kinds(intent, "branch")
    assert "answered" in branch.name and branch.name.startswith("not")


def test_a_flag_of_a_manual_run_is_a_boolean_input() -> None:
    intent = extract(
        "run it manually with a force flag and a region parameter, then rebuild the cache", "github"
    )
    (t,) = [t for t in intent.plan.triggers if t.event == "workflow_dispatch"]
    assert t.inputs == {"force": "boolean", "region": "string"}


def test_after_the_tests_pass_puts_a_test_job_first() -> None:
    intent = extract("publish the docs site when a tag is pushed, once the tests pass", "github")
    jobs = intent.plan.jobs
    assert [j.id for j in jobs][0].startswith("test") and jobs[-1].needs == [jobs[0].id]


def test_once_all_of_them_pass_is_a_stage() -> None:
    intent = extract("lint and test in parallel on every push, then release once both have passed", "github")
    *first, last = intent.plan.jobs
    assert len(first) == 2 and sorted(last.needs) == sorted(j.id for j in first)
    assert last.id.startswith("release")


def test_a_workflow_that_does_things_is_its_steps() -> None:
    intent = extract("a manual pipeline that builds the image and pushes it to the registry", "github")
    names = [s.name.lower() for j in intent.plan.jobs for s in j.steps]
    assert any(n.startswith("build") for n in names) and any(n.startswith("push") for n in names)


def test_fan_out_to_several_services_is_parallel_work() -> None:
    intent = extract("fan out to the tax, fx and fees services and combine the results")
    (par,) = kinds(intent, "parallel")
    assert par.count == 3
    assert intent.plan.steps[0].kind == "parallel" and intent.plan.steps[-1].name.startswith("combine")


def test_the_nightly_thing_at_a_time_is_a_schedule() -> None:
    intent = extract("build the nightly export at 1am and upload it to the bucket")
    assert [i.name for i in kinds(intent, "schedule")] == ["0 1 * * *"]
    assert not kinds(extract("send the daily digest to the team"), "schedule")


def test_someone_opening_a_pull_request_is_the_trigger() -> None:
    intent = extract("whenever someone opens a pull request against main, run the linters", "github")
    (t,) = intent.plan.triggers
    assert (t.event, t.types, t.branches) == ("pull_request", ["opened"], ["main"])


def test_a_two_word_function_is_one_name() -> None:
    assert [i.name for i in kinds(extract("run the credit score function on the applicant"), "function")] == [
        "creditScore"
    ]


def test_jobs_named_as_such_are_jobs() -> None:
    """ "A and B as separate jobs in parallel, and a final job that C once both finish": two
    parallel jobs and a third that needs them; "two jobs: A, then B" a chain."""
    intent = extract(
        "typecheck and integration tests as separate jobs in parallel, and a final job that notifies once both finish",
        "github",
    )
    *first, last = intent.plan.jobs
    assert len(first) == 2 and sorted(last.needs) == sorted(j.id for j in first)
    intent = extract("two jobs: package, then release", "github")
    assert [j.needs for j in intent.plan.jobs] == [[], [intent.plan.jobs[0].id]]


def test_a_job_named_by_what_it_does_needs_the_one_it_names() -> None:
    intent = extract(
        "compile on node 20, then a deploy job that needs the compile and uses DEPLOY_TOKEN", "github"
    )
    jobs = intent.plan.jobs
    assert len(jobs) == 2 and jobs[1].id.startswith("deploy") and jobs[1].needs == [jobs[0].id]
    assert [i.name for i in kinds(intent, "secret")] == ["DEPLOY_TOKEN"]


def test_job_items_are_answered_by_one_job_each() -> None:
    """Coverage gives each job item its own job: one deploy job does not answer both
    "deploy to staging" and "deploy to production"."""
    from wfspec.llm.coverage import cover
    from wfspec.llm.plan import Item, Job, Plan

    plan = Plan(jobs=[Job("deploy", environment="staging")])
    got = cover([Item("job", "deploy to staging"), Item("job", "deploy to production")], plan)
    assert [c.ok for c in got] == [True, False]
