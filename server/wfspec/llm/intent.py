"""Intent: what a request states, extracted in code, and a plan that covers it.

:func:`extract` reads a request ("for each new signup, send a welcome email, then ...") and
returns an :class:`Intent`: the :class:`~wfspec.llm.plan.Item` list of everything the request
states and a :class:`~wfspec.llm.plan.Plan` built from the same parse. No model is involved;
the same request always gives the same intent.

The parser is small and general:

1. **Preparation.** Comment leaders (``#``, ``//``) go; URLs, backticked commands and quoted
   strings are protected as single tokens; phrases that hold for the whole workflow are read
   and cut out first (schedules, timeouts, and for GitHub Actions triggers, matrix axes, the
   runner, inputs, the environment).
2. **Segmentation.** Sentences (``.``, ``!``, ``?``, ``;``, line breaks) are cut into chunks at
   sequence cues and chunks into pieces at ``,`` / ``and`` where a verb or a cue follows.
3. **A chunk grammar over pieces.** Each piece is a *head* that opens a block (a condition, a
   default, a for-each, a fallback), a control phrase that wraps steps (loop, retry, parallel)
   or an action. Open blocks take the following pieces until a cue closes them.

The cue lexicon (case and punctuation do not matter):

- sequence: ``then``, ``and then``, ``after that``, ``afterwards``, ``next``, ``first``,
  ``finally``, ``lastly``, ``once that's done``, ``;``, sentence ends. ``finally`` and ``after
  that`` close every open block.
- branch: ``if C, A``, ``if C then A``, ``A if/when/unless C``, ``when/whenever/in case/unless
  C`` (with a state verb in C), ``else if``, comparator continuations (``over 500 ..., under
  100 ...``), ``otherwise``/``else``/``if not``/``everything else``/``anything above that``/``in
  all other cases`` (the default; ``do nothing`` leaves it empty), ``depending on X: A for Y, B
  for Z``, routing (``route X to A and everything else to B``). A pronoun in a condition ("if
  it's down") takes the subject of the branch or the object of the step it refers to. ``when/
  once/as soon as`` without a state ("when a ticket arrives") is what starts the workflow: no
  step.
- for-each: ``for each/every/all (of) (the) X``, ``each X should ...`` at a clause start,
  ``iterate/loop over X``, ``go through each X``, ``process each X: A, B and C``; a trailing
  ``... for each X``; ``for each one`` iterates over what the step before returned. ``each`` as a
  plain determiner ("charge each customer") is not a for-each. Collective cues (``all of them``,
  ``in one call``, ``in bulk``, ``at once``) end the body.
- loop: ``keep Ving ... until C``, ``repeat (X) until C`` (X: an earlier step, or a new one),
  ``A until C``, ``until C`` (wraps the step before), ``as long as C``; ``every D`` inside such a
  clause is the loop's pace (a wait in the body), not a schedule.
- parallel: ``meanwhile``, ``in the meantime``, ``at the same time``, ``simultaneously``,
  ``concurrently``, ``in parallel``, ``all at once``, ``while ... also``; one verb over a list
  ("translate it into French and German at the same time") gives a branch per element.
- retry: ``retry (up to) N times``, ``try (it) N times``, ``N retries/attempts``, ``give up
  after N attempts``, ``twice``, ``retry the X N times``; ``with exponential/linear/constant
  backoff``, ``waiting D between attempts`` (a constant delay); ``if it fails, retry N times``
  retries the step before.
- fallback: ``if that/it fails/errors``, ``on failure``, ``in case of an error``, ``if
  anything goes wrong``, ``failing that``, ``fall back to X``; ``if the upload fails`` wraps the
  step it names; a fallback's own ``if that fails too`` nests.
- wait: ``wait/pause/sleep/delay/hold (for|up to) D``, ``after D, A``, ``D later``; ``wait for
  X`` without a duration listens for X; timeout: ``give up
  / time out / abort after D``, ``a D timeout``, ``timeout of D``, ``within D``.
- events: ``when/once/on the X event (comes in|arrives|...)``, ``wait/listen for the X event``
  (listen); ``publish/emit/fire/broadcast/send an X event`` (emit). X is a dotted name or the
  words before ``event``.
- schedules: ``every N minutes/hours/days``, ``hourly``, ``daily``, ``nightly``, ``weekly``,
  ``monthly``, ``every morning/evening/night``, ``on weekdays``, ``every Monday``, ``at 9``,
  ``at 9:30 pm``, ``at noon``, ``at midnight``. "the daily report" (after a determiner) is no
  schedule.
- names: ``the X agent``, ``agent X``, ``have/ask/tell the X agent (to) ...``; ``the X tool``,
  ``the X MCP server``; ``the X API/endpoint/webhook/service``, URLs, well-known services
  (Stripe, Slack, PagerDuty, ...); ``the X function``; secrets (``SLACK_TOKEN``, ``the X
  secret``); ``run `cmd```, ``run the X script`` (shell); ``start/trigger the X workflow``.
- GitHub Actions: ``on pushes to B``, ``on pull requests to B``, ``on tags v*``, ``when an
  issue is opened``, ``when a release is published``, ``manually (with a X input)``, schedules;
  matrices ``for Node 18, 20 and 22``, ``Python 3.11 and 3.12``, ``on Ubuntu and Windows``;
  ``deploy to production`` (environment); jobs from ``build``, ``test``, ``lint``, ``deploy``,
  ``release``, ``publish`` heads, with ``needs`` from the order.

Names the workspace defines (``names``: agents, functions, secrets, tasks, jobs, actions) win
when the request names or closely matches one ("the billing agent" ~ ``billingAgent``);
otherwise names come from the request's words. Nothing else is invented.

This module imports nothing of wfspec but :mod:`wfspec.llm.plan`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from wfspec.llm.plan import Case, Item, Job, Plan, Step, Trigger

__all__ = ["Intent", "extract"]


@dataclass
class Intent:
    """What a request states (``items``) and a plan built from it that covers every item."""

    request: str
    dialect: str
    items: list[Item] = field(default_factory=list)
    plan: Plan = field(default_factory=Plan)


# -- lexicons -------------------------------------------------------------------------------

_VERBS = frozenset(
    """accept acknowledge add aggregate alert allocate analyse analyze annotate answer append apply
    approve archive ask assign attach audit authenticate authorize backup bill block book bounce
    build bump calculate call cancel capture categorize categorise charge check checkout choose
    classify clean cleanup clear close collect combine comment commit compare compile compress
    compute confirm congratulate connect consult contact convert copy count crawl create credit
    debit decide decline decrypt dedupe deduplicate delegate delete deploy deprovision describe
    detect determine diagnose disable dispatch display download draft drop dump email embed
    enable encrypt enqueue enrich ensure escalate estimate evaluate execute export extract fetch
    file fill filter find flag follow format forward gather generate geocode get give grab greet
    hand handle identify import index inform insert inspect install invite investigate invoice
    invoke issue kick label launch lint list load locate lock log look lookup mail mark match
    measure merge message migrate moderate monitor move normalize normalise notify offboard
    onboard open order package page parse pass pay pick ping poll populate post prepare print
    probe process produce provision prune publish pull purge push put query queue quote rank
    read rebuild record refund register reject release reload remind remove rename render reopen
    reply report request rerun reserve reset resize resolve respond restart restore resubmit
    retrieve return review revoke rotate route run sanitize sanitise save scan schedule score
    scrape search seed select send set share ship show sign skip snapshot sort split start
    stop store submit summarize summarise sync tag take tell test text thank track train
    transcribe transfer transform translate triage trigger tweet unlock unsubscribe update
    upgrade upload upsert use validate verify warn watch welcome write zip emit publish fire
    broadcast raise throw wait pause sleep delay listen repeat keep retry try redo loop iterate
    fall fallback wrap tidy mint prepare reconcile refresh remember escalate approve deny
    let have make ask tell turn wake nurture hold vet echo fix patch repair refactor reword tighten
    shorten polish proofread edit settle chase nudge bundle transpile benchmark profile cache warm
    promote rollback revert rebase squash plan forecast predict recommend suggest explain cite
    negotiate enrol enroll crop transcode scale spin tear roll reboot wipe flush tally grade rate kill
    terminate suspend resume renew extend quarantine isolate redact mask hash screen interview hire
    activate deactivate ban mute unassign caption watermark encode decode boot shut typecheck""".split()
)
_VERB_ALT = "|".join(sorted(_VERBS, key=len, reverse=True))
_DETERMINERS = frozenset(
    """the a an this that these those their its his her our my your some any each every all
    them it they him me us itself themselves one""".split()
)
_PREPOSITIONS = frozenset(
    """where which who whose to for with via through using from in on at by into onto about if when until unless so
    because after before while as over under within per of against across without once whether
    and or but then""".split()
)
_SERVICES = frozenset(
    """stripe slack pagerduty twilio sendgrid mailgun jira github gitlab salesforce hubspot
    zendesk intercom shopify s3 dynamodb postgres mysql snowflake bigquery openai airtable
    notion trello asana datadog sentry opsgenie discord mailchimp quickbooks xero paypal
    braintree okta auth0 segment mixpanel elasticsearch redis kafka sqs sns teams
    statuspage""".split()
)
_NUMBERS = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50,
    "sixty": 60, "ninety": 90, "a couple of": 2, "couple of": 2, "a few": 3, "few": 3,
    "once": 1, "twice": 2, "thrice": 3,
}  # fmt: skip
_NUM = r"(?:\d+|a couple of|a few|forty-five|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|ninety|an|a)"
_UNIT = r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?)"
_DUR = rf"(?:half an? (?:hour|minute|day)|\b{_NUM}\s*-?\s*{_UNIT}\b|\b\d+\s?[smhd]\b)"
_DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
_DAY_RE = r"(?:sun|mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?)(?:day)?s?"


def _number(s: str) -> int:
    s = s.strip().lower()
    if s.isdigit():
        return int(s)
    return _NUMBERS.get(s, 0)


def _duration(phrase: str) -> str:
    """An ISO 8601 duration for a duration phrase ("an hour", "15 minutes", "2d"); "" if none."""
    low = phrase.lower()
    m = re.search(r"half an? (hour|minute|day)", low)
    if m:
        return {"hour": "PT30M", "minute": "PT30S", "day": "PT12H"}[m.group(1)]
    m = re.search(rf"\b({_NUM})\s*-?\s*({_UNIT})\b", low) or re.search(r"\b(\d+)\s?([smhd])\b", low)
    if not m:
        return ""
    n = _number(m.group(1)) or 1
    u = m.group(2)[0]
    if u == "w":
        return f"P{7 * n}D"
    if u == "d":
        return f"P{n}D"
    return f"PT{n}{ {'s': 'S', 'm': 'M', 'h': 'H'}[u] }"


def _singular(w: str) -> str:
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and re.search(r"(ches|shes|sses|xes)$", w):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not re.search(r"(ss|us|is)$", w):
        return w[:-1]
    return w


def _stem(w: str) -> str:
    """A rough stem for matching ("booking" ~ "book", "uploaded" ~ "upload")."""
    w = _singular(w)
    for suf in ("ing", "ed"):
        if len(w) > len(suf) + 2 and w.endswith(suf):
            w = w[: -len(suf)]
            break
    return w


def _split_words(name: str) -> list[str]:
    name = re.sub(r"(?<=\w)'s\b", "", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w for w in re.findall(r"[a-z0-9]+", name.lower())]


def camel(words: Sequence[str] | str, limit: int = 40) -> str:
    """camelCase of words, at most ``limit`` characters (cut at a word)."""
    ws = _split_words(words) if isinstance(words, str) else [x for w in words for x in _split_words(w)]
    out = ""
    for i, w in enumerate(ws):
        part = w if i == 0 else w[:1].upper() + w[1:]
        if len(out) + len(part) > limit:
            break
        out += part
    if out and out[0].isdigit():
        out = "step" + out[:1].upper() + out[1:]
    return out[:limit]


def kebab(words: Sequence[str] | str) -> str:
    """kebab-case of words."""
    ws = _split_words(words) if isinstance(words, str) else [x for w in words for x in _split_words(w)]
    return "-".join(ws)[:40].strip("-")


# -- workspace names ----------------------------------------------------------------------------

_GENERIC = {
    "agents": {"agent", "bot", "assistant"},
    "functions": {"function", "fn", "func"},
    "secrets": {"secret", "secrets"},
    "tasks": {"task", "step"},
    "jobs": {"job"},
    "actions": {"action"},
}


class _Names:
    """The workspace's own definitions, matched by words."""

    def __init__(self, names: Mapping[str, Sequence[str]] | None) -> None:
        self.names = {k: [str(v) for v in vs if str(v).strip()] for k, vs in (names or {}).items()}

    def words(self, kind: str, name: str) -> list[str]:
        generic = _GENERIC.get(kind, set())
        return [_singular(w) for w in _split_words(name) if w not in generic]

    def match(self, kind: str, phrase: str) -> str:
        """The workspace name of ``kind`` that ``phrase`` names or closely matches, or ""."""
        want = self.words(kind, phrase)
        if not want:
            return ""
        for name in self.names.get(kind, []):
            if name == phrase.strip() or self.words(kind, name) == want:
                return name
        best, best_score = "", 0.0
        for name in self.names.get(kind, []):
            have = self.words(kind, name)
            if not have:
                continue
            common = len(set(want) & set(have))
            score = common / max(len(set(want) | set(have)), 1)
            if score > best_score and common == len(set(want)) and score >= 0.5:
                best, best_score = name, score
        return best

    def mentioned(self, kind: str, text: str, min_words: int = 2) -> list[str]:
        """Workspace names of ``kind`` that occur in ``text``, verbatim or as their words in a row."""
        tokens = [_singular(w) for w in _split_words(text) if w not in _DETERMINERS]
        out: list[str] = []
        for name in self.names.get(kind, []):
            if re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", text):
                out.append(name)
                continue
            ws = [_singular(w) for w in _split_words(name)]
            n = len(ws)
            if n >= min_words and any(tokens[i : i + n] == ws for i in range(len(tokens) - n + 1)):
                out.append(name)
        return out


# -- preparation --------------------------------------------------------------------------------

_PH = re.compile(r"qq(\d+)qq")


class _Protect:
    def __init__(self) -> None:
        self.saved: list[str] = []

    def protect(self, text: str) -> str:
        def keep(m: re.Match[str]) -> str:
            self.saved.append(m.group(0))
            return f"qq{len(self.saved) - 1}qq"

        text = re.sub(r"https?://[^\s,;)\]]+[^\s,;)\].!?]", keep, text)
        text = re.sub(r"`[^`]+`", keep, text)
        text = re.sub(r"\"[^\"]{1,80}\"|“[^”]{1,80}”", keep, text)
        return text

    def restore(self, text: str, strip_quotes: bool = False) -> str:
        def back(m: re.Match[str]) -> str:
            i = int(m.group(1))
            s = self.saved[i] if i < len(self.saved) else ""
            return s.strip('`"“”') if strip_quotes else s

        return _PH.sub(back, text)

    def raw(self, token: str) -> str:
        m = _PH.fullmatch(token.strip())
        return self.restore(token, strip_quotes=True) if m else token


_RESPONSE = {
    "respond": "response",
    "reply": "reply",
    "answer": "answer",
    "approve": "approval",
    "sign": "signature",
    "decide": "decision",
    "confirm": "confirmation",
}


def _clean(request: str, dialect: str = "serverless") -> str:
    lines: list[str] = []
    for line in request.splitlines():
        line = re.sub(r"^\s*(?:#+|//+|--|\*+|>)\s?", "", line).strip()
        bullet = re.match(r"^(?:[-*•]|\d+[.)])\s+", line)
        if bullet:
            line = line[bullet.end() :]
            if lines and not re.search(r"[.!?;:]$", lines[-1]):
                lines[-1] += "."
        if line:
            lines.append(line)
    text = ""
    for line in lines:
        if (
            text
            and re.match(r"[A-Z]", line)
            and not re.search(r"[.!?;:,]$|\b(?:and|or|then|to|the|a|an|of|for|with)$", text, re.I)
        ):
            text += "."
        text += " " + line
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.7 * len(letters):
        text = re.sub(r"\b[A-Z][A-Z]+\b(?![_\d])", lambda m: m.group(0).lower(), text)
        text = text[:1].upper() + text[1:]
    text = text.replace("’", "'").replace("‘", "'").replace("—", ", ").replace("–", "-")
    text = re.sub(r"\s+&\s+", " and ", text)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,000 is one number
    text = re.sub(r"^(?:steps|workflow|flow|plan|todo|tasks|pipeline)\s*:\s*", "", text.strip(), flags=re.I)
    if len(re.findall(r"(?:^|\s)\d{1,2}[.)]\s", text)) >= 2:
        text = re.sub(r"(?:^|\s)\d{1,2}[.)]\s+", ". ", text).strip(" .")
    if dialect != "github":
        text = re.sub(
            r"^(?:start|begin|kick off|trigger)(?:\s+(?:it|this|the workflow|the flow))?\s+(?=(?:when|whenever|once|on|upon|as soon as)\b)",
            "",
            text,
            flags=re.I,
        )  # "start when a file.uploaded event is received": the event starts it
        text = re.sub(
            rf"\b(?:wait\s+(?:up to\s+|at most\s+|no more than\s+)?({_DUR})\s+for|give)\s+((?:the\s+|our\s+|a\s+)?[\w-]+(?:\s+[\w-]+)?)"
            rf"(?:\s+({_DUR}))?\s+to\s+(respond|reply|answer|approve|sign|decide|confirm)\b(?:\s+(?:it|this))?",
            lambda m: (
                f"wait for {m.group(2)}'s {_RESPONSE[m.group(4).lower()]} for up to {m.group(1) or m.group(3)}"
                if m.group(1) or m.group(3)
                else m.group(0)
            ),
            text,
            flags=re.I,
        )  # "give the reviewer 3 days to respond": their response, with a time limit
        text = re.sub(
            r"\bwait\s+(?:until|till)\s+(?:the\s+|an?\s+)?([a-z][\w-]*(?:\.[\w-]+)+)(?:\s+event)?\s+"
            r"(?:arrives|comes in|is received|is published|happens|shows up)\b",
            r"wait for the \1 event",
            text,
            flags=re.I,
        )  # "wait until the approval.granted event arrives": waiting for that event
        text = (
            re.sub(
                rf",?\s*(?:but\s+)?(?:no longer than|not longer than|not more than|no more than)\s+({_DUR})(?=\s*(?:,|;|$|\.))",
                r" for up to \1",
                text,
                flags=re.I,
            )
            if re.search(r"\bwait\s+for\b|\blisten\b", text, re.I)
            else text
        )
        text = re.sub(
            rf"\bwait\s+(?:up to\s+|at most\s+|no more than\s+)?({_DUR})\s+for\s+(?:a|an|the|their|his|her|your)\s+"
            r"(reply|response|answer|approval|confirmation|decision|signature)\b",
            r"wait for the \2 for up to \1",
            text,
            flags=re.I,
        )
        # "the customer's question": the possessive goes ("it's", "that's" are verbs: they stay)
        text = re.sub(
            r"\b(?!(?:it|that|what|there|here|he|she|who|where|let|how)'s\b)([A-Za-z][\w-]*)'s\b",
            r"\1",
            text,
            flags=re.I,
        )
        # "repeat until they pass, at most 5 times": the cap is no step of its own
        text = (
            re.sub(
                rf"(\buntil\b[^,;.]+?),?\s+(?:but\s+)?(?:at most|up to|no more than|a maximum of|max(?:imum)?)\s+({_NUM})\s+(?:times|attempts|tries|rounds|iterations)\b",
                r"\1",
                text,
                flags=re.I,
            )
            if not re.search(r"\b(?:retry|retrying|try|trying)\b", text, re.I)
            else text
        )
        # "the research agent gathers sources, the writer agent drafts it": have each do it
        text = re.sub(
            r"(^|[,;.]\s*(?:and\s+|then\s+)?)((?:the\s+|our\s+|an?\s+)?(?:[\w-]+\s+){0,2}(?:agent|bot|assistant))\s+([a-z]+s)\b",
            lambda m: (
                f"{m.group(1)}have {m.group(2)} {_third_person(m.group(3))}"
                if _third_person(m.group(3))
                else m.group(0)
            ),
            text,
            flags=re.I,
        )
        # "check if the amount is under 100; if so, A; if not, B": the check is the branch
        text = re.sub(
            r"\b(?:check|see|verify|determine|find out)\s+(?:if|whether)\s+([^;,.]+?)\s*[;,.]\s*(?:and\s+|then\s+)?if so\b,?\s*",
            r"if \1, ",
            text,
            flags=re.I,
        )
        text = (
            re.sub(r"([,;.]\s*)(?:and\s+|but\s+)?if not\b,?\s*(?=\w)", r"\1otherwise ", text, flags=re.I)
            if re.search(r"\bif\b", text, re.I)
            else text
        )
        # "if the API returns a 429, wait a minute and retry": a retry with that delay
        text = re.sub(
            rf"(^|[,;.]\s*(?:and\s+|then\s+)?)if\s+((?:the\s+)?[\w-]+(?:\s+[\w-]+)?|it)\s+(?:returns|responds with|gets|throws|hits)\s+(?:an?\s+|the\s+)?"
            rf"(?:429|rate[- ]limits?|rate[- ]limited|too many requests|throttl\w+)(?:\s+(?:error|response|status))?,?\s+"
            rf"(?:then\s+)?wait\s+({_DUR}|a minute|a second|an hour)\s+(?:and|then)\s+(?:retry|try again)(?:\s+it)?\b",
            lambda m: (
                f"{m.group(1)}retry it 3 times, waiting {m.group(3)} between attempts"
                if m.group(1).strip()
                else f"call {m.group(2)}, retrying 3 times, waiting {m.group(3)} between attempts"
            ),
            text,
            flags=re.I,
        )
        # "A and, at the same time, B": the parallel lead of its own clause
        text = re.sub(
            r",?\s+(?:and|while)\s*,?\s*(meanwhile|in the meantime|at the same time|simultaneously|concurrently)\s*,\s*",
            r"; \1, ",
            text,
            flags=re.I,
        )
        text = _fan_out(text)
        # "A and B at once and merge them": what follows the parallel work comes after it
        text = re.sub(
            rf"\b(in parallel|at once|at the same time|simultaneously|concurrently)\s*,?\s+and\s+(?=(?:{_VERB_ALT})\b)",
            r"\1, then ",
            text,
            flags=re.I,
        )
        # "run three checks at once (virus scan, format check, size check)", "run the checks in
        # parallel: null checks, range checks and schema checks": the verb runs each item, side by side
        text = re.sub(
            rf"\b({_VERB_ALT})\s+(?:the\s+|these\s+|those\s+|some\s+)?(?:two|three|four|five|six|\d+)?\s*[\w-]*?\s*"
            r"(in parallel|at once|at the same time|simultaneously|concurrently)\s*\(([^()]+)\)",
            lambda m: _each_listed(m.group(1), m.group(3), m.group(2)) or m.group(0),
            text,
            flags=re.I,
        )
        text = re.sub(
            rf"\b({_VERB_ALT})\b[^:;.]*?\s+(in parallel|at the same time|simultaneously|concurrently|at once)\s*:\s*([^;.:]+)",
            lambda m: _each_listed(m.group(1), m.group(3), m.group(2)) or m.group(0),
            text,
            flags=re.I,
        )
        # "A, and depending on the label, B": the cases are a sentence of their own
        text = re.sub(
            r"\s*,?\s+(?:and|then|and then)\s+(depending on|based on|according to)\b",
            r". \1",
            text,
            flags=re.I,
        )
        text = _subject_cases(_label_cases(text))
    out = []
    for sentence in re.split(r"(?<=[.!?;])\s+", text):
        if dialect != "github":
            sentence = _comparator_lead(_colon_cases(_loop_lead(sentence)))
        if len(re.findall(r"\s(?:->|→|=>)\s", sentence)) >= 2 and not re.search(
            r"depending|based on|\broute", sentence, re.I
        ):
            sentence = re.sub(r"\s(?:->|→|=>)\s", ", then ", sentence)
        out.append(sentence)
    return re.sub(r"\s+", " ", " ".join(out)).strip()


def _each_listed(verb: str, listed: str, marker: str) -> str:
    """ "run the null checks, the range checks and the schema checks in parallel" for ``verb`` "run",
    ``listed`` "null checks, range checks and schema checks" and ``marker`` "in parallel"; "" when
    ``listed`` holds fewer than two items."""
    items = [
        re.sub(r"^the\s+", "", x.strip(), flags=re.I)
        for x in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", listed)
    ]
    items = ["the " + x for x in items if x]
    if len(items) < 2:
        return ""
    return f"{verb} {', '.join(items[:-1])} and {items[-1]} {marker}"


def _loop_lead(sentence: str) -> str:
    """A loop over several steps, said before its condition ("loop: fetch a page and append it,
    until there are no more pages", "keep fetching pages and appending them until ...") becomes
    the condition first ("until ..., fetch a page and append it"), whose body is every step."""
    m = re.match(
        r"^(?:loop|repeat|repeatedly|over and over)\s*:\s*(.+?)\s*,?\s+(?:until|till)\s+([^,;.]+?)([,;.]\s*.*)?$",
        sentence.strip(),
        re.I,
    )
    if m and re.search(r"\s(?:and|then)\s|,", m.group(1)):
        return f"until {m.group(2)}, {m.group(1)}{_after_loop(m.group(3))}"
    m = re.match(
        r"^keep\s+(?:on\s+)?([a-z]+ing)\b(.+?)\s+and\s+([a-z]+ing)\b(.+?)\s+(?:until|till)\s+([^,;.]+?)([,;.]\s*.*)?$",
        sentence.strip(),
        re.I,
    )
    if m and _gerund(m.group(1)) and _gerund(m.group(3)):
        first, second = _gerund(m.group(1)) + m.group(2), _gerund(m.group(3)) + m.group(4)
        return f"until {m.group(5)}, {first} and {second}{_after_loop(m.group(6))}"
    return sentence


def _after_loop(tail: str | None) -> str:
    """What follows a loop's condition, as a sentence of its own (after the loop, not in it)."""
    rest = (tail or "").lstrip(" ,;.")
    return f". {rest[:1].upper()}{rest[1:]}" if rest else (tail or "")


# -- case constructs rewritten into the branch phrasing the chunk grammar reads -----------------------

