"""Generation checked against the request's intent, against the scripted endpoint: the plan of
the request as the fallback when the model's answers are valid but unfaithful, uncovered intent
items fed back to the model, names taken from an unrelated example spec rejected, the naming
request of the embedded model's path, and the older outline answers still read as plans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

from tests.llm.conftest import provider_for, settings_for
from tests.llm.scripted import Reply, ScriptedServer
from tests.llm.test_generate import DOC, EMPTY_INDEX, GOOD_TASKS, _comment_insertion
from wfspec.analysis.engine import analyze
from wfspec.llm import planned
from wfspec.llm.embedded import EmbeddedModel
from wfspec.llm.generate import generate
from wfspec.llm.provider import Provider
from wfspec.llm.retrieval import SpecIndex

#: valid tasks that do only half of "ask the billing agent about the ticket and post its answer"
ONLY_BILLING = GOOD_TASKS[: GOOD_TASKS.index("- postAnswer:")]
#: a plan answer that leaves the posting out too
ONLY_BILLING_PLAN = json.dumps({"steps": [{"do": "agent", "name": "askBilling", "target": "billing"}]})


def _clean(text: str) -> bool:
    return not [f for f in analyze(text, "x.yaml").findings if f.severity <= 2]


async def test_unfaithful_answers_give_the_plan_of_the_request_with_the_models_names(scripted):
    srv = scripted([Reply(ONLY_BILLING_PLAN)], default=Reply(json.dumps({"yaml": ONLY_BILLING})))
    p = provider_for(srv, max_rounds=2)
    ins = _comment_insertion()
    r = await generate(p, ins.request, text=DOC, insertion=ins, index=EMPTY_INDEX)
    assert r.rounds == 2 and r.requests == 3
    # each valid answer was turned down because it does not post the answer
    assert len(r.history) == 3, r.history  # two rounds, then the model's plan rendered
    assert all("does not do what the request asks" in h and '"post answer"' in h for h in r.history)
    assert r.ok and r.source == "intent", r.reason
    # the plan of the request, with the name the model chose for the step that lines up
    assert "  - askBilling:\n" in r.text and "  - postAnswer:\n" in r.text
    assert r.document == DOC[: ins.start] + r.text + DOC[ins.end :] and _clean(r.document)
    assert [c.ok for c in r.coverage] == [True, True, True]
    assert "from the plan of the request" in r.detail() and "covers 3 of 3 intent item(s)" in r.detail()
    await p.aclose()


async def test_uncovered_items_are_fed_back_in_the_next_round(scripted):
    srv = scripted(
        [
            Reply(ONLY_BILLING_PLAN),
            Reply(json.dumps({"yaml": ONLY_BILLING})),
            Reply(json.dumps({"yaml": GOOD_TASKS})),
        ]
    )
    p = provider_for(srv, max_rounds=3)
    ins = _comment_insertion()
    r = await generate(p, ins.request, text=DOC, insertion=ins, index=EMPTY_INDEX)
    assert r.ok and r.source == "model" and r.rounds == 2, r.reason
    assert "tickets/1/replies" in r.text  # the model's own second answer
    feedback = srv.requests[2].messages[-1]["content"]
    assert srv.requests[2].messages[-2] == {
        "role": "assistant",
        "content": json.dumps({"yaml": ONLY_BILLING}),
    }
    assert "it does not do what the request asks" in feedback
    assert 'the request asks for a step that does "post answer"' in feedback
    assert "billing" not in feedback.split("asks:")[1]  # only what is missing goes back
    await p.aclose()


CRM_SYNC = """\
# Load the orders and contacts that changed in the CRM, push them to the ERP and email a receipt
document:
  dsl: '1.0.3'
  namespace: crm
  name: crm-to-erp
  version: '0.1.0'
do:
  - fetchChangedContacts:
      call: http
      with:
        method: get
        endpoint: https://crm.example.com/api/contacts/changed
  - pushToErp:
      call: http
      with:
        method: post
        endpoint: https://erp.example.com/api/contacts
        body: ${ . }
