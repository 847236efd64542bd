"""Independent checks that a generated workflow does what its request asks, for the requests
the CLI and editor tests send to the embedded model.

These read the YAML with a plain loader and look for the structure by hand: they share no code
with ``wfspec.llm.coverage``, so a bug there cannot hide here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML


def load(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def tasks(items: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, body) of every task in a ``do:`` list, nested ones included (depth first)."""
    if not isinstance(items, list):
        return
    for entry in items:
        if not isinstance(entry, dict) or len(entry) != 1:
            continue
        ((name, body),) = entry.items()
        if not isinstance(body, dict):
            continue
        yield str(name), body
        yield from tasks(body.get("do"))
        fork = body.get("fork")
        if isinstance(fork, dict):
            yield from tasks(fork.get("branches"))
        yield from tasks(body.get("try"))
        catch = body.get("catch")
        if isinstance(catch, dict):
            yield from tasks(catch.get("do"))


def top(items: Any) -> list[tuple[str, dict[str, Any]]]:
    """(name, body) of the tasks of one ``do:`` list, not nested ones."""
    out = []
    for entry in items if isinstance(items, list) else []:
        if isinstance(entry, dict) and len(entry) == 1:
            ((name, body),) = entry.items()
            if isinstance(body, dict):
                out.append((str(name), body))
    return out


def said(name: str, body: dict[str, Any]) -> str:
    """Everything a task says about itself, lower-case: its name and its body's scalars."""
    words = [re.sub(r"([a-z])([A-Z])", r"\1 \2", name)]

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                if k not in ("do", "branches", "try"):
                    words.append(str(k))
                    walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif v is not None:
            words.append(str(v))

    walk(body)
    return " ".join(words).lower()


def case_targets(body: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """(case name, is default, then target) of a switch task."""
    out = []
    for case in body.get("switch") or []:
        if isinstance(case, dict) and len(case) == 1:
            ((name, c),) = case.items()
            if isinstance(c, dict):
                out.append((str(name), "when" not in c, str(c.get("then", ""))))
    return out


def reached(do: Any, start: str) -> list[tuple[str, dict[str, Any]]]:
    """The tasks the flow runs from task ``start`` of a ``do:`` list (following ``then:`` and
    falling through), up to ``end`` or the end of the list; the nested ones of each included."""
    order = top(do)
    index = {n: i for i, (n, _) in enumerate(order)}
    out: list[tuple[str, dict[str, Any]]] = []
    at = index.get(start)
    seen: set[int] = set()
    while at is not None and at not in seen and at < len(order):
        seen.add(at)
        name, body = order[at]
        out.append((name, body))
        out.extend(tasks(body.get("do")))
        then = body.get("then")
        if then in ("end", "exit"):
            break
        at = index.get(str(then)) if isinstance(then, str) and then != "continue" else at + 1
    return out


def is_call(body: dict[str, Any], kind: str | None = None) -> bool:
    call = body.get("call")
    return isinstance(call, str) and (kind is None or call == kind)


def scope_of(do: Any, name: str) -> Any:
    """The ``do:`` list (at any depth) that holds task ``name`` directly."""
    if any(n == name for n, _ in top(do)):
        return do
    for _, body in top(do):
        nested = [body.get("do"), body.get("try")]
        fork = body.get("fork")
        if isinstance(fork, dict):
            nested.append(fork.get("branches"))
        catch = body.get("catch")
        if isinstance(catch, dict):
            nested.append(catch.get("do"))
        for inner in nested:
            found = scope_of(inner, name)
            if found is not None:
                return found
    return None