_DEFAULT_SUBJECT = (
    r"(?:everyone|everybody|anyone|anybody|everything|anything|all)\s+else|the\s+rest(?:\s+of\s+them)?|"
    r"(?:all\s+)?(?:the\s+)?others?|all\s+other\s+[\w-]+|any\s+other\s+[\w-]+|the\s+remaining(?:\s+[\w-]+)?|"
    r"otherwise|else|default|by default"
)
_NO_HEADING = re.compile(
    r"^(?:on|upon|when|whenever|once|if|unless|for|after|before|every|each|daily|nightly|weekly|hourly|"
    r"monthly|at|depending|based|according|process(?=\s+(?:each|every|all)\b)|go through|iterate|loop|steps?|workflow|note|e\.g|i\.e|"
    r"example|meanwhile|otherwise|else|in parallel|over|under|above|below|more|less|greater|fewer|at least|"
    r"at most|exceeding|between|exactly|anything|everything|everyone|the rest)\b",
    re.I,
)
_CMP_WORD = (
    r"(?:over|under|above|below|more than|less than|greater than|fewer than|at least|at most|exceeding)"
)


def _fan_out(text: str) -> str:
    """ "fan out to the pricing, stock and tax services (at once)" -> "call the pricing service,
    the stock service and the tax service in parallel"; "ask the A, B and C agents at once"
    likewise."""

    def one(m: re.Match[str]) -> str:
        names = [n for n in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", m.group(2)) if n]
        noun = {"services": "service", "apis": "API", "agents": "agent", "endpoints": "endpoint",
                "tools": "tool"}[m.group(3).lower()]  # fmt: skip
        verb = "ask" if noun == "agent" else "call"
        parts = [f"the {n} {noun}" for n in names]
        return f"{verb} {', '.join(parts[:-1])}{',' if len(parts) > 2 else ''} and {parts[-1]} in parallel"

    return re.sub(
        r"\b(fan(?:ning)? out to|call|query|ask|hit)\s+(?:the\s+|all\s+(?:three\s+|the\s+)?)?"
        r"((?:[\w-]+\s*,\s*)*[\w-]+\s*,?\s+and\s+[\w-]+)\s+(services|apis|agents|endpoints|tools)\b"
        r"(?:\s+(?:at once|at the same time|in parallel|simultaneously|concurrently))?",
        lambda m: (
            one(m)
            if m.group(1).lower().startswith("fan")
            or re.search(r"at once|same time|parallel|simultaneous|concurrent", m.group(0), re.I)
            else m.group(0)
        ),
        text,
        flags=re.I,
    )


def _label_cases(text: str) -> str:
    """Runs of two or more "Label: action." sentences ("Urgent: page the on-call. Normal: open a
    ticket. Anything else: log it.") become one if/otherwise chain."""
    sentences = re.split(r"(?<=[.!?;])\s+", text)
    label = re.compile(
        r"^([A-Za-z][\w'-]*(?:\s+[\w$.%'-]+){0,2}|[A-Za-z][\w'-]*(?:\s+[\w'-]+)?\s+or\s+[\w'-]+(?:\s+[\w'-]+)?)"
        r"\s*:\s+(.+?)[.!?;]?$"
    )
    out: list[str] = []
    i = 0
    while i < len(sentences):
        run: list[tuple[str, str]] = []
        j = i
        while j < len(sentences):
            m = label.match(sentences[j].strip())
            if not m:
                break
            is_default = bool(run) and bool(
                re.fullmatch(
                    rf"(?:[\w'-]+(?:\s+[\w'-]+)?\s+or\s+)?(?:{_DEFAULT_SUBJECT})", m.group(1).strip(), re.I
                )
            )
            compares = bool(re.match(rf"{_CMP_WORD}\s+\$?\d", m.group(1), re.I))
            if (
                not is_default
                and not compares
                and (_NO_HEADING.match(m.group(1)) or _is_verb(_first_word(m.group(1))))
            ):
                break
            act = _first_word(_strip_lead(m.group(2)))
            if not act or act in _DETERMINERS or act.isdigit() or act in ("is", "are", "was", "no"):
                break
            run.append((m.group(1), m.group(2)))
            j += 1
            if is_default:
                break
        if len(run) < 2:
            out.append(sentences[i])
            i += 1
            continue
        parts = []
        for k, (lab, act) in enumerate(run):
            if (
                k
                and k == len(run) - 1
                and re.search(rf"(?:^|\bor\s+)(?:{_DEFAULT_SUBJECT})$", lab.strip(), re.I)
            ):
                parts.append(f"otherwise {act}")
            else:
                parts.append(f"{'If' if k == 0 else 'if'} it is {lab.lower()}, {act}")
        out.append("; ".join(parts) + ".")
        i = j
    return " ".join(out)


def _colon_cases(sentence: str) -> str:
    """ "S: a -> X, b -> Y, otherwise Z" (or "a: X, b: Y") becomes "S; if the <subject of S> is a,
    X, if ... is b, Y, otherwise Z"; a heading "goal: A, B and C" before steps is dropped."""
    m = re.match(r"^([^:]{3,80}?)\s*:\s+(.+)$", sentence.strip())
    sm = re.match(r"^(daily|nightly|weekly|hourly|monthly)\s+[\w -]+$", m.group(1)) if m else None
    if m and sm and _is_verb(_first_word(_strip_lead(m.group(2)))):
        return f"{sm.group(1)}, {m.group(2)}"  # "nightly cleanup: purge ...": the schedule stays
    if (
        not m
        or _NO_HEADING.match(m.group(1).strip())
        or re.search(r"\b(?:each|every|all)\b", m.group(1), re.I)
    ):
        return sentence
    head, rest = m.group(1).strip(), m.group(2).strip()
    end = rest[-1] if rest[-1] in ".!?;" else ""
    rest = rest.rstrip(".!?;")
    parts = [p for p in re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+or\s+else\s+|\s*;\s*", rest) if p]
    arrow = re.compile(r"^(.+?)\s*(?:->|→|=>|:)\s*(.+)$")
    cases: list[tuple[str, str]] = []
    # "route it: billing questions to the billing agent, bugs to ...": a case per destination
    clauses = re.split(r",\s*(?:and\s+)?(?:then\s+)?|\s+(?:and\s+)?then\s+", head)
    routing = re.match(
        r"^(?:route|send|forward|assign|dispatch|direct|hand|pass|triage)\b", clauses[-1].strip(), re.I
    )
    for p in parts:
        am = arrow.match(p)
        dm = re.match(rf"^(?:{_DEFAULT_SUBJECT})\b\s*(?:(?:->|→|=>|:)\s*)?(.+)$", p, re.I)
        tm = re.match(r"^(.+?)\s+(?:go(?:es)?\s+)?to\s+(.+)$", p, re.I) if routing else None
        if dm and cases:
            act = dm.group(1)
            cases.append(("", f"send it {act}" if re.match(r"to\s", act, re.I) else act))
        elif am and len(am.group(1).split()) <= 3:
            cases.append((am.group(1), am.group(2)))
        elif tm and len(tm.group(1).split()) <= 3 and not _is_verb(_first_word(tm.group(1))):
            cases.append((tm.group(1), f"send it to {tm.group(2)}"))
        elif (
            (sc := _subject_clause(p))
            and _PREDICATE_VERB.fullmatch(sc[1])
            and len(sc[0].split()) <= 3
            and not _is_verb(_first_word(sc[0]))
            and _predicate(sc[1], sc[2])
        ):
            # "check the tier: premium users get the priority agent, free users get the FAQ bot"
            cond = re.sub(
                r"(?<=\w)\s+(?:users|customers|accounts|ones|orders|tickets|requests|members)$", "", sc[0]
            )
            cases.append((cond, _predicate(sc[1], sc[2])))
        else:
            cases = []
            break
    words = head.split()
    if len(cases) >= 2 and sum(1 for c, _ in cases if c) >= 1:
        subject = head
        lead = ""
        if len(clauses) > 1 and (routing or _is_verb(_first_word(_strip_lead(clauses[-1])))):
            # "translate it, then route it: ...", "get the profile, then check the tier: ...":
            # the steps before stay
            last = clauses[-1].strip()
            lead = re.sub(r"[\s,]*(?:\b(?:and|then)\b[\s,]*)*$", "", head[: head.rfind(last)]) + "; "
            subject = " ".join(last.split()[1:])
        elif words and _is_verb(words[0]):
            lead = head + "; "
            subject = " ".join(words[1:])
        subject = re.sub(
            r"^(?:(?:up|out|at|into|over|on|for|up on)\s+)?(?:the|its|their|a|an)\s+", "", subject, flags=re.I
        )
        subject = subject[:1].lower() + subject[1:] if subject[1:2].islower() else subject
        text = []
        for cond, act in cases:
            if re.fullmatch(_DEFAULT_SUBJECT, cond.strip(), re.I) or not cond:
                text.append(f"otherwise {act}")
            elif subject.lower() in ("", "it", "them", "this", "that", "these", "those"):
                text.append(f"if it is {cond.strip().lower()}, {act}")
            else:
                text.append(f"if the {subject} is {cond.strip().lower()}, {act}")
        return lead + ", ".join(text) + end
    actions = [
        p
        for p in re.split(
            rf"\s*[,;]\s*|\s+(?:and\s+)?then\s+|\s+and\s+(?=(?:{_VERB_ALT})\b)", rest, flags=re.I
        )
        if _is_verb(_first_word(_strip_lead(p)))
    ]
    if (
        words
        and len(words) <= 8
        and _is_verb(_first_word(_strip_lead(rest)))
        and not re.search(r"(?:->|→|=>)", head)
        and (len(actions) >= 2 or end == ";" or not _is_verb(words[0]))
    ):
        # "set up a new laptop: install the agent, enrol it and email the owner"
        return rest + end
    return sentence
    return sentence


_PREDICATE_VERB = re.compile(
    r"(?:get\s+(?:routed|sent)|gets?\s+(?:routed|sent)|gets?|go(?:es)?|receives?|needs?|requires?|"
    r"(?:should|will|must|can)\s+(?:get|go|receive|need|be)|are|is)$",
    re.I,
)


def _subject_clause(clause: str) -> tuple[str, str, str] | None:
    """(subject, verb, rest) of "premium users get a call", "the rest pay the fee"; None."""
    words = clause.split()
    for generic in (False, True):
        for i in range(1, min(len(words) - 1, 7)):
            for n in (2, 1):
                verb = " ".join(words[i : i + n])
                if len(words) <= i + n:
                    continue
                if generic:
                    w = verb.lower()
                    if n == 2 or not (
                        w in _VERBS or (w.endswith("s") and (w[:-1] in _VERBS or w[:-2] in _VERBS))
                    ):
                        continue
                elif not _PREDICATE_VERB.fullmatch(verb):
                    continue
                subj = " ".join(words[:i])
                if not re.fullmatch(r"[\w$.'%-]+(?:\s+[\w$.'%-]+)*", subj):
                    return None
                return subj, verb, " ".join(words[i + n :])
    return None


_PAST = {"sent": "send", "held": "hold", "kept": "keep", "put": "put", "paid": "pay", "sold": "sell"}


def _third_person(word: str) -> str:
    """The base form of a verb's third person ("gathers" -> "gather", "replies" -> "reply",
    "pushes" -> "push"); "" for any other word."""
    w = word.lower()
    for cand in (w[:-1], w[:-2], w[:-3] + "y" if w.endswith("ies") else ""):
        if cand and cand in _VERBS:
            return cand
    return ""


def _gerund(word: str) -> str:
    """The base form of a verb's -ing form ("sending" -> "send", "charging" -> "charge",
    "shipping" -> "ship"); "" for any other word."""
    w = word.lower()
    if not w.endswith("ing") or len(w) < 5:
        return ""
    stem = w[:-3]
    for cand in (stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else ""):
        if cand and cand in _VERBS:
            return cand
    return ""


def _base_verb(word: str) -> str:
    """The base form of a past participle ("approved" -> "approve", "flagged" -> "flag"); ""."""
    w = word.lower().removeprefix("auto-")
    if w in _PAST:
        return _PAST[w]
    if w.endswith("ed"):
        for cand in (w[:-1], w[:-2], w[:-3]):
            if cand in _VERBS:
                return cand
    return ""


def _case_action(text: str) -> str:
    """The step of a case stated about its subject: "goes to X" or "to X" is "send it to X", "gets
    logged" is "log it"; "" when ``text`` is not such a predicate."""
    text = re.sub(r"^(?:just|simply|only)\s+", "", text.strip(), flags=re.I)
    m = re.match(
        r"^(?:(?:goes|go|should go|will go|must go|gets? (?:sent|routed)|(?:is|are) (?:sent|routed))\s+)?to\s+(?!be\b)(.+)$",
        text,
        re.I,
    )
    if m:
        return f"send it to {m.group(1)}"
    m = re.match(
        r"^(?:gets?|is|are|should be|will be|must be)\s+(?:just\s+|simply\s+)?(\w+)\b(.*)$", text, re.I
    )
    base = _base_verb(m.group(1)) if m else ""
    if m and base:
        return f"{base} it{m.group(2)}"
    return ""


def _predicate(verb: str, rest: str) -> str:
    """The imperative action of a subject's predicate ("go to manual review" -> "send it to manual
    review", "are approved" -> "approve it", "get the newsletter" -> "send them the newsletter")."""
    v = verb.lower().split()[-1]
    rest = rest.strip()
    if v in ("go", "goes", "routed", "sent") or (v == "get" and verb.lower().endswith(("routed", "sent"))):
        m = re.match(r"^(?:straight\s+|directly\s+)?to\s+(.+)$", rest, re.I)
        return f"send it to {m.group(1)}" if m else ""
    if v in ("are", "is", "be"):
        m = re.match(r"^(?:(?:automatically|immediately|just)\s+)?([\w-]+)\b(.*)$", rest)
        base = _base_verb(m.group(1)) if m else ""
        return f"{base} it{m.group(2)}" if m and base else ""
    if v in ("get", "gets", "receive", "receives"):
        base = _base_verb(_first_word(rest)) if v in ("get", "gets") else ""
        if base:
            return f"{base} it{rest[len(_first_word(rest)) :]}"  # "get flagged" -> "flag it"
        m = re.match(
            r"^(?:an?\s+|the\s+)?(?:[\w-]+\s+)?([\w-]+)\s+from\s+(the\s+[\w -]+?\s+(?:agent|bot|assistant))$",
            rest,
            re.I,
        )
        if m and _is_verb(m.group(1)):
            return f"ask {m.group(2)} to {m.group(1).lower()} them"
        if re.search(r"\b(?:agent|bot|assistant|team|queue|desk|channel)$", rest, re.I):
            return f"send them to {rest}"  # "premium users get the priority support agent"
        return f"send them {rest}"
    if v in ("need", "needs", "require", "requires"):
        return "" if _is_verb(_first_word(rest)) or _first_word(rest) == "to" else f"request {rest}"
    if v in _VERBS:
        return f"{v} {rest}"
    for base in (v[:-1], v[:-2]):
        if base in _VERBS:
            return f"{base} {rest}"
    return ""


def _subject_condition(subj: str, head: str) -> tuple[str, str]:
    """The condition a subject states ("premium users" -> "the user is premium", "orders over $500"
    -> "the order is over $500", "ones under $20" -> "the order is under $20") and its head noun."""
    words = re.sub(r"^(?:the|all|any)\s+", "", subj.strip(), flags=re.I).split()
    cmp = re.search(rf"\b({_CMP_WORD}\s+.+)$", " ".join(words), re.I)
    if cmp:
        before = " ".join(words).split(cmp.group(1))[0].split()
        noun = _singular(before[-1].lower()) if before else head
        if noun in ("one", "those", "that", "these") or not noun:
            noun = head
        return (f"the {noun} is {cmp.group(1)}" if noun else f"it is {cmp.group(1)}"), noun
    pm = re.match(r"^([\w-]+)\s+((?:from|with|of|in|on|for|without|by)\s+.+)$", " ".join(words), re.I)
    if pm:
        noun = _singular(pm.group(1).lower())
        verb = "comes" if pm.group(2).lower().startswith("from") else "is"
        return f"the {noun} {verb} {pm.group(2)}", noun
    noun = _singular(words[-1].lower()) if words else ""
    mods = words[:-1]
    if noun == "one" and head:
        noun = head
    if mods and noun:
        return f"the {noun} is {' '.join(mods).lower()}", noun
    return f"it is {' '.join(words).lower()}", head


def _verbless(clause: str) -> bool:
    """Whether ``clause`` lacks a verb of its own: "the rest to the shop agent", or "US orders to
    Ohio" (where "orders" is the noun)."""
    sc = _subject_clause(clause)
    return not sc or (
        not _PREDICATE_VERB.fullmatch(sc[1]) and bool(re.match(r"(?:to|into|through|via)\b", sc[2], re.I))
    )


def _gapped(clauses: list[str]) -> list[str]:
    """Clauses that leave out the verb of the clause before ("big orders go to the sales agent,
    the rest to the shop agent") get it back ("the rest go to ...")."""
    out: list[str] = []
    for c in clauses:
        # "EU orders go to Dublin and US orders to Ohio": two clauses, the second gapped
        m = re.match(r"^(.+?)\s+and\s+(\w+(?:\s+\w+){0,3}\s+(?:to|into|through|via)\s+.+)$", c, re.I)
        left = _subject_clause(m.group(1)) if m else None
        if m and left and _PREDICATE_VERB.fullmatch(left[1]) and _verbless(m.group(2)):
            out.extend([m.group(1), m.group(2)])
        else:
            out.append(c)
    for i in range(1, len(out)):
        if not _verbless(out[i]):
            continue
        prev = _subject_clause(out[i - 1])
        if (
            not prev
            or not _PREDICATE_VERB.fullmatch(prev[1])
            or _is_verb(_first_word(prev[0]))
            or _first_word(prev[0]).lower() in ("then", "and", "also", "so", "next", "finally")
        ):
            continue
        m = re.match(r"^(.+?)\s+((?:straight\s+|directly\s+)?(?:to|into|through|via)\s+.+)$", out[i], re.I)
        if not prev or not m or _is_verb(_first_word(m.group(1))) or len(m.group(1).split()) > 5:
            continue
        filled = f"{m.group(1)} {prev[1]} {m.group(2)}"
        if _subject_clause(filled):
            out[i] = filled
    return out


def _subject_cases(text: str) -> str:
    """Subject-predicate routing ("premium users get a call from the success agent; everyone else
    gets the newsletter", "orders over $500 need approval, ones under $20 are approved, the rest go
    to review") becomes an if/otherwise chain with an outcome per clause."""
    out: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        body = sentence.strip()
        end = body[-1] if body and body[-1] in ".!?" else ""
        body = body.rstrip(".!?")
        clauses = [
            c
            for c in re.split(r"\s*;\s*|\s*,\s*(?:and\s+|but\s+|while\s+)?|\s+(?:while|whereas|but)\s+", body)
            if c
        ]
        clauses = _gapped(clauses)
        start = len(clauses)
        while start > 0:
            sc = _subject_clause(clauses[start - 1])
            if (
                not sc
                or _is_verb(_first_word(sc[0]))
                or (not sc[0].split()[0].isupper() and _first_word(sc[0]))
                in (
                    *_DETERMINERS - {"all", "the"},
                    "there",
                    "if",
                    "when",
                )
            ):
                break
            start -= 1
        run = clauses[start:]
        if len(run) < 2:
            out.append(sentence)
            continue
        parts: list[str] = []
        head = ""
        n_default = n_cmp = 0
        for c in run:
            sc = _subject_clause(c)
            assert sc is not None
            subj, verb, rest = sc
            act = _predicate(verb, rest)
            if not act:
                parts = []
                break
            if re.fullmatch(_DEFAULT_SUBJECT, subj.strip(), re.I):
                n_default += 1
                parts.append(f"otherwise {act}")
                continue
            n_cmp += bool(re.search(rf"\b{_CMP_WORD}\b", subj, re.I))
            cond, head = _subject_condition(subj, head)
            parts.append(f"{'If' if not parts else 'if'} {cond}, {act}")
        if not parts or n_default > 1 or (n_default == 0 and n_cmp == 0) or n_default == len(run):
            out.append(sentence)
            continue
        lead = clauses[:start]
        if lead and re.fullmatch(
            r"(?:depending on|based on|according to)\s+[\w' -]+", lead[-1].strip(), re.I
        ):
            lead = lead[:-1]  # "based on the region, EU orders go to ...": the cases say it
        prefix = "; ".join(lead)
        out.append((prefix + "; " if prefix else "") + "; ".join(parts) + (end or "."))
    return " ".join(out)


def _comparator_lead(sentence: str) -> str:
    """A case list that opens with a bare comparison ("above 80 hand it to sales, below 20 drop
    it"), at the start or after a step ("measure it, over 300 ms page ..."), compares the result
    of the step before: "if it is above 80, hand it to sales, ..."."""
    unit = r"(?:%|k\b|ms\b|s\b|secs?\b|seconds?\b|minutes?\b|mins?\b|hours?\b|days?\b|points?\b|dollars?\b|euros?\b)"
    for m in re.finditer(
        rf"(^|,\s+)((?:and\s+)?)({_CMP_WORD})\s+(\$?\d[\d.]*\s*{unit}?)\s*,?\s+(?=[\w-]+)", sentence, re.I
    ):
        rest = sentence[m.end() :]
        before = sentence[: m.start()]
        if not _is_verb(_first_word(rest)) or re.search(r"\b(?:if|when|unless|whether)\b", before, re.I):
            return sentence
        if before and not _is_verb(_first_word(_strip_lead(before))):
            return sentence
        lead = before + ("; " if before else "")
        return f"{lead}if it is {m.group(3).lower()} {m.group(4).strip()}, {rest}"
    return sentence


def _cut(text: str, m: re.Match[str]) -> str:
    return text[: m.start()] + " " + text[m.end() :]


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.;!?])(?=\s|$)", r"\1", text)
    text = re.sub(r"([,;])(?:\s*[,;])+", r"\1", text)
    text = re.sub(r"(^|[.!?;]\s*)[,;]\s*", r"\1", text)
    return text.strip(" ,")


# -- schedules and timeouts -----------------------------------------------------------------------


def _hour(h: str, mnt: str | None, ampm: str | None) -> tuple[int, int]:
    hour, minute = int(h), int(mnt or 0)
    ap = (ampm or "").replace(".", "").lower()
    if ap == "pm" and hour < 12:
        hour += 12
    if ap == "am" and hour == 12:
        hour = 0
    return hour % 24, minute % 60


_ADJ_BEFORE = r"(?<!\bthe )(?<!\ba )(?<!\bour )(?<!\bmy )(?<!\bthis )(?<!\byour )(?<!\btheir )"


def _schedule(text: str) -> tuple[str, str, str]:
    """(cron, the text without the schedule phrase, the phrase); ("", text, "") when none."""
    low = text.lower()
    minute: str | None = None
    hour: str | None = None
    dom, dow = "*", "*"
    found = False
    spans: list[tuple[int, int]] = []

    def take(m: re.Match[str]) -> None:
        spans.append((m.start(), m.end()))

    m = re.search(rf"\bevery\s+({_NUM})\s*(minutes?|mins?|hours?|hrs?|days?)\b", low)
    if m and _number(m.group(1)) > 0:
        n, u = _number(m.group(1)), m.group(2)[0]
        found = True
        take(m)
        if u == "m":
            minute, hour = (f"*/{n}" if n > 1 else "*"), "*"
        elif u == "h":
            minute, hour = "0", (f"*/{n}" if n > 1 else "*")
        else:
            dom = f"*/{n}" if n > 1 else "*"
    for pat, fields in (
        (r"\b(?:every|each)\s+quarter(?:\s+of\s+an|-)?\s*hour\b|\bfour times an hour\b", ("*/15", "*")),
        (r"\b(?:every|each)\s+half(?:\s+an|-)?\s*hour\b|\btwice an hour\b", ("*/30", "*")),
        (r"\btwice (?:a|per|each) day\b|\btwice daily\b", ("0", "0,12")),
        (r"\b(?:three times|thrice) (?:a|per|each) day\b", ("0", "0,8,16")),
        (r"\b(?:every|each)\s+minute\b", ("*", "*")),
        (rf"{_ADJ_BEFORE}\bhourly\b|\b(?:every|each|once an?)\s+hour\b", ("0", "*")),
    ):
        m = re.search(pat, low)
        if m and not found:
            found = True
            take(m)
            minute, hour = fields
    m = re.search(
        rf"{_ADJ_BEFORE}\b(daily|nightly|weekly|monthly)\b|\b(?:every|each|once a)\s+(day|night|morning|evening|afternoon|week|month|weekday|weekend)\b|(?:\b(?:on|during)\s+|^\s*|(?<=[,;:] ))(weekdays|weekends|business days|working days)\b|\b(?:at|during the)\s+(night)\b",
        low,
    )
    if m:
        found = True
        take(m)
        word = next(g for g in m.groups() if g)
        if word in ("nightly", "night"):
            hour = hour or "2"
        elif word == "morning":
            hour = hour or "9"
        elif word == "evening":
            hour = hour or "18"
        elif word == "afternoon":
            hour = hour or "14"
        elif word in ("weekly", "week"):
            dow = "1"
        elif word in ("monthly", "month"):
            dom = "1"
        elif word in ("weekday", "weekdays", "business days", "working days"):
            dow = "1-5"
        elif word in ("weekend", "weekends"):
            dow = "0,6"
    m = re.search(r"\b(?:monday|mon)\s*(?:-|to|through|thru)\s*(?:friday|fri)\b", low)
    if m:
        found = True
        take(m)
        dow = "1-5"
    m = re.search(
        rf"\b(?:every|on|each)\s+({_DAY_RE}(?:\s*(?:,|and|&)\s*{_DAY_RE})*)\b(?:\s+(night|morning|evening|afternoon)\b)?",
        low,
    )
    if m and m.group(2) and hour is None:
        hour = {"night": "22", "morning": "9", "evening": "18", "afternoon": "14"}[m.group(2)]
    if m and dow == "*":
        days = []
        for d in re.findall(_DAY_RE, m.group(1)):
            for i, name in enumerate(_DAYS):
                if name.startswith(d.rstrip("s")[:3]):
                    days.append(i)
        if days:
            found = True
            take(m)
            dow = ",".join(str(d) for d in sorted(set(days)))
    m = re.search(r"\bon the (1st|first|15th|last)\b(?: day)? of (?:each|every|the) month\b", low)
    if m:
        found = True
        take(m)
        dom = "1" if m.group(1) in ("1st", "first") else "15" if m.group(1) == "15th" else "28"
    if not found:
        # "run the nightly report at 11pm": the adjective names the report, the time makes it a
        # schedule (the adjective stays in the text)
        am = re.search(r"\b(?:the|our|a|my|this)\s+(nightly|daily|weekly|monthly)\b", low)
        if am and re.search(r"\b(?:at|around)\s+(?:\d{1,2}(?::\d{2})?\s*(?:am|pm)?|noon|midnight)\b", low):
            found = True
            word = am.group(1)
            dow = "1" if word == "weekly" else dow
            dom = "1" if word == "monthly" else dom
    if not found:
        return "", text, ""
    m = re.search(r"\bat\s+(noon|midday|midnight)\b", low)
    if m:
        take(m)
        hour, minute = ("0" if m.group(1) == "midnight" else "12"), "0"
    else:
        m = re.search(
            r"\b(?:at|around|by)\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?:\s*o'clock)?(?:\s*(?:utc|gmt))?(?![\w:])",
            low,
        ) or re.search(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b", low)
        if m and int(m.group(1)) <= 24:
            take(m)
            h, mi = _hour(m.group(1), m.group(2), m.group(3))
            hour, minute = str(h), str(mi)
    if hour is None:
        hour = "0"
    if minute is None:
        minute = "0"
    cron = f"{minute} {hour} {dom} * {dow}"
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):  # "on the 1st of every month" holds "every month": cut it once
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    spans = merged
    phrase = " ".join(text[a:b] for a, b in spans)
    out = text
    for a, b in reversed(spans):
        out = out[:a] + " " + out[b:]
    return cron, out, phrase


