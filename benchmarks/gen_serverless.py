"""Generate synthetic Serverless Workflow specs of a given size for benchmarks and scale tests.

Shapes mix what real specs do: chains of calls, switch fan-out with ``then`` jumps, nested
``do``/``for``/``try`` scopes, secrets and functions used from expressions.
"""

from __future__ import annotations


def generate(n_tasks: int, seed: int = 0) -> str:
    """A valid spec with about ``n_tasks`` tasks in total (top-level plus nested)."""
    out = [
        "document:",
        "  dsl: '1.0.3'",
        "  namespace: bench",
        f"  name: generated-{n_tasks}",
        "  version: '1.0.0'",
        "use:",
        "  secrets:",
        "    - apiKey",
        "  functions:",
        "    notify:",
        "      call: http",
        "      with:",
        "        method: post",
        "        endpoint: https://hooks.example.com/notify",
        "do:",
    ]
    count = 0
    block = 0
    while count < n_tasks:
        b = block
        shape = b % 4
        if shape == 0:  # a chain of http calls
            for i in range(5):
                out += [
                    f"  - fetch{b}_{i}:",
                    "      call: http",
                    "      with:",
                    "        method: get",
                    f"        endpoint: https://api.example.com/items/{b}/{i}",
                    "        headers:",
                    '          authorization: ${ "Bearer " + $secrets.apiKey }',
                    "      output:",
                    f"        as: ${{ .items | map(select(.id > {i})) }}",
                ]
            count += 5
        elif shape == 1:  # a switch fanning out to three targets that rejoin
            out += [
                f"  - route{b}:",
                "      switch:",
                f"        - high{b}:",
                '            when: .priority == "high"',
                f"            then: high{b}",
                f"        - low{b}:",
                '            when: .priority == "low"',
                f"            then: low{b}",
                f"        - other{b}:",
                f"            then: other{b}",
                f"  - high{b}:",
                "      call: notify",
                "      with:",
                "        text: high",
                f"      then: join{b}",
                f"  - low{b}:",
                "      set:",
                "        level: low",
                f"      then: join{b}",
                f"  - other{b}:",
                "      set:",
                "        level: other",
                f"  - join{b}:",
                "      set:",
                '        joined: ${ .level // "none" }',
            ]
            count += 5
        elif shape == 2:  # nested scopes: do > for > try
            out += [
                f"  - outer{b}:",
                "      do:",
                f"        - loop{b}:",
                "            for:",
                "              each: item",
                "              in: .items",
                "            do:",
                f"              - guarded{b}:",
                "                  try:",
                f"                    - call{b}:",
                "                        call: http",
                "                        with:",
                "                          method: get",
                "                          endpoint: https://api.example.com/check",
                "                  catch:",
                "                    do:",
                f"                      - recover{b}:",
                "                          set:",
                "                            recovered: true",
            ]
            count += 5
        else:  # a bounded retry loop through then
            out += [
                f"  - attempt{b}:",
                "      set:",
                "        attempts: ${ (.attempts // 0) + 1 }",
                f"  - check{b}:",
                "      switch:",
                f"        - done{b}:",
                "            when: .attempts >= 3",
                "            then: continue",
                f"        - again{b}:",
                f"            then: attempt{b}",
            ]
            count += 2
        block += 1
    return "\n".join(out) + "\n"