"""

ORDER_REQUEST = "load the order, then email the receipt"


def _order_tasks(first: str) -> str:
    return (
        f"- {first}:\n    call: http\n    with:\n      method: get\n"
        "      endpoint: https://shop.example.com/api/load-order\n"
        "- emailReceipt:\n    call: http\n    with:\n      method: post\n"
        "      endpoint: https://mail.example.com/api/receipt\n      body: ${ . }\n"
    )


async def test_names_from_an_unrelated_example_are_rejected(scripted, tmp_path: Path):
    (tmp_path / "crm-sync.sw.yaml").write_text(CRM_SYNC)
    index = SpecIndex.build([tmp_path])
    assert len(index.specs) == 1
    copied = _order_tasks("fetchChangedContacts")  # valid, and it covers the request
    intent = planned.facts(ORDER_REQUEST, "serverless", planned.Vocabulary())
    assert all(c.ok for c in planned.check_intent(intent, copied, "serverless"))
    srv = scripted(
        [
            Reply("{}"),
            Reply(json.dumps({"yaml": copied})),
            Reply(json.dumps({"yaml": _order_tasks("loadOrder")})),
        ]
    )
    p = provider_for(srv, max_rounds=2)
    r = await generate(p, ORDER_REQUEST, index=index)
    assert "fetchChangedContacts" in srv.requests[1].text  # the example was shown (its shape)
    assert r.history == [
        'it uses names from an unrelated example ("fetchChangedContacts"); name the steps after '
        "what the request asks"
    ]
    assert "unrelated example" in srv.requests[2].messages[-1]["content"]
    assert r.ok and r.source == "model" and r.rounds == 2, r.reason
    assert "loadOrder" in r.text and "fetchChangedContacts" not in r.document
    assert "pushToErp" not in r.document and _clean(r.document)
    await p.aclose()


async def test_example_names_never_reach_the_fallback(scripted, tmp_path: Path):
    (tmp_path / "crm-sync.sw.yaml").write_text(CRM_SYNC)
    index = SpecIndex.build([tmp_path])
    srv = scripted(default=Reply(json.dumps({"yaml": _order_tasks("fetchChangedContacts")})))
    p = provider_for(srv, max_rounds=1)
    r = await generate(p, ORDER_REQUEST, index=index)
    assert r.ok and r.source == "intent", r.reason
    assert "fetchChangedContacts" not in r.document and "pushToErp" not in r.document
    assert _clean(r.document)
    await p.aclose()


class _LoopbackModel:
    """Stands in for the embedded model: "starts" at the scripted endpoint's address."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def start(self) -> str:
        return self.base_url


def _embedded_provider(srv: ScriptedServer) -> Provider:
    settings = settings_for(srv, base_url=None)
    assert settings.embedded
    return Provider(
        settings,
        embedded=cast(EmbeddedModel, _LoopbackModel(srv.base_url)),
        environ={"WFSPEC_TEST_KEY": "sk-test-key-for-scripted-0000"},
    )


async def test_the_embedded_model_names_the_steps_of_the_plan_of_the_request(scripted):
    srv = scripted([Reply(json.dumps({"names": ["askBilling", "postReply"]}))])
    p = _embedded_provider(srv)
    ins = _comment_insertion()
    r = await generate(p, ins.request, text=DOC, insertion=ins, index=EMPTY_INDEX)
    # one small request: a name per step of the plan computed from the request, nothing else
    assert r.ok and r.source == "outline" and r.requests == 1 and r.rounds == 0, r.reason
    (asked,) = srv.requests
    schema = asked.body["response_format"]["json_schema"]
    assert schema["name"] == "names"
    names = schema["schema"]["properties"]["names"]
    assert names["minItems"] == names["maxItems"] == 2
    assert "1. askBillingAgent (agent billing)" in asked.text and "2. postAnswer (http)" in asked.text
    # the plan of the request, with the model's names
    assert "  - askBilling:\n" in r.text and "  - postReply:\n" in r.text
    assert "askBillingAgent" not in r.text and _clean(r.document)
    assert all(c.ok for c in r.coverage)
    await p.aclose()


async def test_the_embedded_models_malformed_names_keep_the_plans_own(scripted):
    srv = scripted([Reply(json.dumps({"names": ["Not A Name!", "DROP TABLE"]}))])
    p = _embedded_provider(srv)
    ins = _comment_insertion()
    r = await generate(p, ins.request, text=DOC, insertion=ins, index=EMPTY_INDEX)
    assert r.ok and r.source == "intent" and r.requests == 1, r.reason
    assert "  - askBillingAgent:\n" in r.text and "  - postAnswer:\n" in r.text
    assert "DROP" not in r.text and _clean(r.document)
    await p.aclose()


def test_older_outline_answers_are_read_as_plans():
    flat = planned.parse_answer(
        {
            "steps": [
                {"name": "askBilling", "action": "call-agent", "uses": "billing"},
                {"name": "x", "action": "launch-rockets"},
            ]
        }
    )
    assert [(s.kind, s.name, s.target) for s in flat.steps] == [
        ("agent", "askBilling", "billing"),
        ("set", "x", ""),
    ]
    jobs = planned.parse_answer(
        {
            "on": ["push"],
            "jobs": [
                {
                    "id": "publish",
                    "needs": ["test"],
                    "steps": [
                        {"name": "Checkout", "uses": "actions/checkout@v4", "run": ""},
                        {"name": "Upload", "uses": "", "run": "./upload.sh"},
                        {"name": "Both", "uses": "actions/setup-node@v4", "run": "npm test"},
                    ],
                }
            ],
        }
    )
    assert [t.event for t in jobs.triggers] == ["push"]
    (job,) = jobs.jobs
    assert job.id == "publish" and job.needs == ["test"]
    assert [(s.kind, s.name, s.target) for s in job.steps] == [
        ("action", "Checkout", "actions/checkout@v4"),
        ("shell", "Upload", "./upload.sh"),
        ("action", "Both", "actions/setup-node@v4"),
        ("shell", "Both", "npm test"),
    ]
    # the plan's own JSON form is read as it is
    own = planned.parse_answer({"jobs": [{"id": "a", "steps": [{"do": "shell", "target": "make"}]}]})
    assert [(s.kind, s.target) for s in own.jobs[0].steps] == [("shell", "make")]
