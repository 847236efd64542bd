"""Intent coverage: items checked against hand-built plans (wfspec.llm.coverage)."""

from __future__ import annotations

from wfspec.llm.coverage import cover, feedback, summary, words
from wfspec.llm.plan import Case, Item, Job, Plan, Step, Trigger


def _route() -> Plan:
    return Plan(
        steps=[
            Step("agent", "classifyTicket", "classifier"),
            Step(
                "branch",
                "routeTicket",
                cases=[
                    Case("billing issues", [Step("agent", "askBillingAgent", "billing")]),
                    Case("", [Step("agent", "askGeneralAgent", "general")]),
                ],
            ),
        ]
    )


def test_words_split_names_and_drop_filler() -> None:
    assert words("askBillingAgent") == words("ask the billing agent") == {"ask", "bill", "agent"}
    assert words("send the welcome-emails") == {"send", "welcome", "email"}


def test_branch_with_outcomes_is_covered_by_a_switch_with_those_cases() -> None:
    items = [
        Item("step", "classify ticket"),
        Item("agent", "billing"),
        Item("agent", "general"),
        Item("branch", "billing issues", ("billing agent", "general agent"), 2),
    ]
    got = cover(items, _route())
    assert [c.ok for c in got] == [True, True, True, True], got
    assert "routeTicket" in got[3].how


def test_a_flat_list_does_not_cover_a_branch_and_says_so() -> None:
    flat = Plan(
        steps=[Step("agent", "askBillingAgent", "billing"), Step("agent", "askGeneralAgent", "general")]
    )
    got = cover([Item("branch", "billing issues", ("billing agent", "general agent"), 2)], flat)
    assert not got[0].ok and got[0].how == "the workflow has no switch"
    text = feedback(got)
    assert "branch" in text and "no switch" in text
    assert summary(got).startswith("covers 0 of 1")


def test_an_agent_that_was_not_asked_for_does_not_cover_another() -> None:
    got = cover([Item("agent", "refunds")], _route())
    assert not got[0].ok


def test_steps_out_of_order_are_not_covered() -> None:
    plan = Plan(steps=[Step("http", "addToCrm"), Step("http", "sendWelcomeEmail")])
    got = cover([Item("step", "send welcome email"), Item("step", "add to crm")], plan)
    assert [c.ok for c in got] == [True, False]
    assert "before" in got[1].how


def test_control_flow_items() -> None:
    plan = Plan(
        steps=[
            Step(
                "foreach",
                "forEachSignup",
                each="signup",
                of=".signups",
                steps=[Step("http", "sendWelcomeEmail")],
            ),
            Step(
                "try",
                "chargeCard",
                steps=[Step("http", "charge")],
                retry=5,
                catch=[Step("http", "useBackup")],
            ),
            Step("parallel", "both", branches=[[Step("http", "a")], [Step("http", "b")]]),
            Step("loop", "review", steps=[Step("agent", "reviewer", "reviewer")], until="approved"),
            Step("wait", "pause", "PT1H"),
            Step("listen", "awaitOrder", "com.example.order.created"),
        ],
        schedule="0 9 * * *",
        timeout="P2D",
    )
    items = [
        Item("foreach", "signup"),
        Item("retry", count=5),
        Item("fallback"),
        Item("parallel"),
        Item("loop", "approved"),
        Item("wait", "pt1h"),
        Item("timeout", "P2D"),
        Item("listen", "order created"),
        Item("schedule", "0 09 * * *"),
    ]
    assert all(c.ok for c in cover(items, plan)), feedback(cover(items, plan))
    assert not cover([Item("retry", count=6)], plan)[0].ok
    assert not cover([Item("schedule", "0 12 * * 1-5")], plan)[0].ok
    assert not cover([Item("parallel", values=("a", "b", "c"))], plan)[0].ok


def test_github_items() -> None:
    plan = Plan(
        triggers=[
            Trigger("push", branches=["release/**"]),
            Trigger("workflow_dispatch", inputs={"version": "string"}),
            Trigger("schedule", cron="0 2 * * *"),
        ],
        jobs=[
            Job(
                "test",
                matrix={"node-version": ["18", "20", "22"], "os": ["ubuntu-latest", "windows-latest"]},
                steps=[Step("shell", "test", "npm test")],
            ),
            Job(
                "upload-coverage",
                needs=["test"],
                steps=[Step("action", "upload", "actions/upload-artifact@v4")],
            ),
        ],
    )
    items = [
        Item("trigger", "push", ("release",)),
        Item("input", "version"),
        Item("schedule"),
        Item("matrix", "node", ("18", "20", "22")),
        Item("matrix", "os", ("ubuntu", "windows")),
        Item("job", "upload coverage"),
    ]
    assert all(c.ok for c in cover(items, plan)), feedback(cover(items, plan))
    assert not cover([Item("trigger", "pull_request")], plan)[0].ok
    assert not cover([Item("matrix", "os", ("macos",))], plan)[0].ok
    assert not cover([Item("secret", "NPM_TOKEN")], plan, "run: npm publish")[0].ok
    assert cover([Item("secret", "NPM_TOKEN")], plan, "${{ secrets.NPM_TOKEN }}")[0].ok


def test_steps_in_different_cases_or_branches_have_no_order() -> None:
    plan = Plan(
        steps=[
            Step(
                "branch",
                "route",
                cases=[
                    Case("x", [Step("agent", "askGeneralAgent", "general")]),
                    Case("", [Step("agent", "askBillingAgent", "billing")]),
                ],
            ),
            Step("parallel", "both", branches=[[Step("http", "notifySlack")], [Step("http", "emailTeam")]]),
            Step("http", "closeTicket"),
        ]
    )
    items = [
        Item("step", "ask billing agent"),
        Item("step", "ask general agent"),
        Item("step", "email team"),
        Item("step", "notify slack"),
        Item("step", "close ticket"),
    ]
    assert [c.ok for c in cover(items, plan)] == [True] * 5
    # but a sequence still has an order
    assert [c.ok for c in cover([Item("step", "close ticket"), Item("step", "notify slack")], plan)] == [
        True,
        False,
    ]


def test_an_outcome_that_does_nothing_is_an_empty_case_and_a_lone_if_needs_one_case() -> None:
    plan = Plan(
        steps=[
            Step(
                "branch", "check", cases=[Case("expiring", [Step("http", "openRenewalTicket")]), Case("", [])]
            )
        ]
    )
    item = Item("branch", "cert expires", ("open a renewal ticket", "do nothing"), 2)
    assert cover([item], plan)[0].ok
    assert not cover(
        [Item("branch", "cert expires", ("open a renewal ticket", "call the customer"), 2)], plan
    )[0].ok
    lone = Plan(
        steps=[
            Step("branch", "check", cases=[Case("big", [Step("emit", "emitBacklogged", "queue.backlogged")])])
        ]
    )
    assert cover([Item("branch", "above 1000", ("emit queue.backlogged",), 1)], lone)[0].ok
    assert not cover([Item("branch", "above 1000", ("emit queue.backlogged",))], lone)[0].ok


def test_words_split_at_case_and_digit_boundaries() -> None:
    assert words("summarizePrDiff") == words("summarize the PR diff")
    assert words("uploadPRDiff") == words("upload PR diff")
    assert words("reply202") == words("reply 202")
    assert words("storeIfClause") >= {"store", "clause"}
    assert words("askDeepL") == {"ask", "deepl"}
