"""The model of the end-to-end run: an OpenAI-compatible server on 127.0.0.1 (the scripted server
of ``tests/llm/scripted.py``) that answers each request from what it asks for, so that ghost
text, "Generate from comment" and "Fix with AI" have something to validate in real VS Code
without the embedded model's minutes on a small machine:

- an outline (``response_format`` named ``outline``): none, so the tasks come from the fill-in;
- tasks (``tasks``, or plain text): one ``set`` task that records the comment's request, with a
  name not used before in this run;
- a repair choice (``repair``): the analyzer's first candidate.

Prints its base URL on the first line of stdout and serves until it is terminated.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from tests.llm.scripted import Reply, ScriptedServer  # noqa: E402


class E2EModel(ScriptedServer):
    """Answers made from the request instead of a script."""

    def _next(self) -> Reply:
        with self._lock:
            request = self.requests[-1]
            count = len(self.requests)
        fmt = request.body.get("response_format") or {}
        name = (fmt.get("json_schema") or {}).get("name")
        if name == "outline":
            return Reply("{}")
        if name == "repair":
            return Reply(json.dumps({"choice": 1, "replacement": ""}))
        tasks = f"- setStatus{count}:\n    set:\n      status: done\n"
        if name == "tasks":
            return Reply(json.dumps({"yaml": tasks}))
        return Reply(f"```yaml\n{tasks}```")


def main() -> None:
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with E2EModel() as model:
        print(model.base_url, flush=True)
        done.wait()


if __name__ == "__main__":
    main()