_TIMEOUTS = [
    rf"\b(?:and\s+)?(?:give up|giving up|time ?out|timing out|abort|bail(?: out)?|stop waiting|cancel(?: the workflow| everything| it)?)\s+(?:after\s+|if (?:it takes|nothing (?:happens|arrives|comes)) (?:longer than |more than )?(?:for |in |within )?)({_DUR})",
    rf"\b(?:with\s+)?(?:an?\s+)?({_DUR})\s+(?:timeout|time limit|deadline)\b",
    rf"\b(?:a\s+|the\s+)?(?:timeout|time limit|deadline)\s+(?:of|is|at)\s+({_DUR})",
    rf"\b(?:must|should|has to|needs? to)\s+(?:finish|complete|be done|end)\s+within\s+({_DUR})",
    rf"\bif (?:it|this|that|the whole thing|everything) takes (?:longer|more) than ({_DUR})(?:,?\s*(?:give up|abort|cancel|fail|stop))?",
    rf"\bafter ({_DUR}),?\s*(?:give up|abort|time out)",
    # "stop if the vendor has not replied within 3 hours", "cancel it if nobody replies in 2 days"
    rf"\b(?:and\s+)?(?:give up|giving up|time ?out|abort|bail(?: out)?|stop waiting|fail|(?:cancel|kill|stop)(?: the workflow| everything| it| the job| the run| the build)?)\s+(?:if|when|unless|once)\s+(?:[\w']+\s+){{1,6}}?(?:within|in|after|by|for|past|than)\s+({_DUR})",
    # "wait for the invoice.paid event for at most a day": the wait's limit, the wait stays
    rf"\b(?:listen|wait)(?:ing)?\s+for\s+(?:[^,;.]|\.(?=\w))+?(?P<cut>\s+(?:for\s+)?(?:up\s+to|at\s+most|no\s+(?:longer|more)\s+than)\s+({_DUR}))",
]


def _timeout(text: str) -> tuple[str, str]:
    for pat in _TIMEOUTS:
        m = re.search(pat, text, re.I)
        if m and "cut" in m.groupdict():
            return _duration(m.group(2)), _tidy(text[: m.start("cut")] + text[m.end("cut") :])
        if m:
            return _duration(m.group(1)), _cut(text, m)
    return "", text


# -- clause segmentation ----------------------------------------------------------------------------

_SEQ = re.compile(
    r"\s*,?\s*\b(and then|and after that|and afterwards|after that|afterwards|after which|then|and finally|finally|lastly|"
    r"once (?:that|this|it|everything|they|all(?: of them| three| two| four)?|both(?: of them)?)(?:'s| is| are|'re| have)? (?:done|finished|finish|complete|completed|passed|pass|succeeded|succeed|green)|when (?:that|it)(?:'s| is) (?:done|finished))\b\s*,?\s*"
    r"|(?:(?<=^)|(?<=,\s))next\b,?\s*",
    re.I,
)
_HEAD = re.compile(
    r"^(?:if|when|whenever|unless|in case|should|else if|otherwise if|but if|and if|for each|for every|for all|"
    r"depending on|based on|otherwise|else|or else|in all other cases|for (?:everything|anything) else|"
    r"meanwhile|in the meantime|at the same time|simultaneously|concurrently|in parallel|on (?:failure|error)|"
    r"in case of|failing that|after\s+"
    + _DUR
    + r"|(?:over|under|above|below|more than|less than|greater than|at least|at most|between|exactly)\s)",
    re.I,
)
_LEAD = re.compile(
    r"^(?:please|also|then|and|so|just|first(?:ly)?|we (?:need|want|have) to|i want to|i'd like to|i need to|"
    r"you should|make sure (?:to|that you)|be sure to|go ahead and|let's|lets|we should|should|must|"
    r"start by|begin by|to start,?|the workflow should|it should|this workflow should|"
    r"regardless|in any case|either way|no matter what|whatever happens|in all cases,|anyway|"
    r"(?:on|upon|whenever|when)\s+(?:an?\s+|each\s+|every\s+)?(?:new\s+)?[\w-]+(?:\s+[\w-]+)?\s*:)(?:\s|$)[,:]?\s*",
    re.I,
)


def _uncontract(text: str) -> str:
    text = re.sub(
        r"\b(it|that|what|there|he|she)'s\s+(been|had|got|gotten)\b", r"\1 has \2", text, flags=re.I
    )
    text = re.sub(r"\b(it|that|what|there|he|she)'s\b", r"\1 is", text, flags=re.I)
    text = re.sub(r"\b(they|we|you)'re\b", r"\1 are", text, flags=re.I)
    return re.sub(r"\b(is|are|was|does|do|did|has|have)n't\b", r"\1 not", text, flags=re.I)


def _negate(cond: str) -> str:
    """The opposite condition, in words ("it is a refund" -> "it is not a refund")."""
    flip = {"fails": "passes", "passes": "fails", "failed": "passed", "passed": "failed", "succeeds": "fails"}
    m = re.search(r"\b(" + "|".join(flip) + r")\b", cond)
    if m and not re.search(r"\bnot\s", cond):
        return cond[: m.start()] + flip[m.group(1)] + cond[m.end() :]
    if re.search(r"\bnot\s", cond):
        return re.sub(r"\s*\bnot\s+", " ", cond, count=1).strip()
    m = re.search(r"\b(is|are|was|were|has|have|does|do|can|will)\b", cond)
    if m:
        return cond[: m.end()] + " not" + cond[m.end() :]
    return "not " + cond


def _strip_lead(text: str) -> str:
    prev = None
    text = text.strip(" ,:")
    while prev != text:
        prev = text
        text = _LEAD.sub("", text).strip(" ,:")
    return text


def _first_word(text: str) -> str:
    m = re.match(r"[\w'-]+", text.strip())
    return m.group(0).lower() if m else ""


def _is_verb(word: str) -> bool:
    w = word.lower()
    if w in _VERBS:
        return True
    if "-" in w and w.split("-")[-1] in _VERBS:
        return True
    if w.startswith("re") and w[2:] in _VERBS:
        return True
    return bool(re.fullmatch(r"[a-z]+(?:ify|ize|ise)", w))


def _distribute(piece: str) -> list[str]:
    """One verb over a list ("translate it into French and German", "run the fraud check and the
    credit check"): a clause per element; [] when the piece is no such list."""
    parts = re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", piece.strip())
    if len(parts) < 2 or any(_is_verb(_first_word(x)) for x in parts[1:]):
        return []
    first = parts[0].split()
    if len(first) < 2 or not _is_verb(first[0]):
        return []
    out = [parts[0]]
    for x in parts[1:]:
        ws = x.split()
        if not ws:
            return []
        if ws[0].lower() in _DETERMINERS:
            out.append(f"{first[0]} {x}")
        elif len(first) > len(ws):
            out.append(" ".join(first[: len(first) - len(ws)] + ws))
        else:
            return []
    return out


def _sentences(text: str, semicolons: bool = True) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+|\s*;\s*|[.!?]+$" if semicolons else r"(?<=[.!?])\s+|[.!?]+$", text)
    return [p.strip(" .!?") for p in parts if p and p.strip(" .!?,")]


def _chunks(sentence: str) -> list[tuple[str, str]]:
    """(separator, chunk): the separator before it is "", "then", "after" or "finally"."""
    s = re.sub(
        r"^((?:else if|otherwise if|if|when|whenever|in case|unless)\s+[^,]+?)\s+then\s+",
        r"\1, ",
        sentence,
        flags=re.I,
    )
    s = re.sub(r"(,\s*(?:else if|otherwise if|if)\s+[^,]+?)\s+then\s+", r"\1, ", s, flags=re.I)
    out: list[tuple[str, str]] = []
    pos, sep = 0, ""
    for m in _SEQ.finditer(s):
        chunk = s[pos : m.start()]
        if chunk.strip(" ,"):
            out.append((sep, chunk.strip(" ,")))
        cue = m.group(0).strip(" ,").lower()
        sep = (
            "finally"
            if re.search(r"finally|lastly", cue)
            else "after"
            if re.search(r"after|once|when|done", cue)
            else "then"
        )
        pos = m.end()
    if s[pos:].strip(" ,"):
        out.append((sep, s[pos:].strip(" ,")))
    return out


def _strip_run(piece: str) -> str:
    """``piece`` after a leading "run"/"execute" and what came before it in the clause."""
    tail = re.split(r",\s*|\s+and\s+", piece)[-1]
    return re.sub(r"^(?:run|execute)\s+(?:the\s+)?", "", tail.strip(), flags=re.I)


#: verbs that are hardly ever the noun of a list ("A, run B and C" starts an action)
_NEVER_NOUNS = frozenset(
    "run execute deploy upload install publish notify fetch call invoke create generate compile lint".split()
)


def _pieces(chunk: str) -> list[tuple[str, str]]:
    """(separator, piece) with separator "" or "and" (a comma or "and")."""
    out: list[tuple[str, str]] = []
    rest = chunk.strip()
    sep = ""
    while rest:
        head = _HEAD.match(rest)
        cut = None
        if head:
            c = rest.find(",")
            if c > 0:
                cut = (c, c + 1)
        if cut is None:
            for m in re.finditer(
                r",\s*(?:and\s+|or\s+)?|\s+and\s+(?:also\s+)?|\s+while also\s+|\s+or else\s+|\s+otherwise\s+|\s+else\s+",
                rest,
            ):
                nxt = rest[m.end() :]
                word = _first_word(nxt)
                left = rest[: m.start()]
                if re.search(r"\b(?:between|both)\s+\S+$", left):
                    continue
                if re.match(r"(?:waiting|pausing|sleeping|backing off)\b[^,;]*\bbetween\b", nxt, re.I):
                    continue  # "retry 3 times, waiting a minute between attempts": one piece
                if re.search(r"otherwise|else", m.group(0)):
                    cut = (m.start(), m.start() + len(m.group(0)) - len(m.group(0).lstrip()))
                    break
                if "while also" in m.group(0):
                    cut = (m.start(), m.end())
                    break
                listed = (
                    re.match(r"^[\w-]+(?:\s+[\w-]+)?(?:\s*,\s*|\s+)(?:and|or)\s+([\w-]+)", nxt)
                    if "," in m.group(0)
                    else None
                )
                if (
                    listed
                    and not _is_verb(listed.group(1))
                    and not _HEAD.match(nxt)
                    and word not in _NEVER_NOUNS
                ):
                    continue  # "the name, email and phone number": a list of things, not of actions
                if (
                    _is_verb(word)
                    or (
                        re.match(
                            r"[a-z]+\s+(?:it|them|this|that|these|those|the|an?|our|my|their|its)\b",
                            nxt,
                            re.I,
                        )
                        and word not in _DETERMINERS
                        and word not in _PREPOSITIONS
                        and not word.endswith("ly")
                        and word
                        not in ("is", "are", "was", "were", "be", "not", "all", "both", "either", "neither")
                    )
                    or _HEAD.match(nxt)
                    or re.match(r"(?:keep|repeat|retry|wait|pause|until|publish|emit)\b", nxt, re.I)
                    or (re.match(_CLI_TOOLS, nxt) and re.match(_CLI_TOOLS, _strip_run(left)))
                ):
                    if word in (
                        "test",
                        "order",
                        "report",
                        "email",
                        "text",
                        "message",
                        "page",
                        "file",
                        "list",
                    ) and re.match(
                        r"\w+\s+(?:results?|reports?|suites?|ids?|numbers?|summary|items?)\b", nxt, re.I
                    ):
                        continue
                    cut = (m.start(), m.end())
                    break
        if cut is None:
            out.append((sep, rest.strip(" ,")))
            break
        piece = rest[: cut[0]].strip(" ,")
        if piece:
            out.append((sep, piece))
        rest = rest[cut[1] :].strip(" ,")
        sep = "and"
    return [(s, p) for s, p in out if p]


# -- the parser ------------------------------------------------------------------------------------


#: a clause that does something to each of several things, the quantifier inside it
_EACH_INSIDE = re.compile(
    r"^(?P<head>\w+(?:\s+(?!(?:each|every)\b)[\w'-]+){0,4}?)\s+(?:(?P<prep>for|to|from|on|in|of|at|with|into)\s+)?"
    r"(?:each|every)\s+(?!one\b|single\b|time\b)(?P<noun>(?:[\w'-]+\s+){0,2}?[\w'-]+?)"
    r"(?P<of>\s+(?:of|in|on|from)\s+(?:the\s+|this\s+|our\s+)?[\w'-]+)?"
    r"(?P<rest>\s+(?:with|using|via|through|by|and|then|so|to)\b.*)?$",
    re.I,
)
_TIME_NOUN = (
    r"(?:\d+\s+)?(?:second|minute|hour|day|night|morning|evening|week|month|quarter|year|weekday|time|run|"
    + _DAY_RE
    + r")s?$"
)


@dataclass
class _Frame:
    kind: str  # case, foreach, catch
    step: Step
    target: list[Step]
    default: bool = False
    subject: str = ""


_COND_STATE = re.compile(
    r"\b(?:is|are|was|were|isn't|aren't|has|have|hasn't|had|equals?|exceeds?|contains?|matches|includes?|"
    r"succeeds?|passes|passed|fails?|failed|approved|rejected|says|answers|returns|mentions|looks|seems|"
    r"over|under|above|below|more than|less than|greater than|at least|at most|'s|'re|can't|cannot|doesn't|don't|"
    r"did|does|do|not|no|missing|empty|valid|invalid|high|low|urgent|negative|positive|down|up|slow)\b|[<>=]",
    re.I,
)
_FAIL = re.compile(
    r"^(?:if|when|in case|should)\s+(?:(?:that|it|this|they|all|the|every|each|[\w']+)\s+){0,3}?"
    r"(?:still\s+)?(?:fails?|failed|errors?(?: out)?|errored|throws|crashes|times? out|goes wrong|doesn't work|does not work|is unsuccessful|returns an error|breaks|bounces|is down|goes down|is unavailable|is unreachable|is offline|does not respond|doesn't respond|is not responding|isn't responding)\b"
    r"(?=\s*(?:,|$)|\s+(?:too|again|as well|then|also|use|try|switch|call|send|notify|alert|page|retry|escalate|email)\b)"
    r"|^(?:on|upon)\s+(?:failure|error|errors|timeouts?|a timeout)\b|^in case of (?:an? )?(?:error|failure|problem)s?\b|^if (?:anything|something) goes wrong\b"
    r"|^should (?:it|that|this) fail\b|^failing that\b|^if (?:not successful|unsuccessful)\b",
    re.I,
)
_ELSE = re.compile(
    r"^(?:(?:otherwise|else|or else)(?!\s+if\b)|(?:if not|if (?:it is|it's|they are|they're|that is|that's|it does|it did) not|if (?:it|they|that) (?:isn't|aren't|doesn't|didn't|don't))(?=\s*[,:]|\s*$|\s+then\b)|"
    r"in (?:all )?other cases|in any other case|for (?:everything|anything|all) else|for (?:the rest|all others|others)|"
    r"(?:and )?(?:everything|anything) else|(?:and )?(?:anything|everything) (?:above|over|higher than|more than|below|under|beyond) (?:that|this|those)|if neither|if none of (?:these|those|them|the above))\b[,:]?\s*",
    re.I,
)
#: two-word nouns whose second word is also a verb ("for each pull request, ...")
_COMPOUND_NOUNS = frozenset(
    c.strip()
    for c in """pull request|merge request|feature request|change request|support request|service request|
    purchase order|sales order|work order|health check|status check|code review|credit check|
    background check|data export|bulk import|test run|build log|price quote|time report|
    expense report|bug report|incident report|sign up|log entry|page view""".split("|")
)
_FOREACH_STOP = frozenset(
    """in from of on that which who whose where with without we you older newer than created updated
    larger bigger smaller over under above below at for by since before after whose""".split()
)
_LISTEN_RE = re.compile(
    r"\b(?:when(?:ever)?|once|after|as soon as|on|upon|wait(?:ing)? for|listen(?:ing)? for|watch(?:ing)? for|until|on receiving|on receipt of)\s+(?:an?\s+|the\s+|every\s+|each\s+)?"
    r"(?:([a-z][\w-]*(?:\.[\w-]+)+)(?:\s+event)?|((?:[\w'-]+\s+){0,3}?[\w'-]+)\s+event)\b"
    r"(?:\s+(?:comes in|arrives|is received|fires|occurs|happens|is published|is emitted|lands|shows up|gets? (?:published|emitted|received)))?",
    re.I,
)


def _adverb(w: str) -> bool:
    return len(w) > 4 and w.endswith("ly") and w not in _LY_NOUNS


_LY_NOUNS = frozenset(
    "family supply reply assembly anomaly rally ally belly jelly monopoly italy july".split()
)
_NOTHING = r"(?:just\s+)?(?:do nothing|nothing|skip(?: it)?|ignore it|continue|carry on|move on|leave it(?: alone)?|no action|stop|end|exit|nothing happens|do nothing else)\.?"
_NOT_BEFORE_VERB = frozenset("to is are be was the a an will would should can not and or".split())
_COMPARATOR = re.compile(
    r"^(?:and\s+|but\s+)?(?:if\s+|when\s+)?(?:it'?s\s+|it is\s+|they're\s+|they are\s+)?"
    r"((?:over|under|above|below|more than|less than|greater than|at least|at most|between|exactly|equal to|>=|<=|>|<)\s+\S+(?:\s+and\s+\d\S*)?)\s*(.*)$",
    re.I,
)
_PAR_LEAD = re.compile(
    r"^(?:meanwhile|in the meantime|at the same time|simultaneously|concurrently|in parallel|while (?:that|this)(?:'s| is) (?:running|happening|going on)|also at the same time)\b[,:]?\s*",
    re.I,
)
_PAR_TAIL = re.compile(
    r",?\s*(?:all\s+)?(?:in parallel|at the same time|simultaneously|concurrently|at once|in parallel with each other)\s*$",
    re.I,
)
_COLLECTIVE = re.compile(
    r"\b(?:all of them|them all|all (?:the|of the) \w+|in one (?:call|go|batch|request)|in a single|in bulk|as a batch|at once|together|once all|when all|after all|a summary|the summary|summari[sz]e)\b",
    re.I,
)
_RETRY = [
    rf"\b(?:and\s+)?(?:retry(?:ing)?|re-?try(?:ing)?|try(?:ing)?(?: it| that| this| again)?|attempt(?:ing)?(?: it)?)\s+(?:it\s+|that\s+|this\s+)?(?:up to\s+|at most\s+|a maximum of\s+|max\s+|no more than\s+)?({_NUM}|twice|thrice|once)(?:\s+(?:more\s+)?(?:times|attempts|tries))?\b",
    rf"\b(?:with|and)\s+(?:up to\s+|at most\s+)?({_NUM})\s+(?:retries|retry attempts|attempts|tries)\b",
    rf"(?<=\w)\s+(?:up to|at most|a maximum of|max(?:imum)?|no more than)\s+({_NUM}|twice|thrice)\s+(?:times|attempts|tries)\b",
    rf"\b(?:giving up|give up|stop(?:ping)?)\s+after\s+({_NUM})\s+(?:attempts|tries|retries|failures)\b",
    rf"\b({_NUM})\s+(?:retries|retry attempts)\b",
    # "make 4 attempts before failing", "allow up to 3 tries"
    rf"\b(?:(?:make|allow|give it|take|have)\s+)?(?:up to\s+|at most\s+)?({_NUM})\s+(?:attempts|tries)\s+before\s+(?:failing|giving up|erroring|it fails|an error)\b",
    rf"\b(?:make|allow|give it)\s+(?:up to\s+|at most\s+)?({_NUM})\s+(?:attempts|tries)\b",
    r"\b(?:and\s+)?(retry(?:ing)?|retries)\b(?:\s+(?:it|on failure|on errors?|if it fails))?",
]
_BACKOFF = re.compile(
    r"\b(?:with\s+|using\s+)?(?:an?\s+)?(exponential|linear|constant|fixed)?\s*back-?off\b|\bbacking off (exponentially|linearly)\b",
    re.I,
)


