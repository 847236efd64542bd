"""A ``schedule`` cron that does not parse: five fields (minute, hour, day of month, month, day of
week), each ``*``, a number, a range ``a-b``, a step ``*/n`` or ``a-b/n``, or a comma list of
those; months ``JAN``-``DEC`` and weekdays ``SUN``-``SAT`` by name; values inside each field's
range. A schedule that runs more often than every 5 minutes is a warning (GitHub runs scheduled
workflows at most that often), and so is a ``timezone`` that is not an IANA time zone name. The
range is the cron string (or the timezone).

Bad::

    on:
      schedule:
        - cron: "0 25 * * MON"
    jobs:
      nightly:
        runs-on: ubuntu-latest
        steps:
          - run: make nightly

Good::

    on:
      schedule:
        - cron: "0 2 * * MON"
    jobs:
      nightly:
        runs-on: ubuntu-latest
        steps:
          - run: make nightly
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from wfspec.analysis.rules.base import Context, make_rule
from wfspec.dialects.github import facts
from wfspec.findings import Finding, Severity

FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 6),
)
MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
DAYS = {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}
#: starter-workflow template placeholders such as ``$cron-weekly``
PLACEHOLDER = re.compile(r"^\$[a-z][a-z-]*$")
_NUM = re.compile(r"^[0-9]+$")


class CronError(ValueError):
    """What is wrong with a cron string."""


def _value(token: str, index: int) -> int:
    name, lo, hi = FIELDS[index]
    names = MONTHS if index == 3 else DAYS if index == 4 else {}
    low = token.lower()
    if low in names:
        return names[low]
    if not _NUM.match(token):
        raise CronError(f'"{token}" is not a number in the {name} field')
    v = int(token)
    if not lo <= v <= hi:
        raise CronError(f"{v} is out of range in the {name} field ({lo}-{hi})")
    return v


def parse_field(text: str, index: int) -> set[int]:
    """The values a field matches; raises CronError."""
    name, lo, hi = FIELDS[index]
    out: set[int] = set()
    for part in text.split(","):
        if not part:
            raise CronError(f'an empty list entry in the {name} field "{text}"')
        base, slash, step_s = part.partition("/")
        step = 1
        if slash:
            if not _NUM.match(step_s) or int(step_s) == 0:
                raise CronError(f'invalid step "{step_s}" in the {name} field')
            step = int(step_s)
        if base == "*":
            a, b = lo, hi
        elif "-" in base:
            x, _, y = base.partition("-")
            a, b = _value(x, index), _value(y, index)
            if a > b:
                raise CronError(f'range "{base}" runs backwards in the {name} field')
        else:
            a = _value(base, index)
            b = hi if slash else a
        out.update(range(a, b + 1, step))
    return out


@lru_cache(maxsize=256)
def parse(cron: str) -> tuple[frozenset[int], ...]:
    """The five value sets of a cron string; raises CronError."""
    fields = cron.split()
    if len(fields) != 5:
        raise CronError(
            f"a cron needs 5 fields (minute hour day-of-month month day-of-week), not {len(fields)}"
        )
    return tuple(frozenset(parse_field(f, i)) for i, f in enumerate(fields))


def shortest_interval(sets: tuple[frozenset[int], ...]) -> int:
    """The shortest time between two runs, in minutes (a lower bound)."""
    minutes = sorted(sets[0])
    hours = sets[1]
    if len(minutes) > 1:
        gap = min(b - a for a, b in zip(minutes, minutes[1:], strict=False))
    else:
        gap = 60
    if len(hours) == 24 or any((h + 1) % 24 in hours for h in hours):
        gap = min(gap, 60 - minutes[-1] + minutes[0])
    return gap


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    try:
        import zoneinfo

        return frozenset(zoneinfo.available_timezones())
    except Exception:  # noqa: BLE001 - no time zone data: timezones are not checked
        return frozenset()


def check(ctx: Context) -> Iterable[Finding]:
    for sched in facts.of(ctx.workflow.payload).schedules:
        cron = sched.cron
        if cron is not None and cron.tag != "null" and not PLACEHOLDER.match(cron.value.strip()):
            try:
                sets = parse(cron.value)
            except CronError as exc:
                yield RULE.finding(
                    cron.span, f'invalid cron "{cron.value}": {exc}', data={"cron": cron.value}
                )
            else:
                gap = shortest_interval(sets)
                if gap < 5:
                    yield RULE.finding(
                        cron.span,
                        f'the cron "{cron.value}" runs every {gap} minute{"s" if gap > 1 else ""}; GitHub runs '
                        "scheduled workflows at most every 5 minutes",
                        severity=Severity.WARNING,
                        data={"cron": cron.value, "interval": gap},
                    )
        tz = sched.timezone
        zones = _zones()
        if tz is not None and tz.value and zones and "${{" not in tz.value and tz.value not in zones:
            yield RULE.finding(
                tz.span,
                f'unknown time zone "{tz.value}"; use an IANA time zone name such as "Europe/Berlin"',
                severity=Severity.WARNING,
                data={"timezone": tz.value},
            )


RULE = make_rule(
    __name__, Severity.ERROR, "a schedule cron that does not parse", check, dialects=frozenset({"github"})
)