class _Parser:
    def __init__(self, dialect: str, names: _Names, prot: _Protect) -> None:
        self.dialect = dialect
        self.names = names
        self.prot = prot
        self.items: list[Item] = []
        self._seen: set[tuple[str, str]] = set()
        self.root: list[Step] = []
        self.frames: list[_Frame] = []
        self.taken: set[str] = set()
        self.meta: dict[int, list[str]] = {}  # branch/parallel step -> outcome phrases
        self.cond_items: dict[int, int] = {}  # control step -> index of its item
        self.last_sep = ""
        self.step_text: dict[int, str] = {}  # action step -> the phrase it came from
        self.step_item: dict[int, int] = {}  # action step -> index of its step item
        self.dropped: set[int] = set()  # items that turned out not to hold
        self.filters: list[tuple[Step, str]] = []  # a for-each and the condition of its steps
        self.map_branch: Step | None = None  # the branch "X -> Y" sentences add cases to

    # -- items and names --

    def item(
        self, kind: str, name: str = "", values: Sequence[str] = (), count: int = 0, text: str = ""
    ) -> int:
        key = (kind, name.lower())
        if (
            kind not in ("step", "branch", "parallel", "loop", "foreach", "retry", "fallback", "wait")
            and key in self._seen
        ):
            return -1
        self._seen.add(key)
        self.items.append(Item(kind, name, tuple(values), count, self.prot.restore(text).strip()))
        return len(self.items) - 1

    def fresh(self, words: str, fallback: str) -> str:
        base = camel(words) or fallback
        name, i = base, 2
        while name.lower() in self.taken:
            suffix = str(i)
            name = base[: 40 - len(suffix)] + suffix
            i += 1
        self.taken.add(name.lower())
        return name

    @property
    def target(self) -> list[Step]:
        return self.frames[-1].target if self.frames else self.root

    # -- driving --

    def parse(self, text: str) -> list[Step]:
        sentences: list[str] = []
        for whole in _sentences(text, semicolons=False):
            if re.search(r";", whole) and (
                self._routing(whole, dry=True) or self._depending(whole, dry=True)
            ):
                sentences.append(whole)
            else:
                sentences.extend(_sentences(whole))
        for si, sentence in enumerate(sentences):
            mapping = re.match(r"^(?:and\s+)?(.+?)\s*(?:->|→|=>)\s*(.+)$", sentence)
            if mapping and self._mapping(mapping.group(1), mapping.group(2), sentence):
                continue
            self.map_branch = None
            chunks = _chunks(sentence)
            if si > 0 and not self._continues(chunks):
                self.frames.clear()
            for ci, (sep, chunk) in enumerate(chunks):
                self._chunk(sep if ci > 0 else ("then" if si > 0 else ""), chunk)
        for step, only in self.filters:  # "for each one older than 7 days": its steps' condition
            for inner in step.steps:
                inner.when = inner.when or only
        return self.root

    def _mapping(self, key: str, dest: str, text: str) -> bool:
        """ "billing -> billing agent. anything else -> general agent": a case per sentence."""
        if len(key.split()) > 4 or _is_verb(_first_word(key)) and not _ELSE.match(key) or not dest.strip():
            return False
        if not (re.search(r"\b(?:agent|bot|assistant)\b", dest, re.I) or _is_verb(_first_word(dest))):
            return False
        branch = self.map_branch
        if branch is None or not self.target or self.target[-1] is not branch:
            self.frames.clear()
            branch = self._new_branch(key, text)
            self.map_branch = branch
        default = bool(
            _ELSE.match(key)
            or re.fullmatch(r"(?:default|the rest|rest|others?|everything|anything)", key.strip(), re.I)
        )
        case = Case("" if default else self.prot.restore(key).strip(), [])
        branch.cases.append(case)
        self.frames.append(_Frame("case", branch, case.steps))
        if _is_verb(_first_word(dest)):
            self._piece("and", dest)
        else:
            self._route_to("route", dest)
        self.frames.pop()
        branch.cases.sort(key=lambda c: not c.when)
        return True

    def _continues(self, chunks: list[tuple[str, str]]) -> bool:
        """Whether a new sentence goes on with the open blocks (another case of a branch, or
        more of a for-each body)."""
        if not self.frames or not chunks:
            return False
        first = _strip_lead(chunks[0][1])
        if any(f.kind == "case" for f in self.frames):
            if (
                _ELSE.match(first)
                or _COMPARATOR.match(first)
                or re.match(r"^(?:else if|otherwise if|but if|and if|if|when)\b", first, re.I)
            ):
                return True
        if any(f.kind == "foreach" for f in self.frames):
            if chunks[0][0] in ("finally", "after") or _COLLECTIVE.search(first):
                return False
            return bool(re.search(r"\b(?:it|its|each|them|they)\b", first, re.I))
        return False

    def _close_to(self, kind: str) -> _Frame | None:
        for i in range(len(self.frames) - 1, -1, -1):
            if self.frames[i].kind == kind:
                del self.frames[i + 1 :]
                return self.frames[i]
        return None

    def _chunk(self, sep: str, chunk: str) -> None:
        chunk = chunk.strip()
        if sep in ("finally", "after"):
            self.frames.clear()
        elif sep == "then":
            while self.frames and (
                self.frames[-1].kind == "catch"
                or (self.frames[-1].kind == "case" and self.frames[-1].default)
            ):
                self.frames.pop()
            if self.frames and self.frames[-1].kind == "foreach" and _COLLECTIVE.search(chunk):
                self.frames.pop()
        if self._routing(chunk) or self._depending(chunk):
            return
        body = _strip_lead(chunk)
        lead = _PAR_LEAD.match(body)
        tail = _PAR_TAIL.search(body) or re.search(r"\s+while also\s+", body)
        if lead and not body[lead.end() :].strip():
            return
        if (lead or tail) and not re.match(r"^(?:for each|for every|for all)\b", body, re.I):
            inner = body[lead.end() :] if lead else body
            if tail and not lead:
                inner = _PAR_TAIL.sub("", inner)
            elif tail:
                inner = _PAR_TAIL.sub("", inner)
            parts = _pieces(inner)
            each = re.match(
                r"^(\w+(?:\s+\w+)?)\s+(?:each|every|all(?:\s+the)?|all\s+of\s+the)\s+([\w-]+(?:\s+[\w-]+)?)$",
                _strip_lead(inner),
            )
            if len(parts) == 1 and each and _is_verb(_first_word(each.group(1))):
                # "summarize each document in parallel": a for-each over the documents
                noun = each.group(2)
                self._foreach(
                    noun, chunk, body=f"{each.group(1)} the {_singular(noun.split()[-1])}", keep_open=False
                )
                return
            last_spread = _distribute(parts[-1][1]) if len(parts) > 1 and tail and not lead else None
            if last_spread and not re.search(r"\ball\s+(?:at once|at the same time|in parallel)", body, re.I):
                # "summarize the notes, translate it into Spanish and French at the same time": the
                # steps before come first, the list of the last one is what runs side by side
                for s_, p_ in parts[:-1]:
                    self._piece(s_, p_)
                parts = [("" if i == 0 else "and", x) for i, x in enumerate(last_spread)]
            elif len(parts) == 1 and not (lead and self.target):
                spread = _distribute(parts[0][1])
                if spread:
                    parts = [("" if i == 0 else "and", x) for i, x in enumerate(spread)]
            if lead and len(parts) < 2 and self.target:
                # "meanwhile, B": B alongside the step before
                prev = self.target.pop()
                before = len(self.target)
                self._run(parts)
                new = self.target[before:]
                del self.target[before:]
                self._parallel([[prev], new], [self._phrase(prev), inner], chunk)
                return
            branches: list[list[Step]] = []
            phrases: list[str] = []
            for s, p in parts:
                before = len(self.target)
                self._piece(s, p)
                new = self.target[before:]
                del self.target[before:]
                if new:
                    branches.append(new)
                    phrases.append(self.prot.restore(p))
            if len(branches) >= 2:
                self._parallel(branches, phrases, chunk)
            else:
                for b in branches:
                    self.target.extend(b)
            return
        self._run(_pieces(chunk))

    def _run(self, parts: list[tuple[str, str]]) -> None:
        for s, p in parts:
            self._piece(s, p)

    def _parallel(self, branches: list[list[Step]], phrases: list[str], text: str) -> None:
        step = Step("parallel", name=self.fresh("in parallel", "parallel"), branches=branches)
        self.target.append(step)
        self.item("parallel", "", tuple(phrases), len(branches), text)

    def _phrase(self, step: Step) -> str:
        return " ".join(_split_words(step.name))

    # -- pieces --

    def _piece(self, sep: str, piece: str) -> None:
        text = _strip_lead(piece)
        if not text:
            return
        # "escalate to a human by emitting a support.escalated event": the means is the step
        bm = re.match(
            r"^(?:[\w'-]+\s+){1,6}?by\s+(emitting|publishing|firing|raising|broadcasting|sending)\s+(.+)$",
            text,
            re.I,
        )
        if bm and re.search(r"\bevent\b|qq\d+qq", bm.group(2)):
            base = {"firing": "fire", "raising": "raise", "emitting": "emit"}.get(
                bm.group(1).lower(), bm.group(1).lower()[:-3]
            )
            text = f"{base} {bm.group(2)}"
        # an else: the default case of the open branch
        m = _ELSE.match(text)
        if m and self.frames and self.frames[-1].kind == "catch":
            self.frames.pop()  # "if it fails, X; otherwise Y": Y comes after the try
            text = text[m.end() :].strip(" ,")
            if not text:
                return
            m = None
        if m and not _FAIL.match(text):
            frame = self._close_to("case")
            branch = (
                frame.step
                if frame
                else (self.target[-1] if self.target and self.target[-1].kind == "branch" else None)
            )
            if branch is not None:
                if frame is not None:
                    self.frames.pop()
                case = next((c for c in branch.cases if not c.when and not c.steps), None)
                if case is None:
                    case = Case("", [])
                    branch.cases.append(case)
                self.frames.append(_Frame("case", branch, case.steps, default=True))
                rest = text[m.end() :].strip(" ,")
                rest = re.sub(r"^(?:goes|go|gets sent|is sent|should go)\s+to\b", "send to", rest, flags=re.I)
                if rest and not re.fullmatch(_NOTHING, rest, re.I):
                    self._outcome(branch, rest)
                    self._piece("and", rest)
                return
            text = text[m.end() :].strip(" ,") or text
        # a fallback
        m = _FAIL.match(text)
        if m and self._flat_target_has_step() and self._fails_prior(m.group(0)):
            rest = re.sub(r",?\s*\b(?:instead|too|as well|also)\b", "", text[m.end() :]).strip(" ,")
            if (
                rest
                and any(re.match(pat, rest, re.I) for pat in _RETRY[:1])
                and not re.search(r"\b(?:then|and)\b", rest)
            ):
                self._actions(rest)  # "if it fails, retry twice": a retry of the step before
                return
            self._fallback(rest, text, m.group(0))
            return
        text = re.sub(r",?\s*\binstead\b", "", text).strip(" ,") or text
        m = re.search(
            r"\b(?:and\s+)?(?:fall(?:ing)? ?back to|fail(?:ing)? over to|or else use|with a fallback to)\s+(.+)$",
            text,
            re.I,
        )
        if m:
            head = text[: m.start()].strip(" ,")
            if head:
                self._piece(sep, head)
            if self._flat_target_has_step():
                self._fallback("use " + m.group(1), text)
                return
            text = "use " + m.group(1)
        # a condition head
        m = re.match(
            r"^(?:else if|otherwise if|but if|and if|if|whenever|when|once|as soon as|in case|unless|should|only if)\s+(.+)$",
            text,
            re.I,
        )
        if m:
            if self._condition(text, m.group(1)):
                return
        m = _COMPARATOR.match(text)
        if m and self._open_branch() is not None:
            frame = self._open_branch()
            assert frame is not None
            cond = f"{frame.subject} is {m.group(1)}".strip() if frame.subject else m.group(1)
            self._case(frame.step, cond, frame.subject, m.group(2).strip(" ,"))
            return
        # for-each
        m = re.match(
            r"^(?:for|on)\s+(?:each|every|all)(?:\s+(?:one\s+)?of)?(?:\s+(?:the|these|those|our|my|its|their))?\s+(.+)$",
            text,
            re.I,
        ) or re.match(
            r"^(?:iterate|loop|go|run)\s+(?:over|through)\s+(?:each\s+(?:of\s+)?)?(?:the\s+|all\s+(?:the\s+)?)?(.+)$",
            text,
            re.I,
        )
        if m:
            self._foreach(m.group(1), text)
            return
        m = re.match(
            r"^(?:process|handle|go through|work through)\s+(?:each|every|all)(?:\s+(?:one\s+)?of)?(?:\s+(?:the|these|those|our|my))?\s+(.+?)\s*:\s*(.+)$",
            text,
            re.I,
        )
        if m:
            self._foreach(m.group(1), text, body=m.group(2))
            return
        m = re.match(r"^each\s+(.+?)\s+(?:should|must|will|needs? to|has to|gets?|is to)\s+(.+)$", text, re.I)
        if m:
            self._foreach(m.group(1), text, body=m.group(2))
            return
        m = re.match(
            r"^(.+?)\s+(?:for|to)\s+(?:each|every|all)(?:\s+of)?(?:\s+(?:the|these|those|our|my))?\s+([\w' -]+)$",
            text,
            re.I,
        )
        if m and _is_verb(_first_word(m.group(1))):
            self._foreach(m.group(2), text, body=m.group(1), keep_open=False)
            return
        m = _EACH_INSIDE.match(text)
        if (
            m
            and _is_verb(_first_word(text))
            and not re.match(_TIME_NOUN, m.group("noun"), re.I)
            and not any(
                w.lower() in _DETERMINERS for w in m.group("noun").split()
            )  # give each agent a summary
            and not (  # "ask every reviewer to sign off": the people asked, not things to go through
                _first_word(text).lower() in ("ask", "tell", "have", "let", "get", "remind", "invite", "make")
                and re.match(r"\s+to\b", m.group("rest") or "")
            )
            and self.dialect != "github"
        ):
            # "resize every image in the bucket with the thumbnail API", "tag each new invoice
            # using the billing agent": a for-each over the things, doing the clause to one
            noun = (m.group("noun") + (m.group("of") or "")).strip()
            *mods, last = m.group("noun").split()
            one = " ".join([*mods, _singular(last)])
            body = f"{m.group('head')} {m.group('prep') or ''} the {one}{m.group('rest') or ''}"
            self._foreach(noun, text, body=re.sub(r"\s+", " ", body).strip(), keep_open=False)
            return
        if self._again(text):
            return
        # "either A or B depending on X"
        m = re.match(
            r"^(?:either\s+)?(.+?)\s+or\s+(.+?)\s+(?:depending on|based on|according to)\s+(?:the\s+|its\s+|their\s+)?(.+)$",
            text,
            re.I,
        )
        if m and _is_verb(_first_word(m.group(1))) and _is_verb(_first_word(m.group(2))):
            subject = m.group(3).strip()
            branch = self._new_branch(subject, text)
            for option in (m.group(1), m.group(2)):
                verb, obj = self._verb_object(option)
                case = Case(f"the {subject} is {' '.join([verb, *obj])}", [])
                branch.cases.append(case)
                self.frames.append(_Frame("case", branch, case.steps))
                self._piece("and", option)
                self.frames.pop()
            return
        # loops
        if self._loop(text):
            return
        # meanwhile inside a chunk
        m = _PAR_LEAD.match(text)
        if m and self.target and text[m.end() :].strip():
            prev = self.target.pop()
            before = len(self.target)
            self._piece("and", text[m.end() :])
            new = self.target[before:]
            del self.target[before:]
            self._parallel([[prev], new], [self._phrase(prev), text[m.end() :]], text)
            return
        # a trailing condition: "escalate to a human if the sentiment is negative"
        m = re.match(r"^(.+?)\s+(if|only if|in case|whenever|when|unless)\s+(.+)$", text)
        if (
            m
            and m.group(2) == "if"
            and re.fullmatch(
                r"(?:check|see|verify|determine|find out|confirm|test|figure out|decide|ask(?:\s+\w+){0,2}|look)",
                m.group(1).strip(),
                re.I,
            )
        ):
            self._actions(f"{m.group(1)} whether {m.group(3)}")  # "check if X": whether, not a decision
            return
        if (
            m
            and _is_verb(_first_word(m.group(1)))
            and (
                _COND_STATE.search(m.group(3))
                # "unless the user already replied", "if the customer churned": a subject and a verb
                or (
                    m.group(2) in ("if", "only if", "unless")
                    and re.fullmatch(
                        r"(?:the\s+|a\s+|an\s+|its\s+|their\s+)?(?:[\w-]+\s+){0,2}(?:already\s+|still\s+|just\s+)?[a-z]{3,}(?:ed|es|s)\b.*",
                        m.group(3),
                        re.I,
                    )
                )
            )
            and (
                not self._listen_phrase(m.group(3))
                # "unless the user already replied": a state to test, not an event to wait for
                or (
                    m.group(2) in ("if", "only if", "unless")
                    and not re.search(r"\bevent\b", m.group(3), re.I)
                )
            )
        ):
            if (
                _FAIL.match("if " + m.group(3))
                and self._flat_target_has_step()
                and self._fails_prior("if " + m.group(3))
                and m.group(2) != "unless"
            ):
                self._fallback(m.group(1), text)
                return
            cond = _uncontract(m.group(3).strip())
            _, own = self._verb_object(re.sub(r"\s+(?:to|for|with)\s+.*$", "", m.group(1)))
            people = ("someone", "somebody", "me", "us", "everyone", "team", "customer", "user", "them",
                      "agent", "bot", "channel", "on-call", "manager", "owner", "admin", "engineer")  # fmt: skip
            obj = [
                w for w in own if w not in people and w.lower() not in ("up", "down", "out", "off", "back")
            ]
            if not obj or (re.match(r"^it\b", cond, re.I) and re.search(r"[^su]s$", obj[-1]) and self.target):
                # "scale up the workers if it's above 1000": "it" is no plural; the step before
                prior_label = next(
                    (self.step_text[id(x)] for x in reversed(self.target) if id(x) in self.step_text), ""
                )
                obj = [w for w in prior_label.split()[1:] if w not in people]
            if obj and re.match(r"^(?:it|they)\b", cond, re.I):
                cond = re.sub(r"^(?:it|they)\b", "the " + " ".join(obj[:2]), cond, flags=re.I)
            if m.group(2) == "unless":
                cond = _negate(cond)
            branch = self._new_branch(cond, text)
            self._case(branch, cond, self._subject(cond), m.group(1))
            return
        self._actions(text)

    def _again(self, text: str) -> bool:
        """ "if the answer is not valid, ask again": a loop back to that step, until the answer
        is valid (instead of a branch)."""
        m = re.match(
            r"^(?:(\w+)(?:\s+[\w']+){0,3}?\s+again|retry(?: it)?|try again|repeat(?: it| that| this)?|start over|go back(?: to .+)?)$",
            text.strip(" ."),
            re.I,
        )
        if not m or not self.frames or self.frames[-1].kind != "case":
            return False
        frame = self.frames[-1]
        branch = frame.step
        if frame.default or frame.target or len(branch.cases) != 1:
            return False
        parent = self.frames[-2].target if len(self.frames) > 1 else self.root
        idx = next((i for i, st in enumerate(parent) if st is branch), -1)
        if idx <= 0:
            return False
        verb = (m.group(1) or "").lower()
        start = -1
        for i in range(idx - 1, -1, -1):
            label = self.step_text.get(id(parent[i]), " ".join(_split_words(parent[i].name)))
            if not verb or (label and _stem(label.split()[0]) == _stem(verb)):
                start = i
                break
        if start < 0:
            return False
        body = parent[start:idx]
        loop = Step(
            "loop",
            name=self.fresh("repeat " + self._phrase(body[0]), "repeat"),
            steps=body,
            until=_negate(branch.cases[0].when),
        )
        parent[start : idx + 1] = [loop]
        self.frames.pop()
        gone = self.cond_items.pop(id(branch), -1)
        if gone >= 0:
            self.dropped.add(gone)
        self.item("loop", loop.until, (), 0, text)
        return True

    def _flat_target_has_step(self) -> bool:
        return bool(self.target)

    def _fails_prior(self, head: str) -> bool:
        """Whether a failure head is about the step before. "if it is down" and "if Twilio is
        down" (after a step through Twilio) are; "if the site is down" after pinging the status
        page is a condition to test, not a failure to catch; so is a check that fails ("if
        validation fails": the outcome of validating)."""
        if re.search(
            r"\b(?:validation|verification|check|checks|review|approval|screening|scan|audit|inspection|vetting)\s+"
            r"(?:fails?|failed|doesn't pass|does not pass|is rejected)\b",
            head,
            re.I,
        ):
            return False
        m = re.search(
            r"\b(?:is|goes|does|doesn't|isn't)\s+(?:down|unavailable|unreachable|offline|not respond\w*|respond\w*)\b",
            head,
            re.I,
        )
        if not m:
            return True
        prior = self.target[-1]
        if re.match(
            r"(?:check|ping|probe|poll|monitor|test|verify|see|look|watch|inspect)(?![a-z])",
            prior.name[:1].lower() + prior.name[1:],
        ):
            return False  # the step before looks at it: its state is a condition
        subject = re.sub(r"^\w+\s+", "", head[: m.start()].strip()).lower()
        subject = re.sub(r"^(?:the|that|this)\s+", "", subject)
        if subject in ("", "it", "that", "this", "they", "service", "the service"):
            return True
        known = " ".join([prior.name, prior.target, str(prior.args)]).lower()
        return all(w in known for w in re.findall(r"[a-z0-9]+", subject))

    def _open_branch(self) -> _Frame | None:
        for f in reversed(self.frames):
            if f.kind == "case":
                return f
        return None

    def _subject(self, cond: str) -> str:
        m = re.match(
            r"^(.+?)\s+(?:is|are|'s|was|exceeds|equals|>|<|over|under|above|below|more than|less than|greater than|at least|at most)\b",
            cond.strip(),
            re.I,
        )
        if (
            not m
            or len(m.group(1).split()) > 4
            or re.fullmatch(r"(?:it|they|that|this|he|she)", m.group(1).strip(), re.I)
        ):
            return ""
        return m.group(1).strip()

    def _new_branch(self, cond: str, text: str) -> Step:
        cwords = [
            w
            for w in _split_words(self.prot.restore(cond))
            if w not in _DETERMINERS and w not in ("is", "are")
        ]
        step = Step("branch", name=self.fresh("check " + " ".join(cwords)[:30], "decide"))
        self.target.append(step)
        self.meta[id(step)] = []
        self.cond_items[id(step)] = self.item("branch", self.prot.restore(cond).strip(), (), 0, text)
        return step

    def _outcome(self, branch: Step, phrase: str) -> None:
        self.meta.setdefault(id(branch), []).append(self.prot.restore(phrase).strip())

    def _case(self, branch: Step, cond: str, subject: str, rest: str) -> None:
        if re.fullmatch(_NOTHING, rest.strip(), re.I):
            rest = ""
        case = Case(self.prot.restore(cond).strip(), [])
        default_at = next((i for i, c in enumerate(branch.cases) if not c.when), None)
        if default_at is None:
            branch.cases.append(case)
        else:
            branch.cases.insert(default_at, case)
        while self.frames and self.frames[-1].step is not branch:
            open_ = self._open_branch()
            if open_ is None or open_.step is not branch:
                break
            self.frames.pop()
        if self.frames and self.frames[-1].kind == "case" and self.frames[-1].step is branch:
            self.frames.pop()
        self.frames.append(_Frame("case", branch, case.steps, subject=subject))
        if rest:
            self._outcome(branch, rest)
            self._piece("and", rest)

    def _condition(self, text: str, cond: str) -> bool:
        cond = _uncontract(cond)
        low = cond.lower()
        # events: "when the order.created event comes in"
        if self._listen(text):
            return True
        if re.match(
            r"^(?:done|finished|complete|completed|ready|that's done|it's done|all is done|all are done|everything is done|they are all done|all (?:have |of them have )?finished|all of them are done)\b",
            low,
        ):
            self.frames.clear()  # "when all are done, merge them": after the loop
            return True
        if re.match(r"^(?:once|as soon as)\b", text, re.I) and not re.search(
            r"\b(?:is|are|has|have)\b", cond, re.I
        ):
            return not _is_verb(_first_word(cond))  # "once the payment clears": a moment, not a decision
        if not _COND_STATE.search(cond) and not text.lower().startswith(
            ("if", "unless", "else if", "otherwise if", "in case", "only if", "but if", "and if")
        ):
            # "when a ticket arrives": what starts the workflow, not a decision
            return bool(re.match(r"^(?:when|whenever|once|as soon as)\b", text, re.I)) and not _is_verb(
                _first_word(cond)
            )
        action = ""
        ws = cond.split()
        for i in range(2, len(ws)):
            w = ws[i].lower().strip(",")
            if _is_verb(w) and ws[i - 1].lower() not in _NOT_BEFORE_VERB:
                if _COND_STATE.search(" ".join(ws[:i])) or (
                    # "if it bounces retry the mail": a third-person verb ends the condition
                    re.fullmatch(r"[a-z]{3,}(?:s|ed)", ws[i - 1].lower())
                    and not ws[i - 1].lower().endswith("ss")
                ):
                    cond, action = " ".join(ws[:i]), " ".join(ws[i:])
                break
        if text.lower().startswith("unless"):
            cond = "not " + cond
        frame = self._open_branch()
        if frame is not None and frame.subject:
            subject = frame.subject
            cond = re.sub(
                r"^(?:it|they|that)\b\s*",
                lambda m: subject + " ",
                cond,
                flags=re.I,
            )
            cond = cond.replace("  ", " ").strip()
        cont = re.match(r"^(?:else if|otherwise if|but if|and if)\b", text, re.I)
        same_piece_group = (
            frame is not None and (cont or self.frames[-1].kind == "case") and not frame.default
        )
        if same_piece_group and frame is not None:
            self._case(frame.step, cond, frame.subject or self._subject(cond), action)
            return True
        branch = self._new_branch(cond, text)
        self._case(branch, cond, self._subject(cond), action)
        return True

    def _fallback(self, rest: str, text: str, head: str = "") -> None:
        at = len(self.target) - 1
        want = {_stem(w) for w in _split_words(head) if w not in _DETERMINERS} - {
            "if", "when", "fail", "fails", "failed", "error", "errors", "out", "that", "it", "this", "case", "should",
            "all", "attempt", "try", "retry", "retrie", "call", "step", "request",
        }  # fmt: skip
        if want:
            for i in range(len(self.target) - 1, -1, -1):
                s = self.target[i]
                names = s.steps[0].name if s.kind == "try" and s.steps else s.name
                have = {_stem(w) for w in _split_words(names)}
                if want & have:
                    at = i
                    break
        last = self.target[at]
        if last.kind != "try":
            self.target[at] = Step(
                "try", name=self.fresh("try " + self._phrase(last), "attempt"), steps=[last]
            )
            last = self.target[at]
        phrase = self.prot.restore(rest).strip()
        idx = self.item("fallback", "", (phrase,) if phrase else (), 0, text)
        self.cond_items.setdefault(id(last), idx)
        self.frames.append(_Frame("catch", last, last.catch))
        if rest:
            self._piece("and", rest)

    def _foreach(self, phrase: str, text: str, body: str = "", keep_open: bool = True) -> None:
        phrase = phrase.strip(" ,")
        if not body:
            m = re.match(r"^(.+?),\s*(.+)$", phrase)
            if m:
                phrase, body = m.group(1), m.group(2)
            else:
                ws = phrase.split()
                for i in range(1, len(ws) - 1):  # a last word is the noun ("pull request comment")
                    if (
                        _is_verb(ws[i])
                        and ws[i - 1].lower() not in ("to", "the", "a")
                        and f"{ws[i - 1]} {ws[i]}".lower() not in _COMPOUND_NOUNS
                    ):
                        phrase, body = " ".join(ws[:i]), " ".join(ws[i:])
                        break
        m = re.match(r"^(.+?)\s*:\s*(.+)$", phrase)
        if m and not body:
            phrase, body = m.group(1), m.group(2)
        phrase = re.sub(r"^(?:the|these|those|our|my|its|their)\s+", "", phrase.strip(), flags=re.I)
        phrase = re.sub(
            r"\s+(?:in|from|on|of)\s+(?:the|this|that|our|my|its|their)\s+.*$", lambda m: m.group(0), phrase
        )
        # "for each one older than 7 days, ...": a filter, the condition of the body's steps
        fm = re.match(
            r"^(.+?)\s+((?:older|newer|younger|bigger|larger|smaller|greater|longer|shorter|more|less|fewer)\s+than|"
            r"over|under|above|below)\s+(\S.*)$",
            phrase,
            re.I,
        )
        only = ""
        if fm and len(fm.group(1).split()) <= 3:
            phrase, only = fm.group(1), f"{fm.group(2)} {fm.group(3)}"
        ws = [
            w
            for w in re.findall(r"[\w'-]+", self.prot.restore(phrase, True).lower())
            if w not in _DETERMINERS
        ]
        head_words = ws
        for i, w in enumerate(ws):
            if w in _FOREACH_STOP:
                head_words = ws[:i]
                break
        if not head_words or head_words in (["item"], ["items"], ["entry"], ["element"]):
            prev = next(
                (self.step_text.get(id(x), "") for x in reversed(self.target) if id(x) in self.step_text), ""
            )
            plural_words = [w for w in prev.split() if w.endswith("s") and len(w) > 3 and _singular(w) != w]
            if plural_words:
                head_words = [plural_words[-1]]
        noun = head_words[-1] if head_words else "item"
        each = _singular(noun)
        plural = (
            head_words[:-1] + [noun if noun != each else (each + "s" if not each.endswith("s") else each)]
            if head_words
            else ["items"]
        )
        step = Step(
            "foreach",
            name=self.fresh(f"for each {each}", "forEach"),
            each=camel(each) or "item",
            of=" ".join(plural),
        )
        self.target.append(step)
        self.item("foreach", " ".join(head_words) or phrase, (), 0, text)
        self.frames.append(_Frame("foreach", step, step.steps))
        if body:
            self._run(_pieces(body))
        if only:
            self.filters.append((step, f"the {each} is {self.prot.restore(only)}"))
        if not keep_open:
            self.frames.pop()

    def _loop(self, text: str) -> bool:
        m = re.search(r"\b(?:until|till|unless and until)\b\s*(.*)$", text, re.I)
        as_long = re.search(r"^(?:as long as|while)\s+(.+?)(?:,\s*(.+))?$", text, re.I)
        if as_long and _COND_STATE.search(as_long.group(1)) and not re.search(r"\balso\b", text, re.I):
            until = _negate(_uncontract(as_long.group(1)))
            if as_long.group(2):
                self._loop_with(as_long.group(2), until, text)
            else:
                self._open_loop(until, text)  # "while C, A ...": the pieces that follow are the body
            return True
        if not m:
            return False
        until = _uncontract(re.sub(r"[,\s]+(?:but|and|or|then)\s*$", "", m.group(1).strip(" ,")))
        head = text[: m.start()].strip(" ,")
        if not until:
            return False
        cap = re.search(
            rf",?\s*(?:up to|at most|a maximum of|max(?:imum)?)\s+({_NUM}|twice|thrice)\s+(?:times|attempts|tries)\b",
            until,
            re.I,
        )
        if cap and re.match(r"^(?:retry|re-?try|try)\b", head, re.I):
            # "retry the payment until it succeeds, up to 5 times": a retry
            n = _number(cap.group(1)) if cap else 0
            self._actions(f"{head} {n or 3} times")
            return True
        if not head:
            if not self.target:
                self._open_loop(until, text)  # "until the queue is empty, process the next message"
                return True
        hm = re.match(r"^(?:keep|continue|go on|carry on)\s+(?:on\s+)?(\w+?)ing\b\s*(.*)$", head, re.I)
        if hm:
            verb = hm.group(1)
            if verb not in _VERBS and verb + "e" in _VERBS:
                verb += "e"
            elif len(verb) > 2 and verb[-1] == verb[-2] and verb[:-1] in _VERBS:
                verb = verb[:-1]
            head = f"{verb} {hm.group(2)}".strip()
            if verb in ("retry", "try", "attempt", "reattempt"):
                # "keep retrying the upload until it works": the upload, again and again
                noun = re.sub(r"^(?:the|a|an|this|that|to)\s+", "", hm.group(2).strip(), flags=re.I)
                word = _first_word(noun)
                head = noun if _is_verb(word) else (f"do {noun}" if noun else "")
        rm = re.match(
            r"^(?:repeat|redo|loop|iterate|do (?:it|this|that|them) (?:again|over)|try again|keep (?:going|trying|at it)|go again)\b\s*(.*)$",
            head,
            re.I,
        )
        if not head or rm:
            obj = (rm.group(1) if rm else "").strip(" ,")
            obj = re.sub(r"\b(?:again|over and over|over)\b", "", obj).strip()
            if not obj or re.fullmatch(
                r"(?:it|this|that|them|these|those|these steps|the (?:above|previous|last) steps?|the steps|steps|the process|everything|all of (?:this|that)|the whole thing)",
                obj,
                re.I,
            ):
                if self.target:
                    last = self.target.pop()
                    self._wrap_loop([last], until, text)
                    return True
                obj = ""
            if obj:
                want = {_singular(w) for w in _split_words(obj) if w not in _DETERMINERS}
                for i in range(len(self.target) - 1, -1, -1):
                    have = {_singular(w) for w in _split_words(self.target[i].name)}
                    if want & have:
                        body = self.target[i:]
                        del self.target[i:]
                        self._wrap_loop(body, until, text)
                        return True
                noun = re.sub(r"^(?:the|a|an|this|that)\s+", "", obj, flags=re.I)
                head = (
                    noun
                    if _is_verb(_first_word(noun))
                    else (_singular(_first_word(noun)) + " " + " ".join(noun.split()[1:])).strip()
                    if _is_verb(_singular(_first_word(noun)))
                    else "do " + noun
                )
            else:
                return False
        self._loop_with(head, until, text)
        return True

    def _open_loop(self, until: str, text: str) -> None:
        step = Step(
            "loop",
            name=self.fresh("repeat until " + " ".join(_split_words(until))[:24], "repeat"),
            until=self.prot.restore(until).strip(),
        )
        self.target.append(step)
        self.frames.append(_Frame("loop", step, step.steps))
        self.item("loop", step.until, (), 0, text)

    def _loop_with(self, head: str, until: str, text: str) -> None:
        step = Step("loop", name="", until=self.prot.restore(until).strip())
        self.target.append(step)
        self.frames.append(_Frame("loop", step, step.steps))
        every = re.search(rf"\b(?:every|each)\s+({_DUR}|second|minute|hour|day)\b", head, re.I)
        if every:
            head = _tidy(_cut(head, every))
        self._piece("and", head)
        if every:
            iso = _duration(
                every.group(1) if re.match(r"\d|an?\b|\w+\s", every.group(1)) else "1 " + every.group(1)
            )
            self.target.append(Step("wait", name=self.fresh("wait " + every.group(1), "wait"), target=iso))
            self.item("wait", iso, (), 0, every.group(0))
        self.frames.pop()
        if not step.steps:
            step.steps.append(Step("wait", name=self.fresh("wait", "wait"), target="PT1M"))
        step.name = self.fresh("repeat " + self._phrase(step.steps[0]), "repeat")
        self.item("loop", step.until, (), 0, text)

    def _wrap_loop(self, body: list[Step], until: str, text: str) -> None:
        step = Step(
            "loop",
            name=self.fresh("repeat " + self._phrase(body[0]), "repeat"),
            steps=body,
            until=self.prot.restore(until).strip(),
        )
        self.target.append(step)
        self.item("loop", step.until, (), 0, text)

    def _routing(self, chunk: str, dry: bool = False) -> bool:
        text = _strip_lead(chunk)
        if re.match(r"(?:depending on|based on|according to)\b", text, re.I):
            return False  # "depending on X: A goes to Y, ...": the cases of X (_depending)
        m = re.match(
            r"^(route|send|forward|assign|dispatch|direct|hand|pass|escalate|give|delegate)\s+(.+?)\s+to\s+(.+)$",
            text,
            re.I,
        )
        if not m:
            m2 = re.match(
                r"^(.+?)\s+(?:go(?:es)?|get(?:s)? (?:sent|routed)|are (?:sent|routed|handled)|should go)\s+to\s+(.+)$",
                text,
                re.I,
            )
            if not m2 or re.search(r"[,;]", m2.group(1)):
                return False  # a subject is a noun phrase, not the clauses before it
            verb, first, rest = "route", m2.group(1), m2.group(2)
        else:
            verb, first, rest = m.group(1).lower(), m.group(2), m.group(3)
        parts = re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*;\s*", rest)
        if any(re.match(r"(?:if|when|unless|until|once|then)\b", p_.strip(), re.I) for p_ in parts):
            return False  # "hand it to the FAQ agent, and if it is unsure, escalate": no routing
        pairs: list[tuple[str, str]] = []
        cur_cond = first
        dest = parts[0]
        for p in parts[1:]:
            pm = re.match(r"^(.+?)\s+(?:go(?:es)?\s+|should go\s+|get(?:s)? sent\s+)?to\s+(.+)$", p, re.I)
            if pm and pm.group(1).strip().lower() in _VERBS:
                return False  # "... and escalate to a human": a step, not a case
            if pm:
                pairs.append((cur_cond, dest))
                cur_cond, dest = pm.group(1), pm.group(2)
            else:
                dest = f"{dest} and {p}"
        pairs.append((cur_cond, dest))
        if len(pairs) < 2:
            return False
        if re.fullmatch(
            r"(?:it|them|this|that|the (?:ticket|request|message|issue|case))", first.strip(), re.I
        ):
            return False
        if dry:
            return True
        branch = self._new_branch(first, chunk)
        for cond, dest in pairs:
            is_default = bool(
                re.match(
                    r"^(?:everything|anything|all)\s+else\b|^the rest\b|^(?:all\s+)?others?\b|^all other\b|^other ones\b|^the others\b|^the remaining\b|^remaining\b|^anything\b|^everything\b",
                    cond.strip(),
                    re.I,
                )
            )
            case = Case("" if is_default else self.prot.restore(cond).strip(), [])
            branch.cases.append(case)
            self.frames.append(_Frame("case", branch, case.steps))
            self._route_to(verb, dest)
            self.frames.pop()
            self._outcome(branch, f"{verb} to {self.prot.restore(dest).strip()}")
        branch.cases.sort(key=lambda c: not c.when)
        idx = self.cond_items.get(id(branch), -1)
        if idx >= 0:
            conds = [c.when for c in branch.cases if c.when]
            it = self.items[idx]
            self.items[idx] = Item("branch", "; ".join(conds), it.values, it.count, it.text)
        return True

    def _route_to(self, verb: str, dest: str) -> None:
        if re.search(r"\b(?:agent|bot|assistant)\b", dest, re.I) or self.names.match("agents", dest):
            self._actions(f"ask {dest}")
        else:
            self._actions(f"{verb} to {dest}")

    def _depending(self, chunk: str, dry: bool = False) -> bool:
        text = _strip_lead(chunk)
        m = re.match(
            r"^(?:depending on|based on|according to)\s+(?:the\s+|its\s+|their\s+)?([\w' -]+?)\s*[,:]\s*(.+)$",
            text,
            re.I,
        )
        if not m:
            return False
        subject, rest = m.group(1), m.group(2)
        # "depending on the label, forward sales leads to X, support requests to Y": the verb
        # heads the first case only
        rest = re.sub(
            r"^(?:route|send|forward|assign|dispatch|direct|hand|pass|give|delegate)\s+(?=\S+(?:\s+\S+)?\s+to\s)",
            "",
            rest,
            flags=re.I,
        )
        parts = (
            [p for p in re.split(r"\s*;\s*(?:and\s+|or\s+)?", rest) if p.strip()]
            if ";" in rest
            else [
                p
                for p in re.split(
                    r"\s*[,;]\s*(?:and\s+|or\s+)?|\s+and\s+(?=\w+\s+(?:for|if|when|on)\b|(?:for|if|when|on|otherwise|else)\b)",
                    rest,
                )
                if p.strip()
            ]
        )
        cases: list[tuple[str, str]] = []
        for p in parts:
            p = p.strip()
            em = _ELSE.match(p)
            if em:
                cases.append(("", _case_action(p[em.end() :]) or p[em.end() :]))
                continue
            pm = re.match(
                r"^(?:for|if|when|on)\s+(?:an?\s+|the\s+)?(.+?)(?:\s+ones?)?\s*(?::|,|->|→)\s*(.+)$", p, re.I
            ) or re.match(r"^(\S+(?:\s+\S+)?)\s*(?::|->|→|=>)\s*(.+)$", p)
            if pm:
                cases.append((pm.group(1), pm.group(2)))
                continue
            # "critical goes to PagerDuty", "high to the on-call channel", "low ones get logged"
            said = [
                (w[:n], _case_action(" ".join(w[n:])))
                for w in [p.split()]
                for n in (1, 2)
                if len(w) > n and not _is_verb(w[0].lower())
            ]
            said = [(w, act) for w, act in said if act]
            if said:
                cond = re.sub(r"\s+ones?$", "", " ".join(said[0][0]), flags=re.I)
                cases.append((cond, said[0][1]))
                continue
            pm = re.match(
                r"^(.+?)\s+(?:for|if (?:it's|it is)?|when (?:it's|it is)?|on)\s+(?:an?\s+|the\s+)?([\w-]+(?:\s+[\w-]+)?)(?:\s+(?:ones?|priority|severity|cases?|tickets?|issues?))?$",
                p,
                re.I,
            )
            if pm:
                cases.append((pm.group(2), pm.group(1)))
        if len(cases) < 2:
            return False
        if dry:
            return True
        branch = self._new_branch(subject, chunk)
        for cond, action in cases:
            case = Case(f"{subject} is {self.prot.restore(cond).strip()}" if cond else "", [])
            branch.cases.append(case)
            self.frames.append(_Frame("case", branch, case.steps))
            self._piece("and", action)
            self.frames.pop()
            self._outcome(branch, action)
        branch.cases.sort(key=lambda c: not c.when)
        return True

    def _listen_phrase(self, text: str) -> bool:
        return bool(re.search(r"[a-z][\w-]*(?:\.[a-z][\w-]+)+|\bevent\b", text, re.I))

    def _listen(self, text: str) -> bool:
        m = _LISTEN_RE.search(text)
        if not m:
            return False
        event = m.group(1) or ".".join(w for w in _split_words(m.group(2)) if w not in _DETERMINERS)
        if not event:
            return False
        before, after = text[: m.start()].strip(" ,"), text[m.end() :].strip(" ,")
        if before and _is_verb(_first_word(before)):
            # "charge the card when the order.created event comes in"
            self._listen_step(event, text)
            self._piece("and", before)
        else:
            self._listen_step(event, text)
        if after:
            self._piece("and", after)
        return True

    def _listen_step(self, event: str, text: str) -> None:
        self.target.append(
            Step("listen", name=self.fresh("wait for " + event.replace(".", " "), "listen"), target=event)
        )
        self.item("listen", event, (), 0, text)

    # -- actions --

    def _actions(self, text: str) -> None:
        text = _strip_lead(text)
        if not text:
            return
        rm = None
        count = 0
        delay = ""
        dm2 = re.search(
            rf",?\s*\b(?:waiting|pausing|sleeping|with)\s+({_DUR})\s+between\s+(?:attempts|retries|tries|each (?:attempt|try|retry))",
            text,
            re.I,
        )
        if dm2:
            delay = _duration(dm2.group(1))
            text = _tidy(_cut(text, dm2))
        nm = re.match(
            rf"^(?:retry|re-?try|try|attempt)\s+((?:the|a|an|our|this)\s+.+?|[a-z]+ing\s+.+?)\s+(?:up to\s+|at most\s+)?({_NUM}|twice|thrice)(?:\s+(?:times|attempts|tries))?$",
            text,
            re.I,
        )
        gerund = _gerund(nm.group(1).split()[0]) if nm else ""
        if nm and (gerund or nm.group(1).split()[0].lower() in ("the", "a", "an", "our", "this")):
            n = _number(nm.group(2))
            before = len(self.target)
            # "retry sending the webhook 4 times": the step is sending it
            self._action(" ".join([gerund, *nm.group(1).split()[1:]]) if gerund else "retry " + nm.group(1))
            body = self.target[before:]
            del self.target[before:]
            t = Step(
                "try", name=self.fresh("try " + self._phrase(body[0]), "attempt"), steps=body, retry=n or 3
            )
            if delay:
                t.backoff, t.args["delay"] = "constant", delay
            self.target.append(t)
            self.item("retry", "", (), n, text)
            return
        for pi, pat in enumerate(_RETRY):
            rm = re.search(pat, text, re.I)
            if (
                rm
                and pi == 2
                and not re.search(
                    r"\b(?:try|retry|attempt)|until it (?:succeeds|works|goes through)", text, re.I
                )
                and not _BACKOFF.search(text)
            ):
                rm = None
            if rm:
                count = (
                    _number(rm.group(1))
                    if rm.groups() and rm.group(1) and not rm.group(1).lower().startswith("retr")
                    else 0
                )
                break
        bm = _BACKOFF.search(text)
        backoff = ""
        if bm:
            backoff = (bm.group(1) or bm.group(2) or "exponential").lower()
            backoff = {"fixed": "constant", "exponentially": "exponential", "linearly": "linear"}.get(
                backoff, backoff
            )
            text = _tidy(_cut(text, bm))
        if rm or bm:
            full = text
            if rm:
                text = _tidy(_cut(text, rm))
            text = re.sub(r"^(?:try|attempt)\s+to\s+", "", text, flags=re.I)
            text = re.sub(
                r"\b(?:if it fails|on failure|on errors?|each time|with)\s*$", "", text, flags=re.I
            ).strip(" ,")
            before = len(self.target)
            if text and not re.fullmatch(r"(?:it|that|this|them|again)", text, re.I):
                self._actions(text)
            body = self.target[before:]
            del self.target[before:]
            if not body and not self.target and self.frames and self.frames[-1].kind == "catch":
                # "if it fails, retry twice": the retry belongs to the step that failed
                frame = self.frames.pop()
                idx = self.cond_items.pop(id(frame.step), -1)
                if idx >= 0:
                    self.dropped.add(idx)
                frame.step.retry = count or 3
                frame.step.backoff = backoff or frame.step.backoff
                self.item("retry", "", (), count, full)
                return
            if not body and self.target:
                body = [self.target.pop()]
            if not body:
                return
            if len(body) == 1 and body[0].kind == "try":
                t = body[0]
            else:
                t = Step("try", name=self.fresh("try " + self._phrase(body[0]), "attempt"), steps=body)
            t.retry = count or t.retry or 3
            t.backoff = backoff or t.backoff or ("constant" if delay else "")
            if delay:
                t.args["delay"] = delay
            self.target.append(t)
            self.item("retry", "", (), count, full)
            return
        dm = re.match(
            rf"^(?:waiting|wait|with|pausing|sleeping)\s+({_DUR})\s+between\s+(?:attempts|retries|tries|each (?:attempt|try|retry))$",
            text,
            re.I,
        )
        if dm and self.target and self.target[-1].kind == "try":
            self.target[-1].backoff = self.target[-1].backoff or "constant"
            self.target[-1].args["delay"] = _duration(dm.group(1))
            return
        if re.match(
            r"^try\s+(?:the|a|an|our)\s+(?:[\w-]+\s+){0,3}(?:endpoint|api|service|server|provider|model|gateway|mirror|url|host|backend)\b",
            text,
            re.I,
        ):
            text = "call" + text[3:]  # "try the primary endpoint": call it (a fallback may follow)
        tm = re.match(r"^(?:try|attempt)\s+(?:to\s+)?(\w+?)(ing)?\b(.*)$", text, re.I)
        if tm and not re.match(r"^(?:try|attempt)\s+(?:it|again|that|this)\b", text, re.I):
            v = tm.group(1)
            if tm.group(2) and v not in _VERBS and v + "e" in _VERBS:
                v += "e"
            if _is_verb(v):
                text = v + tm.group(3)
        # waits
        m = (
            re.match(
                rf"^(?:wait|pause|sleep|hold(?: off)?|delay|hang on|idle)(?:\s+(?:for|about|around|roughly|another|an extra|at least|a further|up to|at most|no more than))*\s+({_DUR})(?:\s+for\s+(?:an?\s+|the\s+|their\s+|his\s+|her\s+)?(?:reply|replies|response|answer|confirmation|approval|them|it|him|her|that))?(?:\s+(?:before|and then|then|and)\s+(.+))?(.*)$",
                text,
                re.I,
            )
            or re.match(
                rf"^(?:after|in)\s+(?:a\s+delay\s+of\s+)?({_DUR})(?:\s+later)?,?\s*()(.*)$", text, re.I
            )
            or re.match(rf"^({_DUR})\s+later,?\s*()(.*)$", text, re.I)
        )
        if m:
            iso = _duration(m.group(1))
            self.target.append(
                Step(
                    "wait", name=self.fresh("wait " + " ".join(_split_words(m.group(1))), "wait"), target=iso
                )
            )
            self.item("wait", iso, (), 0, text)
            rest = (m.group(2) or "") + " " + (m.group(3) or "")
            rest = re.sub(r"^\s*(?:before|and|then)\s+", "", rest.strip(" ,"))
            if rest:
                rest = re.sub(
                    r"^(\w+?)ing\b",
                    lambda x: (
                        x.group(1)
                        if x.group(1) in _VERBS
                        else (x.group(1) + "e" if x.group(1) + "e" in _VERBS else x.group(0))
                    ),
                    rest,
                )
                self._actions(rest)
            return
        if self._listen(text):
            return
        wm = re.match(
            r"^(?:wait|waiting|hold)\s+(?:for|on|until)\s+(?:the\s+|an?\s+|her\s+|his\s+|their\s+|its\s+|our\s+)?([\w'-]+(?:\s+[\w'-]+)?)(?:\s+(?:from|by|of|to)\b.*)?$",
            text,
            re.I,
        )
        if wm and not re.search(_DUR, text, re.I):
            # "wait for approval from the manager": the workflow listens for it
            event = ".".join(w for w in _split_words(wm.group(1)) if w not in _DETERMINERS) or "event"
            self._listen_step(event, text)
            return
        # emits
        m = re.search(
            r"\b(publish|emit|fire|broadcast|raise|produce|dispatch|send|post|push|announce|trigger)(?:es|s|ed|ing)?\s+(?:an?\s+|the\s+)?(?:([a-z][\w-]*(?:\.[\w-]+)+)(?:\s+event)?|((?:[\w'-]+\s+){0,3}?[\w'-]+)\s+event)\b",
            text,
            re.I,
        )
        if m:
            emitted = m.group(2) or ".".join(w for w in _split_words(m.group(3)) if w not in _DETERMINERS)
            if emitted:
                event = emitted
                lead_text = text[: m.start()].strip(" ,")
                if lead_text and _is_verb(_first_word(lead_text)):
                    self._action(lead_text)
                self.target.append(
                    Step(
                        "emit",
                        name=self.fresh(f"{m.group(1).lower()} " + event.replace(".", " "), "emit"),
                        target=event,
                    )
                )
                self.item("emit", event, (), 0, text)
                return
        self._action(text)

    def _agent(self, text: str) -> tuple[str, str, str]:
        """(agent name, the action for it, the phrase) from a clause, or ("", text, "")."""
        pats = [
            r"\b(?:have|let|get|make|tell|ask|use|consult|query|ping|call|invoke)\s+(?:the\s+|our\s+|an?\s+)?((?:[\w-]+\s+){0,2}?[\w-]+)\s+(?:agent|bot|assistant)\b(?:\s+to)?\s*(.*)$",
            r"^(?:the\s+|our\s+|an?\s+)?((?:[\w-]+\s+){0,2}?[\w-]+)\s+(?:agent|bot|assistant)\s+(?:should\s+|will\s+|must\s+|can\s+|then\s+)?(\w+.*)$",
            r"\b(?:to|with|via|through|using|by|from)\s+(?:the\s+|our\s+|an?\s+)?((?:[\w-]+\s+){0,2}?[\w-]+)\s+(?:agent|bot|assistant)\b()",
            r"\b(?:agent|bot)\s+(?:named\s+|called\s+)?(?!(?:should|will|must|can|to|that|which|and|then|is|for|with|of|in|on|about|if)\b)([A-Za-z][\w-]*|qq\d+qq)()",
        ]
        for i, pat in enumerate(pats):
            m = re.search(pat, text, re.I)
            if not m:
                continue
            words = [w for w in self.prot.restore(m.group(1), True).split() if w.lower() not in _DETERMINERS]
            if not words or (
                i == 1 and _is_verb(words[0]) and not re.match(r"(?:the|our|an?)\s", text, re.I)
            ):
                continue
            if i == 0:
                words = [w for w in words if not _is_verb(w) or len(words) == 1]
            phrase = " ".join(words)
            name = (
                self.names.match("agents", phrase + " agent")
                or self.names.match("agents", phrase)
                or (phrase if i == 3 else phrase.lower())
            )
            if not name:
                continue
            if i in (0, 1):
                inner = m.group(2).strip(" ,")
                if (
                    i == 0
                    and re.search(r"\bto\s*$", text[: m.start(2)])
                    and inner
                    and not _is_verb(_first_word(inner))
                ):
                    inner = "__verb__ " + inner  # "ask X agent to break ...": what follows "to" is a verb
                return name, inner, m.group(0)
            rest = (text[: m.start()] + " " + text[m.end() :]).strip()
            return name, rest, m.group(0)
        for name in self.names.mentioned("agents", text, min_words=1):
            if re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", text):
                return name, text.replace(name, "").strip(), name
        return "", text, ""

    def _action(self, text: str) -> None:
        text = _strip_lead(text)
        if not text or re.fullmatch(r"[\W_]*", text):
            return
        raw = self.prot.restore(text)
        step = Step("http")
        args: dict[str, object] = {}
        secrets = self._secrets(text)
        if secrets:
            # "using the SLACK_TOKEN secret" says how, not what: not part of the step's name
            text = (
                _tidy(
                    re.sub(
                        r"\b(?:with|using|via|by)\s+(?:the\s+|our\s+|a\s+)?(?:secrets\.)?(?:[A-Z][A-Z0-9_]{2,}|(?:[\w-]+\s+){0,2}[\w-]+\s+secret)(?:\s+secret)?\b",
                        " ",
                        text,
                    )
                )
                or text
            )
        # "request the finance agent's approval": the approval, from the finance agent
        text = re.sub(
            r"\b(?:the|our|an?)\s+((?:[\w-]+\s+){0,2}?[\w-]+\s+(?:agent|bot|assistant))'s\s+([\w-]+)",
            lambda m: f"the {m.group(2)} from the {m.group(1)}",
            text,
            flags=re.I,
        )
        agent, inner, _ = self._agent(text)
        said_verb = inner.startswith("__verb__ ")
        inner = inner.removeprefix("__verb__ ")
        tool = self._tool(text)
        url = next(
            (self.prot.raw(t) for t in re.findall(r"qq\d+qq", text) if self.prot.raw(t).startswith("http")),
            "",
        )
        api = self._api(text)
        function = self._function(text)
        use = re.match(
            r"^(?:use|using)\s+(?:the\s+|an?\s+|our\s+)?(.+?)\s+(?:to|for)\s+(\w.+)$",
            inner if agent and inner else text,
            re.I,
        )
        if use and re.search(
            r"\b(?:tool|server|mcp|agent|bot|api|service|function|endpoint)\b", use.group(1), re.I
        ):
            verb, obj = self._verb_object(use.group(2))
        else:
            verb, obj = self._verb_object(inner if agent and inner else text)
        if agent:
            step.kind, step.target = "agent", agent
            self.item("agent", agent, (), 0, raw)
            purpose = self._purpose(inner or text, verb)
            if purpose is not None:
                verb, obj = purpose
            elif (
                not inner
                or not (_is_verb(verb) or said_verb)
                or (
                    verb in self._HANDOFF
                    # "forward the invoice to the finance agent" says what goes; "hand it to ..." does not
                    and (verb == "ask" or not [w for w in obj if w.lower() not in _DETERMINERS])
                )
            ):
                agent_words = " ".join(_split_words(agent)) if agent != agent.lower() else agent
                v, _ = self._verb_object(text)
                v = v if _is_verb(v) else "ask"
                label = f"{v} {agent_words}" + ("" if agent_words.endswith("agent") else " agent")
                verb, obj = v, label.split()[1:]
            args["message"] = raw
        elif tool:
            step.kind, step.target = "mcp", tool
            self.item("tool", tool.split("/")[-1], (), 0, raw)
        elif function:
            step.kind, step.target = "function", function
            self.item("function", function, (), 0, raw)
        elif re.match(
            r"^(?:start|trigger|kick off|launch|invoke|run|call)\s+(?:the\s+|a\s+|our\s+)?((?:[\w-]+\s+){0,3}?[\w-]+)\s+(?:sub-?workflow|workflow|flow)\b",
            text,
            re.I,
        ):
            wm = re.match(
                r"^(?:start|trigger|kick off|launch|invoke|run|call)\s+(?:the\s+|a\s+|our\s+)?((?:[\w-]+\s+){0,3}?[\w-]+)\s+(?:sub-?workflow|workflow|flow)\b",
                text,
                re.I,
            )
            assert wm is not None
            step.kind, step.target = "workflow", kebab(self.prot.restore(wm.group(1), True))
            verb, obj = _first_word(text), _split_words(wm.group(1)) + ["workflow"]
        elif re.match(r"^(?:run|execute|exec)\s+", text, re.I) and (
            re.search(r"qq\d+qq|[\w./-]+\.(?:sh|py|js|ts|rb|ps1)\b|\b(?:script|command)\b", text, re.I)
        ):
            step.kind = "shell"
            cm = re.search(r"qq\d+qq", text)
            sm = re.search(r"[\w./-]+\.(?:sh|py|js|ts|rb|ps1)\b", text)
            nm = re.search(
                r"^(?:run|execute|exec)\s+(?:the\s+|a\s+|our\s+)?((?:[\w-]+\s+){0,2}?[\w-]+)\s+(?:script|command)\b",
                text,
                re.I,
            )
            if cm and not self.prot.raw(cm.group(0)).startswith("http"):
                step.target = self.prot.raw(cm.group(0))
            elif sm:
                step.target = sm.group(0) if "/" in sm.group(0) else "./" + sm.group(0)
            elif nm:
                step.target = f"./{kebab(nm.group(1))}.sh"
        elif re.match(
            r"^(?:set|mark|flag)\s+(?:the\s+)?([\w.-]+(?:\s+[\w-]+)?)\s+(?:to|as)\s+(.+)$", text, re.I
        ):
            sm2 = re.match(
                r"^(?:set|mark|flag)\s+(?:the\s+)?([\w.-]+(?:\s+[\w-]+)?)\s+(?:to|as)\s+(.+)$", text, re.I
            )
            assert sm2 is not None
            step.kind = "set"
            value = self.prot.restore(sm2.group(2), True).strip()
            key = sm2.group(1)
            if key.lower() in _DETERMINERS:
                args["status"] = value
                verb, obj = _first_word(text), _split_words(value)[:2]
            else:
                args[camel(key) or "value"] = value
                verb, obj = "set", [*_split_words(key)[:2], *_split_words(value)[:2]]
        elif re.match(
            r"^(?:raise|throw)\s+(?:an?\s+)?(.*?)\s*(?:error|exception)\b|^fail (?:the workflow|with)\b",
            text,
            re.I,
        ):
            step.kind = "raise"
            em = re.match(r"^(?:raise|throw)\s+(?:an?\s+)?(.*?)\s*(?:error|exception)\b(.*)$", text, re.I)
            step.target = self.prot.restore(em.group(1) + " error" if em else text, True).strip()
        else:
            step.kind = "http"
            step.target = url
            if api:
                args["api"] = api
            mm = re.search(r"\b(GET|POST|PUT|PATCH|DELETE)\b", text) or re.match(
                r"^(get|post|put|patch|delete)\b", text, re.I
            )
            if mm:
                args["method"] = mm.group(1).upper()
        if not agent and verb in (*self._HANDOFF, "query", "ping", "poll", "consult", "call", "hit"):
            # "query the pricing API for the current rate": named after what it is asked for
            am = re.match(
                r"^\w+\s+(?:the\s+|our\s+|an?\s+)?(?:[\w.-]+\s+){0,3}?(?:api|service|endpoint|tool|server|webhook)\s+(.+)$",
                text,
                re.I,
            )
            purpose = self._purpose(am.group(1), verb) if am else None
            if purpose is not None:
                verb, obj = purpose
        if url:
            self.item("api", url, (), 0, raw)
        elif api and step.kind == "http":
            self.item("api", api, (), 0, raw)
        if secrets:
            args["secrets"] = secrets
        words = [verb, *obj] if verb else obj
        label = " ".join(w for w in words if w).strip() or (step.kind + " " + step.target).strip()
        step.name = self.fresh(label, step.kind)
        step.args = args
        self.target.append(step)
        self.step_text[id(step)] = label.lower()
        self.step_item[id(step)] = self.item("step", label.lower(), (), 0, raw)

    #: verbs that only hand work over: the step is named after what the agent is asked to do
    _HANDOFF = frozenset(
        "ask hand pass send forward route escalate delegate give transfer assign refer".split()
    )

    def _purpose(self, text: str, verb: str) -> tuple[str, list[str]] | None:
        """What an agent is asked to do when the clause says it as a purpose: "ask X for Y"
        (get Y), "pass the draft to X to tighten Y" (tighten Y); None when the clause's own verb
        says it."""
        asking = verb in ("", "for", "ask", "query", "ping", "poll", "consult", "call", "hit")
        if _is_verb(verb) and verb not in self._HANDOFF and not asking:
            return None
        m = re.match(r"^for\s+(?!(?:it|this|that|them|help)\b)(\w.*)$", text.strip(), re.I)
        if m and asking:
            _, obj = self._verb_object("get " + m.group(1))
            return ("get", obj) if obj else None
        m = re.search(r"\b(?:to|so\s+(?:that\s+)?it\s+(?:can\s+)?)\s*(\w+)\b(.*)$", text, re.I)
        w = m.group(1).lower() if m else ""
        if m and w not in self._HANDOFF and w not in _DETERMINERS and w not in _PREPOSITIONS:
            v, obj = self._verb_object(m.group(1) + m.group(2))
            return (v, obj) if obj else None
        return None

    def _verb_object(self, text: str) -> tuple[str, list[str]]:
        tokens = re.findall(r"qq\d+qq|[\w'-]+", text)
        if not tokens:
            return "", []
        i = 0
        while i < len(tokens) and tokens[i].lower() in ("please", "also", "then", "and", "just", "to"):
            i += 1
        verb = tokens[i].lower() if i < len(tokens) else ""
        if verb.endswith("ing") and verb[:-3] in _VERBS:
            verb = verb[:-3]
        elif verb.endswith("ing") and verb[:-3] + "e" in _VERBS:
            verb = verb[:-3] + "e"
        obj: list[str] = []
        j = i + 1
        if (
            verb
            in ("log", "say", "note", "reply", "respond", "tell", "write", "report", "confirm", "announce")
            and j < len(tokens)
            and tokens[j].lower() == "that"
        ):
            return verb, [t.lower() for t in tokens[j + 1 : j + 4] if t.lower() not in ("the", "a", "an")]
        if (
            verb
            in (
                "look",
                "pick",
                "sign",
                "clean",
                "back",
                "set",
                "follow",
                "kick",
                "check",
                "hand",
                "fill",
                "log",
            )
            and j < len(tokens)
            and tokens[j].lower() in ("up", "in", "out", "off", "over", "on")
        ):
            verb = f"{verb} {tokens[j].lower()}"
            j += 1
        while j < len(tokens) and len([w for w in obj if not _adverb(w)]) < 3:
            t = tokens[j]
            low = t.lower()
            j += 1
            if _PH.fullmatch(t):
                r = self.prot.raw(t)
                if r.startswith("http"):
                    if obj:
                        break
                    path = [
                        w
                        for w in re.split(r"[/?#]", re.sub(r"^https?://[^/]+", "", r))
                        if w and not re.fullmatch(r"v\d+|api", w)
                    ]
                    obj.extend(
                        _split_words(
                            path[-1] if path else re.sub(r"^https?://(?:www\.|api\.)?", "", r).split(".")[0]
                        )[:2]
                    )
                    continue
                obj.extend(_split_words(r)[:2])
                continue
            if low.endswith("'s"):
                low = low[:-2]
            if (
                low == "of"
                and obj
                and obj[-1]
                in (
                    "list",
                    "set",
                    "batch",
                    "number",
                    "count",
                    "copy",
                    "group",
                    "summary",
                    "total",
                    "backup",
                    "snapshot",
                )
            ):
                continue
            if low in _DETERMINERS or low in (
                "instead",
                "repeatedly",
                "continuously",
                "constantly",
                "only",
                "just",
                "is",
                "are",
                "be",
                "was",
                "again",
                "too",
                "also",
                "now",
                "later",
                "immediately",
                "first",
                "please",
            ):
                continue
            if low in _PREPOSITIONS:
                nxt = tokens[j] if j < len(tokens) else ""
                if (
                    obj
                    and low in ("into", "to", "in")
                    and re.fullmatch(r"[A-Z][a-z]+", nxt)
                    and nxt.lower() not in _SERVICES
                    and len(obj) < 3
                ):
                    continue  # "translate it into French": the language names the step
                if obj:
                    break
                continue
            obj.append(low)
        plain = [w for w in obj if not _adverb(w)]
        return verb, (plain or obj)[:3]

    def _secrets(self, text: str) -> list[str]:
        out: list[str] = []
        for m in re.finditer(
            r"\b(?:secrets\.)?([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z][A-Z0-9]{2,}(?=\s+(?:secret|token)\b))\b",
            text,
        ):
            out.append(m.group(1))
        for m in re.finditer(r"\b(?:the\s+)?((?:[a-z][\w-]*\s+){0,2}[a-z][\w-]*)\s+secret\b", text):
            ws = [
                w
                for w in m.group(1).split()
                if w.lower() not in _DETERMINERS and w.lower() not in ("using", "with", "use", "via")
            ]
            if ws:
                phrase = " ".join(ws)
                if len(ws) == 1 and re.fullmatch(r"[a-z][a-z0-9]*(?:[A-Z_][A-Za-z0-9]*)+", ws[0]):
                    made = ws[0]  # "the ledgerKey secret": a name as written
                elif self.dialect == "github":
                    made = "_".join(w.upper() for w in _split_words(phrase))
                else:
                    made = camel(_split_words(phrase))  # Serverless secrets are camelCase names
                out.append(self.names.match("secrets", phrase) or made)
        for name in self.names.mentioned("secrets", text):
            out.append(name)
        seen: list[str] = []
        for s in out:
            s = self.names.match("secrets", s) or s
            if s not in seen:
                seen.append(s)
                self.item("secret", s, (), 0, text)
        return seen

    def _tool(self, text: str) -> str:
        first = _first_word(text)
        text = re.sub(r"\bmcp\s+tool\b", "tool", text, flags=re.I)
        text = re.sub(r"\b(mcp(?:\s+server)?)'s\b", r"\1", text, flags=re.I)  # "the X MCP server's Y tool"
        tm = re.search(r"\b(?:the\s+|an?\s+|our\s+)?((?:[\w.-]+\s+){0,1}[\w.-]+)\s+tool\b", text, re.I)
        sm = re.search(
            r"\b(?:the\s+|an?\s+|our\s+)?((?:[\w.-]+\s+){0,1}[\w.-]+)\s+mcp(?:\s+server)?\b", text, re.I
        ) or re.search(r"\bmcp\s+(?:server|tool)\s+(?:named\s+|called\s+)?([\w.-]+)", text, re.I)

        def clean(m: re.Match[str]) -> str:
            ws = [
                w
                for i, w in enumerate(m.group(1).split())
                if w.lower() not in _DETERMINERS
                and not (i == 0 and m.start(1) == 0 and w.lower() == first.lower())  # the clause's verb
                and w.lower() not in _PREPOSITIONS
                and w.lower() not in ("mcp", "server")
            ]
            return " ".join(ws).lower()

        tool = clean(tm) if tm else ""
        server = clean(sm) if sm else ""
        # "the github MCP tool list_issues": the server, then the tool's own name
        named = re.search(
            r"\btool\s+(?:named\s+|called\s+)?([a-z][a-z0-9]*(?:[_.-][a-z0-9]+)+|[a-z]+[A-Z]\w*)\b", text
        )
        if named:
            return f"{tool or server}/{named.group(1)}" if (tool or server) else named.group(1)
        if tool and server and tool != server:
            return f"{server}/{tool}"
        return tool or server

    def _api(self, text: str) -> str:
        m = re.search(
            r"\b(?:the\s+|an?\s+|our\s+)?((?:[\w.-]+\s+){0,1}[\w.-]+)\s+(?:rest\s+)?(?:api|endpoint|webhook|service)\b",
            text,
            re.I,
        )
        if m:
            ws = [
                w
                for w in m.group(1).split()
                if w.lower() not in _DETERMINERS and not _is_verb(w) and w.lower() not in _PREPOSITIONS
            ]
            if ws:
                return " ".join(ws).lower()
        m = re.search(  # a named service: "in ServiceNow", "with Google Translate", "via Twilio"
            r"\b(?:via|through|using|with|on|in|to|from|at)\s+(?:the\s+)?"
            r"((?:[A-Z][a-z0-9]+[A-Z]\w*|[A-Z][a-z0-9]+(?:\s+[A-Z][a-z0-9]+)+))\b",
            text,
        )
        if (
            m
            and not any(w.lower() in _DAYS for w in m.group(1).split())
            and not _is_verb(m.group(1).split()[0])
        ):
            return m.group(1).lower()
        for w in re.findall(r"[\w-]+", text):
            if w.lower() in _SERVICES and not (self.dialect == "github" and w.lower() == "github"):
                return w.lower()
        m = re.search(r"\b(?:via|through|using|with|on)\s+([A-Z][a-zA-Z0-9]+)\b", text)
        if m and m.group(1).lower() not in _DAYS and m.group(1) not in ("I",):
            return m.group(1).lower()
        return ""

    def _function(self, text: str) -> str:
        for name in self.names.mentioned("functions", text):
            self.item("function", name, (), 0, text)
            return name
        m = re.search(
            r"\b(?:the\s+|our\s+|a\s+)?((?:(?!(?:the|a|an|our|with|using|via|by|call|run|invoke|use)\b)[\w-]+\s+)?[\w-]+|qq\d+qq)\s+function\b|\bfunction\s+(?:named\s+|called\s+)?([\w-]+|qq\d+qq)",
            text,
            re.I,
        )
        if m:
            raw = self.prot.raw(m.group(1) or m.group(2))
            if raw.lower() in _DETERMINERS or raw.lower() in ("a", "custom", "our", "my"):
                return ""
            if " " in raw.strip():  # "the fraud check function": fraudCheck
                first = _first_word(raw)
                if first.lower() in _DETERMINERS:
                    raw = raw.split()[-1]
                return self.names.match("functions", raw) or camel(raw.split())
            return self.names.match("functions", raw) or raw
        return ""


# -- GitHub Actions --------------------------------------------------------------------------------

_OS = {
    "ubuntu": "ubuntu-latest",
    "linux": "ubuntu-latest",
    "windows": "windows-latest",
    "macos": "macos-latest",
    "mac": "macos-latest",
    "osx": "macos-latest",
}
_OS_RE = r"(?:ubuntu|linux|windows|macos|mac|osx)"
_LANGS = {
    "node": r"node(?:\.?js)?",
    "python": r"python",
    "go": r"go(?:lang)?",
    "java": r"java|jdk",
    "ruby": r"ruby",
    "deno": r"deno",
}
_VERSION = r"v?\d+(?:\.\d+)*(?:\.x)?"
#: the command a named tool runs ("run flake8")
_TOOL_COMMANDS = {
    "flake8": "flake8 .",
    "pylint": "pylint $(git ls-files '*.py')",
    "black": "black --check .",
    "isort": "isort --check-only .",
    "bandit": "bandit -r .",
    "pytest": "pytest",
    "rubocop": "bundle exec rubocop",
    "rspec": "bundle exec rspec",
    "golangci-lint": "go run github.com/golangci/golangci-lint/cmd/golangci-lint@latest run ./...",
    "staticcheck": "go run honnef.co/go/tools/cmd/staticcheck@latest ./...",
    "cargo clippy": "cargo clippy -- -D warnings",
    "clippy": "cargo clippy -- -D warnings",
    "rustfmt": "cargo fmt --check",
    "gofmt": 'test -z "$(gofmt -l .)"',
}
#: command-line tools a clause may open with instead of a verb
_CLI_TOOLS = (
    r"(?:pytest|tox|nox|cargo|npm|pnpm|yarn|npx|go|make|mvn|gradle|dotnet|bundle|rake|terraform|helm|"
    r"kubectl|ruff|eslint|jest|vitest|mypy|black|prettier|shellcheck|hadolint|phpunit|composer|swift|"
    r"flutter|poetry|uv|pip|flake8|pylint|isort|bandit|rubocop|rspec|golangci-lint|staticcheck|clippy|rustfmt|gofmt)"
    r"\b(?!\s+(?:is|are|was)\b)"
)


def _version_range(low: str, high: str) -> list[str]:
    """The versions from ``low`` to ``high`` ("3.9", "3.12" -> 3.9 ... 3.12; "18", "22" -> the
    even majors 18, 20, 22 when both ends are even, as Node's long-term releases go); [] when
    the two cannot make a short range."""
    a, b = low.lstrip("v").split("."), high.lstrip("v").split(".")
    if len(a) == len(b) == 2 and a[0] == b[0] and a[1].isdigit() and b[1].isdigit():
        lo, hi = int(a[1]), int(b[1])
        return [f"{a[0]}.{n}" for n in range(lo, hi + 1)] if 0 < hi - lo <= 8 else []
    if len(a) == len(b) == 1 and a[0].isdigit() and b[0].isdigit():
        lo, hi = int(a[0]), int(b[0])
        step = 2 if lo % 2 == 0 and hi % 2 == 0 else 1
        return [str(n) for n in range(lo, hi + 1, step)] if 0 < hi - lo <= 12 else []
    return []


def _imperative(piece: str) -> str:
    """A clause in the third person as an order: "it accepts a tag" -> "accepts a tag" ->
    "accept a tag"; "builds the image" -> "build the image"."""
    # "unit tests on every push": run them
    tm = re.match(
        r"^((?:(?:unit|integration|e2e|end-to-end|smoke|api|ui|browser|regression)\s+)?tests?|checks|linters?|the test suite)\b(.*)$",
        piece,
        re.I,
    )
    if tm:
        return f"run the {tm.group(1)}{tm.group(2)}"
    # "a publish job that needs the build and uses the token": publish, using the token
    jm = re.match(
        r"^(?:an?|the|one)\s+(?:(?:final|last|separate|second|third|new)\s+)?([\w-]+)\s+job\b(.*)$",
        piece,
        re.I,
    )
    if jm and _is_verb(jm.group(1).lower()):
        rest = re.sub(
            r"^\s*(?:that|which)\s+(?:needs|depends on|runs after|waits for)\s+(?:the\s+)?[\w-]+(?:\s+job)?",
            "",
            jm.group(2),
            flags=re.I,
        )
        rest = re.sub(r"^\s*(?:and\s+|that\s+|which\s+)?(?:uses?|using)\b", " using", rest, flags=re.I)
        return (jm.group(1) + rest).strip()
    piece = re.sub(
        r"^(?:an?|the|one)\s+(?:final|last|separate|second|third|new)\s+job\s+(?:that|which|to)\s+",
        "",
        piece,
        flags=re.I,
    )
    # "a manual workflow that tags the repo": what the workflow does
    piece = re.sub(
        r"^(?:an?|the|this|one)\s+(?:[\w-]+\s+){0,3}?(?:workflow|pipeline|job|action)\s+(?:that|which|to)\s+",
        "",
        piece,
        flags=re.I,
    )
    piece = re.sub(r"^(?:it|this|that|which|then it)\s+(?=[a-z]+s\b)", "", piece, flags=re.I)
    m = re.match(
        r"^(?:let me |let us |i want to |we want to |i can |we can )?(?:trigger|start|kick off|launch|run)\s+(?:an?|the)\s+(\w+)\b(.*)$",
        piece,
        re.I,
    )
    if m and _is_verb(m.group(1).lower()):  # "let us start a rebuild": the rebuild
        return m.group(1) + m.group(2)
    first = _first_word(piece)
    low = first.lower()
    if low.endswith("s") and not low.endswith("ss") and not _is_verb(low):
        for base in (low[:-1], low[:-2], low[:-3] + "y" if low.endswith("ies") else ""):
            if base and _is_verb(base):
                return base + piece[len(first) :]
    return piece


_LEFTOVER = re.compile(
    r"^(?:let me |let us |we can |i can |you can )?(?:trigger|run|start|kick off|launch)(?: it| this| the workflow| the pipeline)?(?: manually)?(?: with| using)?$|^(?:it|this|let me|let us|i can|we can|you can|so i can|so we can)$",
    re.I,
)
_JOB_HEADS = {
    "build": ("build", "compile", "bundle"),
    "lint": ("lint", "typecheck", "format"),
    "test": ("test",),
    "deploy": ("deploy", "ship"),
    "release": ("release",),
    "publish": ("publish",),
    "package": ("package",),
    "scan": ("scan", "audit"),
}


def _title(words: str) -> str:
    """A GitHub Actions step name: the words, sentence case ("Run unit tests")."""
    text = " ".join(words.split())[:80]
    return text[:1].upper() + text[1:]


def _branches(phrase: str) -> list[str]:
    out: list[str] = []
    phrase = re.sub(r"^(?:the|any|all|an?)\s+", "", phrase.strip(), flags=re.I)
    if re.match(r"^(?:any|all|every)\b", phrase, re.I) or not phrase:
        return []
    plural = bool(re.search(r"\bbranches\b", phrase, re.I))
    phrase = re.sub(r"\s*\bbranch(?:es)?\b", "", phrase, flags=re.I)
    for part in re.split(r"\s*(?:,|\bor\b|\band\b|/(?!\*))\s*", phrase):
        part = part.strip(" '\"`").removeprefix("the ").strip().rstrip(".,;:!?")
        if not part or part.lower() in ("the", "any", "a"):
            continue
        if (
            plural
            and not re.search(r"[*/]", part)
            and part.lower() not in ("main", "master", "develop", "dev", "trunk")
        ):
            part = part + "/**"
        out.append(part)
    return out


class _GitHub:
    def __init__(self, p: _Parser) -> None:
        self.p = p
        self.issue_event = False  # the workflow runs on an issue or a comment
        self.docker = False  # the request builds a container image
        self.inputs: dict[str, str] = {}
        self.command = ""  # what the comment that runs the workflow says (" starts with /deploy")
        self.label = ""  # the label whose adding runs the workflow ("when a PR is labeled ready")

    def extract(self, text: str) -> Plan:
        m: re.Match[str] | None
        p = self.p
        plan = Plan()
        triggers: dict[str, Trigger] = {}
        low_all = text.lower()

        def trig(event: str) -> Trigger:
            if event not in triggers:
                triggers[event] = Trigger(event)
            return triggers[event]

        # "deploy to staging on pushes to develop and to production on pushes to main": both
        # branches trigger it, and each deployment runs only from its own
        text = re.sub(
            r"\b(deploy|release|ship|publish)\s+(?:it\s+)?to\s+([\w-]+)\s+(?:on|for|after)\s+(?:every\s+|each\s+|a\s+)?push(?:es)?\s+to\s+([\w./*-]+)"
            r"\s*,?\s+and\s+(?:\1\s+(?:it\s+)?)?to\s+([\w-]+)\s+(?:on|for|after)\s+(?:every\s+|each\s+|a\s+)?push(?:es)?\s+to\s+([\w./*-]+)",
            r"on pushes to \3 and \5: \1 to \2 but only from \3, and \1 to \4 but only from \5",
            text,
            flags=re.I,
        )
        # "build the image on PRs but only push it on main": pushes to main run it too, and the
        # push step runs only there
        bo = re.search(
            r"\s+but\s+only\s+((?:push|deploy|publish|release|upload|ship|tag)\b[^,;.]*?)\s+(?:on|from|for|when on)\s+"
            r"(?:the\s+)?([\w./-]+?)(?:\s+branch)?(?=$|[,;.])",
            text,
            re.I,
        )
        if bo and not re.match(r"(?:pushes|push|prs?|pull|tags?)$", bo.group(2), re.I):
            pushed = re.search(
                r"\b(?:on|for|after|upon)\s+(?:every\s+|each\s+|a\s+)?push(?:es)?\b", text[: bo.start()], re.I
            )
            more = "" if pushed else f" and on pushes to {bo.group(2)}"
            text = (
                f"{text[: bo.start()]}{more}, and {bo.group(1)} but only from {bo.group(2)}{text[bo.end() :]}"
            )
        # "when main changes": pushes to it
        text = re.sub(
            r"\b(?:when|whenever|once|after)\s+(?:the\s+)?(main|master|develop|trunk)(?:\s+branch)?\s+(?:changes|is updated|gets updated|moves)\b",
            r"on pushes to \1",
            text,
            flags=re.I,
        )
        cron, text, phrase = _schedule(text)
        if cron:
            trig("schedule").cron = cron
            p.item("schedule", cron, (), 0, phrase)
        # tags
        for m in list(
            re.finditer(
                r"\b(?:on|for|when(?:ever)?)\s+(?:pushing\s+|pushed\s+)?(?:(?:a|an|new|version|release)\s+)*tags?(?:\s+(?:matching|like|named|that match|starting with))?(?:\s+(qq\d+qq|[\w.*-]*\*[\w.*-]*|v[\d.x*]+))?(?:\s+(?:is|are|gets?)\s+(?:pushed|created))?",
                text,
                re.I,
            )
        ):
            pat = p.prot.raw(m.group(1) or "")
            ver = re.search(r"version|release", m.group(0), re.I)
            pat = "v*" if (ver and not pat) or re.fullmatch(r"v\d.*", pat) else (pat or "*")
            trig("push").tags.append(pat)
            text = text.replace(m.group(0), " ", 1)
        for m in list(
            re.finditer(
                r"\bwhen(?:ever)?\s+(?:(?:a|an|new|version|release)\s+)*tag\s+(?:is|gets)\s+(?:pushed|created)\b",
                text,
                re.I,
            )
        ):
            trig("push").tags.append("v*" if "version" in m.group(0).lower() else "*")
            text = text.replace(m.group(0), " ", 1)
        # releases
        m = re.search(
            r"\bwhen(?:ever)?\s+(?:an?\s+|the\s+)?(?:new\s+)?release\s+(?:is|gets)\s+(published|created|released|drafted|made)\b|\bon\s+(?:new\s+|every\s+|each\s+)?(?:published\s+)?releases?\b(?!\s+branch)",
            text,
            re.I,
        )
        if m:
            kind = (m.group(1) or "published").lower()
            trig("release").types.append({"released": "published", "made": "published"}.get(kind, kind))
            text = _cut(text, m)
        # pushes and pull requests together
        m = re.search(
            r"\b(?:on|for|after)\s+(?:every\s+|each\s+|all\s+|any\s+)?push(?:es)?\s*(?:,|and|or|&)\s*(?:every\s+|each\s+|all\s+|any\s+)?(?:pull[ -]requests?|prs?)\b",
            text,
            re.I,
        )
        if m:
            trig("push")
            trig("pull_request")
            text = _cut(text, m)
        # pushes
        nv = rf"(?!(?:on|when|if|pull|prs?|then|to|into|for|with|using|via|by|so|in|at|from|every|each|staging|production|prod|{_VERB_ALT})\b(?!\s+branch|/))"
        br = rf"((?:the\s+|an?\s+)?{nv}[\w./*-]+(?:\s*(?:,|\bor\b|\band\b)\s*{nv}[\w./*-]+)*(?:\s+branch(?:es)?)?)"
        for pat in (
            rf"\b(?:on|for|after|when(?:ever)?|upon)\s+(?:every\s+|each\s+|a\s+|any\s+|new\s+)?(?:push(?:es)?|commits?|merges?)(?:\s+(?:to|on|into|against)\s+{br})?",
            rf"\bwhen(?:ever)?\s+(?:code|changes|something|anything|commits?|we|someone|i)\s+(?:is\s+|are\s+|gets?\s+)?(?:pushed|push(?:es)?|merged?|lands?)(?:\s+(?:to|into|on)\s+{br})?",
            rf"\b(?:on|for)\s+{br}\s+push(?:es)?\b",
        ):
            for m in list(re.finditer(pat, text, re.I)):
                t = trig("push")
                if m.group(1):
                    t.branches.extend(b for b in _branches(m.group(1)) if b not in t.branches)
                text = text.replace(m.group(0), " ", 1)
        # "when someone comments /deploy on a pull request": the comment is the trigger, its text
        # the condition every job runs on
        self.command = ""
        for m in list(
            re.finditer(
                r"\bwhen(?:ever)?\s+(?:someone|somebody|anyone|a contributor|a user|a maintainer|we|i|you)\s+"
                r"(?:comments?|writes?|posts?|types?|says?)\s+(qq\d+qq|/[\w-]+)\s+(?:on|in)\s+(?:a|an|the|any)\s+"
                r"(pull[ -]requests?|prs?|issues?)\b",
                text,
                re.I,
            )
        ):
            trig("issue_comment").types.append("created")
            on = "" if m.group(2).lower().startswith("issue") else " on a pull request"
            self.command = on + " starts with " + p.prot.raw(m.group(1)).strip("`'\"")
            text = text.replace(m.group(0), " ", 1)
        # "when someone opens a pull request against develop", "whenever a contributor closes an issue"
        for m in list(
            re.finditer(
                rf"\bwhen(?:ever)?\s+(?:someone|somebody|anyone|a contributor|a user|a maintainer|we|i|you)\s+"
                rf"(opens|closes|reopens|merges|labels|edits|updates|comments on)\s+(?:a|an|the|any)\s+(?:new\s+)?"
                rf"(pull[ -]requests?|prs?|issues?)\b(?:\s+(?:against|to|into|on|targeting|for)\s+{br})?",
                text,
                re.I,
            )
        ):
            verb, what = m.group(1).lower(), m.group(2).lower()
            if verb == "comments on":
                trig("issue_comment").types.append("created")
            else:
                kind = {"opens": "opened", "closes": "closed", "reopens": "reopened", "merges": "closed",
                        "labels": "labeled", "edits": "edited", "updates": "synchronize"}[verb]  # fmt: skip
                ev = "issues" if what.startswith("issue") else "pull_request"
                if ev == "issues" and kind == "synchronize":
                    kind = "edited"
                t = trig(ev)
                if kind not in t.types:
                    t.types.append(kind)
                if ev == "pull_request" and m.group(3):
                    t.branches.extend(b for b in _branches(m.group(3)) if b not in t.branches)
            text = text.replace(m.group(0), " ", 1)
        text = re.sub(r"\btype[ -]check(?:s|ing)?\b", "typecheck", text, flags=re.I)
        # "matrix build for python 3.9 through 3.12": a build, on the matrix that follows
        text = re.sub(
            r"(^|[,;:]\s*|\bthen\s+)(?:an?\s+)?matrix\s+(build|test|tests|lint)\b", r"\1\2", text, flags=re.I
        )
        # "when a maintainer adds the "deploy" label to a PR": the labeled event and its label
        am = re.search(
            r"\bwhen(?:ever)?\s+(?:someone|somebody|anyone|a maintainer|a contributor|a user|we|i|you)\s+"
            r"(?:adds|applies|puts|sets)\s+(?:the|a)\s+(qq\d+qq|[\w:./-]+)\s+label\s+(?:to|on)\s+(?:a|an|the|any)\s+"
            r"(pull[ -]requests?|prs?|issues?)\b",
            text,
            re.I,
        )
        if am:
            ev = "issues" if am.group(2).lower().startswith("issue") else "pull_request"
            trig(ev).types.append("labeled")
            self.label = p.prot.raw(am.group(1)).strip("`'\"")
            text = text[: am.start()] + " " + text[am.end() :]
        # "when a PR is labeled "ready"": the labeled event, and the label every job checks
        lm = re.search(
            r"\b((?:is|are|gets?)\s+label(?:l)?ed)\s+(?:as\s+|with\s+)?(?:the\s+)?(qq\d+qq|[\w:./-]+)(?:\s+label)?\b",
            text,
            re.I,
        )
        if lm and lm.group(2).lower() not in _DETERMINERS and not _is_verb(lm.group(2).lower()):
            self.label = p.prot.raw(lm.group(2)).strip("`'\"")
            text = text[: lm.start()] + lm.group(1) + text[lm.end() :]
        # pull requests
        for m in list(
            re.finditer(
                rf"(?<!comment )(?<!reply )\b(?:on|for|when(?:ever)?|upon|against)\s+(?:every\s+|each\s+|an?\s+|any\s+|new\s+|all\s+)?(?:pull[ -]requests?|prs?)\b(?:\s+(?:is|are|gets?)\s+((?:opened|closed|merged|reopened|labeled|synchronized|edited|created|updated)(?:\s*(?:,|or|and)\s*(?:opened|closed|merged|reopened|labeled|synchronized|edited|created|updated))*))?(?:\s+(?:that\s+)?(?:is\s+|are\s+)?(?:opened\s+|made\s+)?(?:to|on|into|against|targeting|targets?|for)\s+{br})?",
                text,
                re.I,
            )
        ):
            t = trig("pull_request")
            for kind in re.findall(r"[a-z]+", (m.group(1) or "").lower()):
                if kind in ("or", "and"):
                    continue
                kind = {
                    "merged": "closed",
                    "created": "opened",
                    "updated": "synchronize",
                    "synchronized": "synchronize",
                }.get(kind, kind)
                if kind not in t.types:
                    t.types.append(kind)
            if m.group(2):
                t.branches.extend(b for b in _branches(m.group(2)) if b not in t.branches)
            text = text.replace(m.group(0), " ", 1)
        # a branch named on its own ("on main: build the site", "lands on a hotfix/* branch"): pushes to it
        for m in list(
            re.finditer(
                r"\bon\s+(?:the\s+)?(?:(main|master|develop|trunk)\b(?:\s+branch)?|([\w.*-]+/[\w./*-]*|[\w.*-]+)\s+branch(?:es)?\b)(?!\s+protection)",
                text,
                re.I,
            )
        ):
            if re.search(r"\b(?:if|unless|only if)\b[^,;:]*$", text[: m.start()], re.I):
                continue  # "if it is on main, publish": a condition, not a trigger
            t = trig("push")
            t.branches.extend(b for b in _branches(m.group(0).split(None, 1)[1]) if b not in t.branches)
            text = text.replace(m.group(0), " ", 1)
        # issues named by their state: "greet newly opened issues", "closed issues: ..."
        for m in list(
            re.finditer(
                r"(?:^\s*|\b(?:on|for)\s+|(?<=\w )(?=(?:newly\s+)?(?:opened|reopened|closed|labell?ed)\b))(?:newly\s+)?(new|opened|reopened|closed|labell?ed)\s+issues\b:?",
                text,
                re.I,
            )
        ):
            kind = {"new": "opened", "labelled": "labeled"}.get(m.group(1).lower(), m.group(1).lower())
            t = trig("issues")
            if kind not in t.types:
                t.types.append(kind)
            text = text.replace(
                m.group(0), " " if m.group(0).rstrip().endswith(":") or m.start() == 0 else " issues", 1
            )
        # issues
        for m in list(
            re.finditer(
                r"\bwhen(?:ever)?\s+(?:an?\s+|the\s+)?(?:new\s+)?issues?\s+(?:is|are|gets?)\s+(opened|created|filed|closed|labeled|labelled|reopened|edited|assigned)\b|\bon\s+(?:new\s+|every\s+)?issues?(?:\s+(opened|creation|open))?\b(?!\s+comments?)",
                text,
                re.I,
            )
        ):
            kind = (m.group(1) or m.group(2) or "opened").lower()
            kind = {
                "created": "opened",
                "filed": "opened",
                "creation": "opened",
                "open": "opened",
                "labelled": "labeled",
            }.get(kind, kind)
            t = trig("issues")
            if kind not in t.types:
                t.types.append(kind)
            text = text.replace(m.group(0), " ", 1)
        m = re.search(
            r"\bwhen(?:ever)?\s+(?:someone\s+)?comments?\s+(?:is\s+(?:added|made|posted)\s+)?on\s+an?\s+(?:issue|pr|pull request)\b|\bon\s+(?:new\s+)?issue comments?\b",
            text,
            re.I,
        )
        if m:
            trig("issue_comment").types.append("created")
            text = _cut(text, m)
        # manual runs and inputs
        inputs: list[tuple[str, str]] = []
        for m in list(
            re.finditer(
                r"\b(?:with|taking|that takes|accepting|and)\s+(?:an?\s+|the\s+)?(?:(boolean|string|number|choice|bool)\s+)?(qq\d+qq|[\w-]+)\s+(input|parameter|argument|flag|switch|toggle)\b(?:\s*\((boolean|string|number|bool)\))?|\binputs?\s+(?:for\s+|called\s+|named\s+)?((?:qq\d+qq|[\w-]+)(?:\s*(?:,|and)\s*(?!then\b|and\b|to\b|run\b)(?:qq\d+qq|[\w-]+))*)",
                text,
                re.I,
            )
        ):
            if m.group(2):
                names = [p.prot.raw(m.group(2))]
                kind = (m.group(1) or m.group(4) or "").lower() or (
                    "boolean" if m.group(3).lower() in ("flag", "switch", "toggle") else ""
                )
            else:
                names = [p.prot.raw(n) for n in re.split(r"\s*(?:,|and)\s*", m.group(5)) if n]
                kind = ""
            for n in names:
                if n.lower() in ("a", "an", "the", "with"):
                    continue
                typ = {"bool": "boolean"}.get(kind, kind) or (
                    "boolean" if re.search(r"dry|debug|force|skip|verbose", n, re.I) else "string"
                )
                inputs.append((n, typ))
            text = text.replace(m.group(0), " ", 1)
        options: dict[str, list[str]] = {}
        for m in list(
            re.finditer(
                r"\b(?:with|taking|and|offering)\s+(?:an?\s+|the\s+)?([\w-]+)\s+(?:choice|dropdown|drop-down|picker|selection)\b"
                r"\s*(?:\(([^()]*)\)|(?:of|between|from|among)\s+((?:[\w.-]+\s*(?:,|or|and|/)\s*)+[\w.-]+))?",
                text,
                re.I,
            )
        ):
            # "with an environment choice (staging or production)": a choice input and its options
            opts = [o for o in re.split(r"\s*(?:,|\bor\b|\band\b|/)\s*", m.group(2) or m.group(3) or "") if o]
            inputs.append((m.group(1), "choice" if opts else "string"))
            if opts:
                options[m.group(1)] = opts
            text = text.replace(m.group(0), " ", 1)
        m = re.search(
            r"\b(?:run\s+)?(?:it\s+)?(?:manually|by hand|on demand|on-demand|manual(?:ly)?[ -]trigger(?:ed)?|workflow_dispatch|from the actions tab|with a button|manual runs?)\b",
            text,
            re.I,
        )
        if m:
            text = _cut(text, m)
            # what a manual run asks for: "it accepts a tag", "picking the region (eu, us or
            # apac)", "and whether to skip the cache"
            for im in list(
                re.finditer(
                    r"\b(?:it\s+)?(?:takes|take|accepts|accept|asks for|ask for|prompts? for)\s+(?:an?\s+|the\s+)?"
                    r"((?:boolean|string|number|choice)\s+)?(qq\d+qq|[\w-]+)(?:\s+(?:number|string|name|input|parameter|argument|value|flag))?\b",
                    text,
                    re.I,
                )
            ):
                n = p.prot.raw(im.group(2))
                if n.lower() not in _DETERMINERS and n.lower() not in (
                    "care",
                    "place",
                    "time",
                    "part",
                    "long",
                    "over",
                ):
                    inputs.append((n, (im.group(1) or "string").strip().lower()))
                    text = text.replace(im.group(0), " ", 1)
            for im in list(
                re.finditer(
                    r"\b(?:choos(?:e|ing)|pick(?:ing)?|select(?:ing)?)\s+(?:the\s+|an?\s+|which\s+)?([\w-]+)\s*"
                    r"(?:\(([^()]*)\)|:\s*((?:[\w.-]+\s*(?:,|or|/)\s*)+[\w.-]+))?",
                    text,
                    re.I,
                )
            ):
                n = im.group(1)
                if n.lower() in _DETERMINERS:
                    continue
                opts = [o for o in re.split(r"\s*(?:,|\bor\b|/)\s*", im.group(2) or im.group(3) or "") if o]
                typ = (
                    "environment"
                    if n.lower() == "environment" and not opts
                    else ("choice" if opts else "string")
                )
                inputs.append((n, typ))
                if opts:
                    options[n] = opts
                text = text.replace(im.group(0), " ", 1)
            for im in list(
                re.finditer(
                    r"\b(?:and\s+)?whether\s+(?:or not\s+)?to\s+((?:[\w-]+\s+){0,3}[\w-]+)", text, re.I
                )
            ):
                ws = [w for w in im.group(1).split() if w.lower() not in _DETERMINERS]
                if ws:
                    inputs.append((" ".join(ws), "boolean"))
                    text = text.replace(im.group(0), " ", 1)
        if m or inputs:
            t = trig("workflow_dispatch")
            for n, typ in inputs:
                t.inputs[n] = typ
                if n in options:
                    t.options[n] = options[n]
                p.item("input", n, (), 0, n)
        m = re.search(
            r"\b(?:as a reusable workflow|reusable|called from other workflows|workflow_call)\b", text, re.I
        )
        if m:
            trig("workflow_call")
            text = _cut(text, m)
        # paths
        m = re.search(
            r"\b(?:only\s+)?(?:when|if)\s+(?:files?\s+(?:in|under)\s+|only\s+|something\s+in\s+)?((?:qq\d+qq|[\w.*-]*/[\w./*-]*|\*\*?[\w./*-]+)(?:\s*(?:,|or|and)\s*(?:qq\d+qq|[\w.*-]*/[\w./*-]*|\*\*?[\w./*-]+))*)\s+(?:changes?|is changed|are changed|changed|is modified|are modified)\b",
            text,
            re.I,
        ) or re.search(
            r"\b(?:that|which)?\s*(?:touch(?:es)?|change|changes|modify|modifies)\s+(?:files?\s+(?:in|under)\s+)?((?:qq\d+qq|[\w.*-]*/[\w./*-]*|\*\*?[\w./*-]+)(?:\s*(?:,|or|and)\s*(?:qq\d+qq|[\w.*-]*/[\w./*-]*|\*\*?[\w./*-]+))*)",
            text,
            re.I,
        )
        m = m or re.search(
            r"\b(?:(?:that|which)\s+)?(?:touch(?:es|ing)?|chang(?:e|es|ing)|modif(?:y|ies|ying)|affect(?:s|ing)?)\s+(?:anything\s+in\s+|files?\s+(?:in|under)\s+)?(?:the\s+)?((?:qq\d+qq|[\w.-]+)(?:\s*(?:,|or|and)\s*(?:the\s+)?(?:qq\d+qq|[\w.-]+))*)\s+(?:folders?|director(?:y|ies)|dirs?)\b",
            text,
            re.I,
        )
        if m:
            paths = []
            for part in re.split(r"\s*(?:,|or|and)\s*(?:the\s+)?", m.group(1)):
                part = p.prot.raw(part).strip("`'\"")
                if (
                    part
                    and not re.search(r"[/*]", part)
                    and re.search(r"(?:folders?|director(?:y|ies)|dirs?)$", m.group(0), re.I)
                ):
                    part += "/"  # "the infra folder": everything under infra/
                if part:
                    paths.append(part + "**" if part.endswith("/") else part)
            for ev in [e for e in ("push", "pull_request") if e in triggers] or ["push"]:
                trig(ev).paths.extend(paths)
            text = _cut(text, m)
        # matrix
        matrix: dict[str, list[str]] = {}
        single: dict[str, str] = {}
        # "python 3.9 through 3.12": every version between, both ends included
        text = re.sub(
            rf"\b((?:{'|'.join(_LANGS.values())})\s*(?:versions?\s*)?)({_VERSION})\s*(?:through|thru|to|until|-|–)\s*({_VERSION})\b",
            lambda m: (
                m.group(1)
                + (
                    ", ".join(r)
                    if (r := _version_range(m.group(2), m.group(3)))
                    else m.group(0)[len(m.group(1)) :]
                )
            ),
            text,
            flags=re.I,
        )
        for key, lang in _LANGS.items():
            for m in list(
                re.finditer(
                    rf"\b(?:on|for|with|across|against|using|in|under|test(?:ing)?|build(?:ing)?)?\s*(?:both\s+|all\s+of\s+|each\s+of\s+|every\s+)?(?:{lang})\s*(?:versions?\s*)?({_VERSION}(?:\s*(?:,|and|or|&|/)\s*{_VERSION})*)\b(?!\.\d)",
                    text,
                    re.I,
                )
            ):
                vals = re.findall(_VERSION, m.group(1))
                if len(vals) >= 2:
                    matrix[key] = vals
                    p.item("matrix", key, tuple(vals), 0, m.group(0).strip())
                else:
                    single[key] = vals[0]
                text = text.replace(m.group(0), " ", 1)
        named = sorted(
            (lm.start(), key)
            for key, lang in _LANGS.items()
            if key not in matrix and key not in single
            for lm in [re.search(rf"\b(?:{lang})\b", text, re.I)]
            if lm
        )
        m = re.search(
            rf"\b(?:on|for|across|against|under|with)\s+(?:versions?\s+)?({_VERSION}(?:\s*(?:,|and|or|&|/)\s*{_VERSION})+)\b(?!\.\d|\s*(?:am|pm|utc|minutes?|hours?|days?)\b)",
            text,
            re.I,
        )
        if not matrix and named and m:
            # "the python tests on 3.10, 3.11 and 3.12": the versions of the language named
            key = named[0][1]
            vals = re.findall(_VERSION, m.group(1))
            matrix[key] = vals
            p.item("matrix", key, tuple(vals), 0, m.group(0).strip())
            text = _cut(text, m)
        m = re.search(
            rf"\b(?:on|across|for|using|in)\s+(?:both\s+|all\s+(?:three\s+)?|every\s+)?({_OS_RE}(?:\s*(?:,|and|or|&)\s*{_OS_RE})+)\b(?:\s+(?:runners?|machines?|vms?|hosts?|images?))?",
            text,
            re.I,
        )
        if m:
            names = [n.lower() for n in re.findall(_OS_RE, m.group(1), re.I)]
            vals = list(dict.fromkeys(_OS[n] for n in names))
            matrix["os"] = vals
            p.item(
                "matrix",
                "os",
                tuple(dict.fromkeys("macos" if n in ("mac", "osx") else n for n in names)),
                0,
                m.group(0).strip(),
            )
            text = _cut(text, m)
        elif re.search(
            r"\b(?:on|across)\s+(?:all|every)\s+(?:three\s+)?(?:platforms|operating systems|oses)\b|\bcross-platform\b",
            text,
            re.I,
        ):
            m = re.search(
                r"\b(?:on|across)\s+(?:all|every)\s+(?:three\s+)?(?:platforms|operating systems|oses)\b|\bcross-platform\b",
                text,
                re.I,
            )
            assert m is not None
            matrix["os"] = ["ubuntu-latest", "windows-latest", "macos-latest"]
            p.item("matrix", "os", ("ubuntu", "windows", "macos"), 0, m.group(0))
            text = _cut(text, m)
        runs_on = "ubuntu-latest"
        m = re.search(rf"\b(?:on|using)\s+(?:an?\s+|the\s+)?({_OS_RE})(?:\s+runners?)?\b", text, re.I)
        if m:
            runs_on = _OS[m.group(1).lower()]
            text = _cut(text, m)
        env = ""
        m = re.search(
            r"\b(?:to|on|into|in)\s+(?:the\s+)?(production|prod|staging|stage|development|dev|qa|preview|sandbox)(?:\s+environment)?\b",
            text,
            re.I,
        )
        if m:
            env = {"prod": "production", "stage": "staging", "dev": "development"}.get(
                m.group(1).lower(), m.group(1).lower()
            )
        timeout, text = _timeout(text)
        secrets = p._secrets(text)
        langs = self._langs(low_all, single, matrix)
        plan.triggers = list(triggers.values()) or [Trigger("push"), Trigger("pull_request")]
        self.docker = bool(re.search(r"\b(?:docker|container image|image|ghcr)\b", low_all))
        self.issue_event = any(t in triggers for t in ("issues", "issue_comment", "pull_request_target"))
        self.inputs = dict(triggers["workflow_dispatch"].inputs) if "workflow_dispatch" in triggers else {}
        for t in triggers.values():
            if t.event == "schedule":
                continue
            values = [*t.branches, *t.tags, *t.types, *t.paths]
            p.item("trigger", t.event, tuple(values), 0, t.event)
        # "after the build job": an existing job the new ones need
        after: list[str] = []
        for m in list(
            re.finditer(
                r"\b(?:after|once|when)\s+(?:the\s+)?([\w-]+)(?:\s+job)?\s+(?:passes|succeeds|finishes|is done|job)\b,?|\bafter\s+(?:the\s+)?([\w-]+)\s+job\b,?",
                text,
                re.I,
            )
        ):
            name = p.names.match("jobs", m.group(1) or m.group(2) or "")
            if name:
                after.append(name)
                text = text.replace(m.group(0), " ", 1)
        plan.jobs = self._jobs(_tidy(text), langs, matrix, runs_on, env, secrets)
        for j in plan.jobs:
            if after and not j.needs:
                j.needs = list(after)
        if timeout:
            p.item("timeout", timeout, (), 0, timeout)
            plan.timeout = timeout
        return plan

    def _langs(self, low: str, single: dict[str, str], matrix: dict[str, list[str]]) -> dict[str, str]:
        out: dict[str, str] = {}
        tests = {
            "node": r"\b(?:node(?:\.?js)?|npm|yarn|pnpm|javascript|typescript|jest|vitest|eslint|prettier|playwright|mocha|npx)\b",
            "python": r"\b(?:python|pytest|pip|poetry|tox|ruff|flake8|pylint|isort|bandit|mypy|django|pypi)\b",
            "go": r"\b(?:golang|golangci-lint|staticcheck|gofmt)\b|\bgo\s+(?:\d|modules?|tests?|build|vet|code|project|binar(?:y|ies)|app|service|cli)\b|\bin go\b",
            "java": r"\b(?:java|maven|gradle|jdk)\b",
            "rust": r"\b(?:rust|cargo|crates?\.io)\b",
        }
        for key, pat in tests.items():
            if key in matrix:
                out[key] = "${{ matrix." + key + " }}"
            elif key in single:
                out[key] = single[key]
            elif re.search(pat, low):
                out[key] = {"node": "20", "python": "3.12", "go": "1.22", "java": "21", "rust": ""}[key]
        if "node" in out:
            out["pm"] = "yarn" if "yarn" in low else "pnpm" if "pnpm" in low else "npm"
        return out

    def _head(self, verb: str, obj: list[str], piece: str = "") -> str:
        """The job a clause asks for (build, test, lint, deploy, ...), or "" for a plain step."""
        words = [verb, *obj]
        tools = {"pytest": "test", "jest": "test", "vitest": "test", "tests": "test", "unit": "test",
                 "e2e": "test", "suite": "test", "eslint": "lint", "ruff": "lint", "flake8": "lint",
                 "linter": "lint", "linters": "lint", "mypy": "lint", "typecheck": "lint"}  # fmt: skip
        if verb in ("run", "execute", "do"):
            for w in obj:
                if w in tools:
                    return tools[w]
                for head, forms in _JOB_HEADS.items():
                    if _singular(w) in forms:
                        return head
            return ""
        if verb in ("create", "cut", "make", "draft", "publish") and "release" in obj:
            return "release"
        if verb == "push" and (
            re.search(
                r"\b(?:image|registry|docker|container|ghcr|ecr|gcr|dockerhub|docker hub|quay)\b", piece, re.I
            )
            or self.docker
            and all(w in ("it", "them", "that") for w in obj)  # "build the image ... push it"
        ):
            return "publish"
        for head, forms in _JOB_HEADS.items():
            if words[0] in forms:
                return head
        return ""

    def _command(self, head: str, langs: dict[str, str], piece: str) -> str:
        pm = langs.get("pm", "npm")
        low = piece.lower()
        if head == "lint" and "dockerfile" in low:
            return "hadolint Dockerfile"
        if (
            re.search(r"\b(?:docker|image|container|ghcr|ecr|gcr|registry)\b", low)
            or self.docker
            and head == "publish"
            and "npm" not in low
            and "pypi" not in low
            or self.docker
            and head == "build"
            and low.strip() == "build"  # "build and push the docker image": the image
        ):
            if head in ("build", "package"):
                return "docker build -t app ."
            if head in ("publish", "release", "deploy"):
                names = re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b", self.p.prot.restore(piece))
                user = next((n for n in names if "USER" in n), "")
                token = next((n for n in names if re.search(r"TOKEN|PASSWORD|PAT\b|KEY", n)), "")
                if user and token:
                    # the registry credentials the request names (the step's env holds them)
                    return f'echo "${token}" | docker login -u "${user}" --password-stdin && docker push app'
                return "docker push app"
        table = {
            "test": {
                "node": f"{pm} test",
                "python": "pytest",
                "go": "go test ./...",
                "java": "mvn -B test",
                "rust": "cargo test",
            },
            "build": {
                "node": f"{pm} run build",
                "python": "python -m build",
                "go": "go build ./...",
                "java": "mvn -B package",
                "rust": "cargo build --release",
            },
            "lint": {
                "node": f"{pm} run lint",
                "python": "ruff check .",
                "go": "go vet ./...",
                "java": "mvn -B verify",
                "rust": "cargo clippy",
            },
            "deploy": {"node": f"{pm} run deploy"},
            "publish": {
                "node": f"{pm} publish",
                "python": "python -m twine upload dist/*",
                "rust": "cargo publish",
            },
            "package": {"node": f"{pm} pack", "python": "python -m build", "java": "mvn -B package"},
            "release": {},
            "scan": {"node": f"{pm} audit", "python": "pip-audit"},
        }
        if head == "lint" and re.search(r"\btype[ -]?check", low):
            # a type check: the compiler's own, per language
            return (
                "npx tsc --noEmit" if "node" in langs else "mypy ." if "python" in langs else "make typecheck"
            )
        if "e2e" in low or "end-to-end" in low or "end to end" in low:
            return f"{pm} run test:e2e" if "node" in langs else "make e2e"
        if "coverage" in low and head == "test":
            if "python" in langs:
                return "pytest --cov --cov-report=xml"
            if "node" in langs:
                return f"{pm} test -- --coverage"
        for lang in ("node", "python", "go", "java", "rust"):
            if lang in langs and lang in table.get(head, {}):
                return table[head][lang]
        if head == "release":
            return 'gh release create "$GITHUB_REF_NAME" --generate-notes'
        return f"make {head}"

    def _jobs(
        self,
        text: str,
        langs: dict[str, str],
        matrix: dict[str, list[str]],
        runs_on: str,
        env: str,
        secrets: list[str],
    ) -> list[Job]:
        p = self.p
        # "deploy it when a tag is pushed, after the tests pass": the tests come first, in a job
        am = re.match(
            r"^(.*?),?\s+(?:after|once)\s+(?:the\s+)?(tests?|unit tests|build|lint(?:ing)?|checks?)"
            r"(?:\s+job)?(?:\s+(?:pass(?:es)?|succeeds?|finish(?:es)?|(?:are|is) green|(?:are|is) done))?\b(.*)$",
            text,
            re.I,
        )
        stem = re.sub(r"(?:s|ing)$", "", am.group(2).split()[-1].lower()) if am else ""
        if (
            am
            and am.group(1).strip()
            and not re.search(rf"\b{stem}", am.group(1), re.I)
            and not p.names.match("jobs", am.group(2))
        ):
            what = am.group(2).lower()
            before = {"build": "build", "lint": "lint", "linting": "lint"}.get(what, f"run the {what}")
            text = f"{before}, then {am.group(1).strip()}{am.group(3)}"
        elif am and am.group(1).strip():
            text = (
                f"{am.group(1).strip()}{am.group(3)}"  # "..., then deploy once tests pass": the order is said
            )
        # "run the tests on 3.11 and 3.12; after they all pass, build the wheel": the next stage
        text = re.sub(
            r"\s*[;,.]\s*(?:and\s+)?(?:only\s+)?(?:after|once|when|if)\s+(?:they|those|these|all of them|both|the tests|the builds?|the checks|everything)\s+"
            r"(?:all\s+|both\s+)?(?:pass(?:es)?|passed|have passed|succeed(?:ed)?|have succeeded|are green|are done|finish(?:ed)?)\s*,?\s*",
            ", then ",
            text,
            flags=re.I,
        )
        # "three jobs: build, then test": the count heads the list; "as separate jobs": each is a job
        text = re.sub(r"^(?:(?:two|three|four|five|\d)\s+jobs?|jobs)\s*:\s*", "", text.strip(), flags=re.I)
        text = re.sub(
            r"\s+as\s+(?:separate|their own|individual|independent|two|three)\s+jobs\b",
            " jobs",
            text,
            flags=re.I,
        )
        # "lint and unit tests jobs": a job each
        text = re.sub(
            r"\b([\w-]+(?:\s+[\w-]+)?)\s+and\s+([\w-]+(?:\s+[\w-]+)?)\s+jobs\b",
            lambda m: f"{_imperative(m.group(1))} and {_imperative(m.group(2))}",
            text,
            flags=re.I,
        )
        # "A and B in parallel, and a final job that reports": what follows comes after them
        text = re.sub(
            rf"\b(in parallel|at once|at the same time|simultaneously|concurrently)\s*,?\s+and\s+"
            rf"(?=(?:an?|the)\s+(?:final|last|separate|new)?\s*[\w-]*\s*job\b|(?:{_VERB_ALT})\b)",
            r"\1, then ",
            text,
            flags=re.I,
        )
        entries: list[tuple[str, str, str]] = []  # (sep, head, piece)
        first_item: dict[str, int] = {}  # job id -> where its items start in p.items
        staged = False  # heads come one after another ("then") or in parallel
        whens: dict[int, str] = {}  # entry -> the condition it runs under ("if X, A, otherwise B")
        outcomes: dict[str, list[str]] = {}  # condition -> what runs under it and under its negation
        pending = last_cond = ""
        for si, sentence in enumerate(_sentences(text)):
            for ci, (_sep, chunk) in enumerate(_chunks(sentence)):
                parallel = bool(_PAR_TAIL.search(chunk) or _PAR_LEAD.match(chunk))
                staged = staged or parallel
                chunk = _PAR_TAIL.sub("", _PAR_LEAD.sub("", chunk))
                pieces: list[str] = []
                for _, raw_piece in _pieces(chunk):
                    if re.match(r"^(?:run|execute)\b", _strip_lead(raw_piece), re.I):
                        pieces.extend(_distribute(_strip_lead(raw_piece)) or [raw_piece])
                    else:
                        pieces.append(raw_piece)
                for pi, piece in enumerate(pieces):
                    piece = _strip_lead(piece)
                    piece = re.sub(r"^(?:and\s+)?(?:also\s+)?", "", piece)
                    # "a final job that reports": a job of its own, whatever it does
                    own_job = bool(
                        re.match(
                            r"^(?:an?|the|one)\s+(?:(?:final|last|separate|second|third|new)\s+)?(?:[\w-]+\s+)?job\b",
                            piece,
                            re.I,
                        )
                    )
                    piece = _imperative(piece)
                    # "build and [on PRs]": the trigger went, the conjunction stays behind
                    piece = re.sub(r"(?:[\s,]+(?:and|or|then|but))+[\s,]*$", "", piece, flags=re.I)
                    if re.match(_CLI_TOOLS, piece, re.I):
                        piece = "run " + piece  # "ruff check on every PR", "tox on 3.12"
                    if not piece or not re.search(r"[a-z]", piece, re.I) or _LEFTOVER.match(piece):
                        continue
                    cm = re.match(r"^(if|unless|in case|only if)\s+(.+)$", piece, re.I)
                    if cm and not _is_verb(_first_word(cm.group(2))):
                        pending = ("not " if cm.group(1).lower() == "unless" else "") + p.prot.restore(
                            cm.group(2)
                        ).strip()
                        outcomes.setdefault(pending, [])
                        continue
                    bm = re.match(
                        r"^(.+?),?\s+(?:but\s+)?only\s+(?:(?:when|if)\s+(?:it'?s\s+|it is\s+|we'?re\s+)?)?(?:from|on|for|in)\s+(?:the\s+)?([\w./-]+)(?:\s+branch)?$",
                        piece,
                        re.I,
                    )
                    if (
                        bm
                        and not pending
                        and not re.fullmatch(
                            r"(?:push(?:es)?|tags?|pull|prs?|releases?|schedules?|weekdays|weekends|mondays|ubuntu|linux|windows|macos|\d\S*)",
                            bm.group(2),
                            re.I,
                        )
                    ):
                        # "deploy to Fly.io, but only from main": the step runs on that branch
                        piece, pending = bm.group(1), f"on {bm.group(2)}"
                        outcomes.setdefault(pending, [])
                    fm = re.match(
                        r"^(.+?),?\s+(?:but\s+)?(?:only\s+)?(?:if|when)\s+(it|they|the tests?|the build|the job|anything|something)\s+(fails?|failed|breaks?|broke|passe[sd]|pass|succeeds?|succeeded)$",
                        piece,
                        re.I,
                    )
                    if fm and not pending and _is_verb(_first_word(fm.group(1))):
                        # "upload the report if they fail": the step runs on the job's outcome
                        ok = fm.group(3).lower().startswith(("pass", "succeed"))
                        piece, pending = fm.group(1), "it succeeds" if ok else "it fails"
                        outcomes.setdefault(pending, [])
                    om = re.match(r"^(?:otherwise|else|or else|if not)\b[,:]?\s*(.+)$", piece, re.I)
                    when = ""
                    if om and last_cond:
                        piece, when = om.group(1), "not " + last_cond
                        outcomes[last_cond].append(piece)
                    elif pending:
                        when, last_cond, pending = pending, pending, ""
                        outcomes[when].append(piece)
                    else:
                        last_cond = ""
                    sep = "and" if pi > 0 else ("then" if (ci > 0 or si > 0) else "")
                    verb, obj = p._verb_object(piece)
                    head = self._head(verb, obj, piece) or (verb if own_job and verb else "")
                    if not head and not _is_verb(verb) and not re.search(r"qq\d+qq", piece):
                        continue  # no action: words left over around a trigger or a job name
                    if head and sep == "then" and any(h for _, h, _ in entries):
                        staged = True
                    if when:
                        whens[len(entries)] = when
                    entries.append((sep, head, piece))
        for cond, outs in outcomes.items():
            if outs:
                labels = tuple(" ".join([v, *o_]).lower() for v, o_ in map(p._verb_object, outs))
                p.item("branch", cond, labels, len(outs), cond)
        heads = [h for _, h, _ in entries if h]
        multi = len(heads) >= 2 and (staged or bool(re.search(r"\bjobs?\b", text, re.I)))
        if multi:
            # plain steps before the first job head belong to that job
            first = next(i for i, (_, h, _) in enumerate(entries) if h)
            if first:
                entries = [
                    entries[first],
                    *[("and", "", p_) for _, _, p_ in entries[:first]],
                    *entries[first + 1 :],
                ]
        jobs: list[Job] = []
        stages: list[list[Job]] = []
        current: Job | None = None
        used: set[str] = set()
        cache = bool(re.search(r"\bcach(?:e|ing)\b", text, re.I))
        for idx, (sep, head, piece) in enumerate(entries):
            verb, obj = p._verb_object(piece)
            label = " ".join([verb, *obj]).strip()
            piece_env = self._environment(piece) or (env if head == "deploy" else "")
            if (
                head == "deploy"
                and not piece_env
                and "environment" in self.inputs
                and re.search(r"\benvironment\b", piece, re.I)
            ):
                piece_env = "${{ inputs.environment }}"
            other_env = bool(
                head == "deploy"
                and piece_env
                and current is not None
                and current.environment not in ("", piece_env)
            )  # "deploy to staging ..., and to production ...": a job per environment
            if current is None or (multi and head) or other_env:
                base = head or (heads[0] if heads and not multi else verb) or "build"
                if head == "deploy" and piece_env and any(j.id.startswith("deploy") for j in jobs):
                    base = f"deploy {piece_env}"
                job = Job(self._job_id(base, used), runs_on=runs_on)
                first_item[job.id] = len(p.items)
                if stages and sep == "and" and current is not None:
                    job.needs = list(stages[-1][0].needs)
                    stages[-1].append(job)
                else:
                    job.needs = [j.id for j in stages[-1]] if stages else []
                    stages.append([job])
                jobs.append(job)
                current = job
                if multi:
                    p.item("job", label.lower(), (), 0, p.prot.restore(piece))
                job.steps.extend(self._setup(job, head, langs, piece, cache))
            assert current is not None
            if head == "deploy" and piece_env and not current.environment:
                current.environment = piece_env
            have = {st.target for st in current.steps if st.kind == "shell"}
            for st in self._steps(head, verb, obj, piece, langs, secrets, label):
                if st.kind == "shell" and st.target and st.target in have:
                    # the same command twice ("npm ci" after the setup): one step, both names
                    continue
                st.when = st.when or whens.get(idx, "")
                if st.target.startswith("actions/cache@"):
                    # a cache is restored before the steps that use it: after checkout and setup
                    at = next(
                        (
                            i
                            for i, x in enumerate(current.steps)
                            if not (x.kind == "action" and re.match(r"actions/(?:checkout|setup-)", x.target))
                        ),
                        len(current.steps),
                    )
                    current.steps.insert(at, st)
                    start = first_item.get(current.id, len(p.items))
                    if not p.dropped and p.items and p.items[-1].kind == "step" and start < len(p.items) - 1:
                        p.items.insert(start, p.items.pop())  # and the request's order says so too
                    continue
                current.steps.append(st)
        if not jobs:
            job = Job("build", runs_on=runs_on)
            job.steps = self._setup(job, "build", langs, "", cache) + [
                Step("shell", name=_title("build"), target=self._command("build", langs, ""))
            ]
            jobs.append(job)
        for j in jobs:
            if self.command and not j.when:
                j.when = f"the comment{self.command}"
            if self.label and not j.when:
                j.when = f"the label is {self.label}"
            if matrix and (
                len(jobs) == 1
                or not any(
                    s.kind == "shell" and re.search(r"deploy|publish|release|upload", s.target)
                    for s in j.steps
                )
                and not j.id.startswith(("deploy", "release", "publish"))
            ):
                j.matrix = {k: list(v) for k, v in matrix.items()}
                if "os" in matrix:
                    j.runs_on = "${{ matrix.os }}"
            for st in j.steps:
                for k, v in list(st.args.items()):
                    ref = re.fullmatch(r"\$\{\{ matrix\.(\w+) \}\}", v) if isinstance(v, str) else None
                    if ref and ref.group(1) not in j.matrix and matrix.get(ref.group(1)):
                        st.args[k] = matrix[ref.group(1)][-1]  # a job without the matrix: the newest
        return jobs

    def _environment(self, piece: str) -> str:
        m = re.search(
            r"\b(?:to|on|into|in)\s+(?:the\s+)?(production|prod|staging|stage|development|dev|qa|preview|sandbox)(?:\s+environment)?\b",
            piece,
            re.I,
        )
        if not m:
            return ""
        return {"prod": "production", "stage": "staging", "dev": "development"}.get(
            m.group(1).lower(), m.group(1).lower()
        )

    def _job_id(self, base: str, used: set[str]) -> str:
        jid = kebab(base) or "job"
        for name in self.p.names.names.get("jobs", []):
            if kebab(name) == jid:
                jid = name
        out, i = jid, 2
        while out in used:
            out = f"{jid}-{i}"
            i += 1
        used.add(out)
        return out

    def _action_ref(self, repo: str, default: str) -> str:
        for a in self.p.names.names.get("actions", []):
            if a.split("@")[0].lower() == repo:
                return a
        return f"{repo}@{default}"

    def _setup(
        self, job: Job, head: str, langs: dict[str, str], piece: str, cache: bool = False
    ) -> list[Step]:
        if head == "" and re.search(
            r"\b(?:comment|label|close|triage|assign|greet|welcome|thank|reply)\b", piece, re.I
        ):
            return []
        steps = [
            Step(
                "action",
                name=_title("check out code"),
                target=self._action_ref("actions/checkout", "v4"),
            )
        ]
        if "node" in langs:
            args: dict[str, object] = {"node-version": langs["node"]}
            if cache:
                args["cache"] = langs.get("pm", "npm")
            steps.append(
                Step(
                    "action",
                    name=_title("set up node" + (" with cache" if cache else "")),
                    target=self._action_ref("actions/setup-node", "v4"),
                    args=args,
                )
            )
            steps.append(
                Step(
                    "shell",
                    name=_title("install dependencies"),
                    target={
                        "npm": "npm ci",
                        "yarn": "yarn install --frozen-lockfile",
                        "pnpm": "pnpm install --frozen-lockfile",
                    }[langs.get("pm", "npm")],
                )
            )
        if "python" in langs:
            pargs: dict[str, object] = {"python-version": langs["python"]}
            if cache:
                pargs["cache"] = "pip"
            steps.append(
                Step(
                    "action",
                    name=_title("set up python" + (" with cache" if cache else "")),
                    target=self._action_ref("actions/setup-python", "v5"),
                    args=pargs,
                )
            )
            steps.append(
                Step(
                    "shell",
                    name=_title("install dependencies"),
                    target="python -m pip install -r requirements.txt",
                )
            )
        if "go" in langs:
            steps.append(
                Step(
                    "action",
                    name=_title("set up go"),
                    target=self._action_ref("actions/setup-go", "v5"),
                    args={"go-version": langs["go"]},
                )
            )
        if "java" in langs:
            steps.append(
                Step(
                    "action",
                    name=_title("set up java"),
                    target=self._action_ref("actions/setup-java", "v4"),
                    args={"java-version": langs["java"], "distribution": "temurin"},
                )
            )
        return steps

    def _steps(
        self,
        head: str,
        verb: str,
        obj: list[str],
        piece: str,
        langs: dict[str, str],
        secrets: list[str],
        label: str,
    ) -> list[Step]:
        p = self.p
        low = piece.lower()
        raw = p.prot.restore(piece)
        step_secrets = [s for s in secrets if s in piece or s.lower().replace("_", " ") in low]
        p.item("step", label.lower(), (), 0, raw)
        args: dict[str, object] = {}
        if step_secrets:
            args["env"] = {s: "${{ secrets." + s + " }}" for s in step_secrets}
        name = _title(re.sub(r"[`\"]", "", raw).strip(" ,.") or label)
        cmd = re.search(r"qq\d+qq", piece)
        if cmd and not p.prot.raw(cmd.group(0)).startswith("http"):
            return [Step("shell", name=name, target=p.prot.raw(cmd.group(0)), args=args)]
        if re.search(r"\bpypi\b", low) and verb in ("upload", "publish", "push", "release", "deploy", "ship"):
            # PyPI: twine with the token the request names (a third-party action would need a pin)
            pub_env: dict[str, str] = (
                {"TWINE_USERNAME": "__token__", "TWINE_PASSWORD": "${{ secrets." + step_secrets[0] + " }}"}
                if step_secrets
                else {}
            )
            return [
                Step(
                    "shell",
                    name=name,
                    target="python -m pip install twine && python -m twine upload --repository pypi dist/*",
                    args={"env": pub_env} if pub_env else {},
                )
            ]
        if verb in ("upload", "save", "archive", "store", "attach") or re.search(r"\bupload\b", low):
            what = kebab(obj) or "artifact"
            path = (
                "coverage/"
                if "coverage" in low
                else "test-results/"
                if "result" in low
                else "logs/"
                if "log" in low
                else "dist/"
            )
            return [
                Step(
                    "action",
                    name=name,
                    target=self._action_ref("actions/upload-artifact", "v4"),
                    args={"name": what, "path": path},
                )
            ]
        if verb in ("open", "create", "file") and re.search(r"\bissue\b", low):
            title = re.sub(r"[^\w .,:-]", "", raw)[:80]
            script = f"github.rest.issues.create({{...context.repo, title: '{title}'}})"
            return [
                Step(
                    "action",
                    name=name,
                    target=self._action_ref("actions/github-script", "v7"),
                    args={"script": script},
                )
            ]
        if verb == "download":
            return [
                Step(
                    "action",
                    name=name,
                    target=self._action_ref("actions/download-artifact", "v4"),
                    args={"name": kebab(obj) or "artifact"},
                )
            ]
        if (
            verb
            in (
                "comment",
                "reply",
                "thank",
                "greet",
                "welcome",
                "label",
                "close",
                "assign",
                "post",
                "respond",
                "tag",
                "mark",
            )
            and (re.search(r"\b(?:issue|pr|pull request|comment|label)\w*\b", low) or self.issue_event)
            and not (re.search(r"\b(?:slack|teams|discord|webhook)\b", low) and step_secrets)
            or verb in ("comment", "label")
        ):
            body = raw.replace("'", " ").replace("`", " ")[:120]
            if verb == "close" and "stale" in low:
                return [Step("action", name=name, target=self._action_ref("actions/stale", "v9"))]
            if verb == "label" or "label" in low:
                lm = re.search(
                    r"\b(?:the\s+|a\s+)?[\"'`]?([\w:./-]+)[\"'`]?\s+label\b|\blabel(?:l?ed)?\s+(?:it|them|the \w+)?\s*(?:as|with)\s+[\"'`]?([\w:./-]+)",
                    raw,
                    re.I,
                )
                got = next((g for g in (lm.groups() if lm else ()) if g), "")
                tag = (
                    got
                    if got and got.lower() not in _DETERMINERS and got.lower() not in ("new", "the")
                    else "needs-triage"
                )
                script = f"github.rest.issues.addLabels({{...context.repo, issue_number: context.issue.number, labels: ['{tag}']}})"
            elif verb == "close":
                script = "github.rest.issues.update({...context.repo, issue_number: context.issue.number, state: 'closed'})"
            elif re.search(r"\b(?:on|to)\s+the\s+commit\b", low):
                # a comment on the commit that ran the workflow
                script = f"github.rest.repos.createCommitComment({{...context.repo, commit_sha: context.sha, body: '{body}'}})"
            else:
                script = f"github.rest.issues.createComment({{...context.repo, issue_number: context.issue.number, body: '{body}'}})"
            return [
                Step(
                    "action",
                    name=name,
                    target=self._action_ref("actions/github-script", "v7"),
                    args={"script": script},
                )
            ]
        if (
            verb in ("notify", "alert", "message", "ping", "post", "send")
            and re.search(r"\b(?:slack|teams|discord|channel|webhook)\b", low)
            and step_secrets
        ):
            var = step_secrets[0]  # only a webhook the request names: no invented secret
            text = re.sub(r"[^\w .,:-]", "", raw)[:80]
            return [
                Step(
                    "shell",
                    name=name,
                    target=f'curl -fsS -X POST -H \'Content-Type: application/json\' -d \'{{"text": "{text}"}}\' "${var}"',
                    args=args,
                )
            ]
        node_tool = re.search(
            r"\b(?:with|using|via|through)\s+(eslint|jest|vitest|prettier|tsc|playwright|mocha)\b", low
        )
        if node_tool:
            # "check formatting with prettier", "run the e2e tests with playwright": that tool
            tool_cmd = {
                "prettier": "npx prettier --check .",
                "eslint": "npx eslint .",
                "playwright": "npx playwright test",
            }
            t_ = node_tool.group(1)
            return [Step("shell", name=name, target=tool_cmd.get(t_, f"npx {t_}"), args=args)]
        if re.match(r"^(?:run|execute)\b", low):
            rest = re.sub(r"^(?:run|execute)\s+(?:the\s+)?", "", raw, flags=re.I)
            tool = re.match(r"^(eslint|jest|vitest|prettier|tsc|playwright|mocha)\b(.*)$", rest)
            if tool:
                return [
                    Step(
                        "shell",
                        name=name,
                        target=f"npx {tool.group(1)}"
                        + (" ." if tool.group(1) in ("eslint", "prettier") else ""),
                        args=args,
                    )
                ]
            known = re.match(rf"^({'|'.join(map(re.escape, _TOOL_COMMANDS))})\b(.*)$", rest, re.I)
            if known:
                cmd_ = _TOOL_COMMANDS[known.group(1).lower()]
                if known.group(1).lower() == "pytest" and re.search(r"\bcoverage\b", known.group(2), re.I):
                    cmd_ = "pytest --cov --cov-report=xml"
                return [Step("shell", name=name, target=cmd_, args=args)]
            sm = re.search(r"[\w./-]+\.(?:sh|py|js|ts)\b", rest)
            if sm:
                return [
                    Step(
                        "shell",
                        name=name,
                        target=sm.group(0) if "/" in sm.group(0) else "./" + sm.group(0),
                        args=args,
                    )
                ]
            if (
                re.match(
                    r"^(?:npm|yarn|pnpm|npx|make|python|pytest|go|cargo|mvn|gradle|docker|bash|sh|tox|ruff|mypy|bundle|rake|dotnet|hugo|terraform|helm|kubectl|\./)\b",
                    rest,
                )
                and not re.search(r"\b(?:with|on|for|using)\b", rest)
                # a command as written: plain words, no quotes, no shell keyword among them
                and re.fullmatch(r"[\w./:@=+-]+(?:\s+[\w./:@=+*-]+)*", rest.strip())
                and not re.search(r"\b(?:do|done|then|fi|if|else|esac|case|in|while|until|for)\b", rest)
                and not re.fullmatch(
                    r"(?:python|go|node)\s+(?:unit\s+|integration\s+|e2e\s+)?(?:tests?|test suite|suite|checks?|linters?)",
                    rest.strip(),
                    re.I,
                )
            ):
                if re.fullmatch(r"go (?:test|build|vet)", rest.strip()):
                    rest = rest.strip() + " ./..."
                return [Step("shell", name=name, target=rest, args=args)]
        if head:
            return [Step("shell", name=name, target=self._command(head, langs, piece), args=args)]
        if verb == "cache" and not ("node" in langs or "python" in langs):
            # no setup action caches this: actions/cache, on cached the request names
            cached = [
                w for w in obj if w not in ("directory", "folder", "dir", "the", "dependencies", "deps")
            ]
            path = {"cargo": "~/.cargo/registry", "go": "~/go/pkg/mod", "maven": "~/.m2/repository"}.get(
                cached[0] if cached else "", "/".join(cached) or ".cache"
            )
            if "rust" in langs and not cached:
                path = "target"
            return [
                Step(
                    "action",
                    name=name,
                    target=self._action_ref("actions/cache", "v4"),
                    args={
                        "path": path,
                        "key": "${{ runner.os }}-" + kebab(cached or ["deps"]) + "-${{ github.sha }}",
                    },
                )
            ]
        if verb == "cache" or verb == "install" and ("node" in langs or "python" in langs):
            return []  # the setup step caches and installs
        return [Step("shell", name=name, target="", args=args)]


# -- the entry point -------------------------------------------------------------------------------


def extract(
    request: str, dialect: str = "serverless", names: Mapping[str, Sequence[str]] | None = None
) -> Intent:
    """What ``request`` states, and a plan that covers it (see the module docstring)."""
    dialect = "github" if dialect == "github" else "serverless"
    prot = _Protect()
    text = prot.protect(_clean(request, dialect))
    parser = _Parser(dialect, _Names(names), prot)
    if dialect == "github":
        plan = _GitHub(parser).extract(text)
        return Intent(
            request, dialect, [it for i, it in enumerate(parser.items) if i not in parser.dropped], plan
        )
    cron, rest, phrase = _schedule(text)
    if (
        cron
        and re.fullmatch(r"every\s+\S+(?:\s+\S+)?", phrase.strip(), re.I)
        and re.search(rf"{re.escape(phrase.strip())}\s+(?:until|till)\b", text, re.I)
    ):
        cron, phrase = "", ""  # "poll it every minute until it is done": the loop's pace, not a schedule
    else:
        text = rest
    timeout, text = _timeout(text)
    text = _tidy(text)
    steps = parser.parse(text)
    _finish(parser, steps)
    plan = Plan(steps=steps, schedule=cron, timeout=timeout)
    items = [it for i, it in enumerate(parser.items) if i not in parser.dropped]
    if cron:
        items.append(Item("schedule", cron, (), 0, prot.restore(phrase).strip()))
    if timeout:
        items.append(Item("timeout", timeout, (), 0, timeout))
    return Intent(request, dialect, items, plan)


def _finish(p: _Parser, steps: list[Step]) -> None:
    """Step items follow the plan's order; branch items get their outcomes and case count;
    single-case branches get the implicit default; fallbacks get their phrase."""
    from wfspec.llm.plan import walk as _walk

    order = [p.step_item[id(s)] for s in _walk(steps) if id(s) in p.step_item]
    slots = sorted(order)
    moved = [p.items[i] for i in order]
    for i, it in zip(slots, moved, strict=True):
        p.items[i] = it
    from wfspec.llm.plan import ACTIONS, walk

    for s in list(walk(steps)):
        if s.kind == "loop" and not s.steps:
            s.steps.append(Step("wait", name=p.fresh("wait", "wait"), target="PT1M"))
        if s.kind == "try" and s.catch and id(s) in p.cond_items:
            idx = p.cond_items[id(s)]
            it = p.items[idx]
            if it.kind == "fallback" and not it.values:
                first = next((x for x in walk(s.catch) if x.kind in ACTIONS), None)
                if first is not None:
                    phrase = p.step_text.get(id(first)) or " ".join(_split_words(first.name))
                    p.items[idx] = Item("fallback", it.name, (phrase,), it.count, it.text)
        if s.kind == "branch":
            if not any(not c.when for c in s.cases):
                s.cases.append(Case("", []))
            idx = p.cond_items.get(id(s), -1)
            if idx >= 0:
                it = p.items[idx]
                outcomes = []
                for c in s.cases:
                    first = next(
                        (x for x in walk(c.steps) if id(x) in p.step_text or x.kind in ACTIONS), None
                    )
                    if first is not None:
                        outcomes.append(p.step_text.get(id(first)) or " ".join(_split_words(first.name)))
                p.items[idx] = Item("branch", it.name, tuple(outcomes), len(s.cases), it.text)
