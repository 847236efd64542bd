"""Small helpers over the positioned YAML tree for the GitHub Actions dialect.

YAML merge keys (``<<: *anchor``) are expanded here, so lowering and the schema see a mapping's
effective entries; explicit keys win over merged ones, as YAML specifies.
"""

from __future__ import annotations

import re

from wfspec.syntax.tree import MapNode, Node, ScalarNode, SeqNode, Span

ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def entries(m: MapNode) -> list[tuple[ScalarNode, Node]]:
    """The (key, value) pairs of a mapping with scalar keys, merge keys expanded."""
    if "<<" not in m:
        return [(k, v) for k, v in m.pairs if isinstance(k, ScalarNode)]
    out: list[tuple[ScalarNode, Node]] = []
    merged: list[MapNode] = []
    for k, v in m.pairs:
        if not isinstance(k, ScalarNode):
            continue
        if k.value == "<<" and k.style == "":
            if isinstance(v, MapNode):
                merged.append(v)
            elif isinstance(v, SeqNode):
                merged.extend(i for i in v.items if isinstance(i, MapNode))
            continue
        out.append((k, v))
    if merged:
        seen = {k.value for k, _ in out}
        for src in merged:
            for k, v in entries(src):
                if k.value not in seen:
                    seen.add(k.value)
                    out.append((k, v))
    return out


def index(m: MapNode) -> tuple[dict[str, Node], dict[str, ScalarNode]]:
    """A mapping's values and key nodes by key (merge keys honoured, the first key wins): one
    pass, then plain dictionary lookups for every property a caller asks about."""
    values: dict[str, Node] = {}
    keys: dict[str, ScalarNode] = {}
    for k, v in entries(m):
        if k.value not in keys:
            keys[k.value] = k
            values[k.value] = v
    return values, keys


def has_merge(m: MapNode) -> bool:
    return "<<" in m


def get(m: MapNode | None, key: str) -> Node | None:
    """The value of ``key`` in ``m`` (merge keys honoured), or None."""
    if m is None:
        return None
    v = m.get(key)
    if v is not None or not has_merge(m):
        return v
    for k, val in entries(m):
        if k.value == key:
            return val
    return None


def key_node(m: MapNode, key: str) -> ScalarNode | None:
    """The key node of ``key`` in ``m`` (merge keys honoured), or None."""
    k = m.key_node(key)
    if k is not None or not has_merge(m):
        return k
    for kn, _ in entries(m):
        if kn.value == key:
            return kn
    return None


def contains(m: MapNode, key: str) -> bool:
    return key in m or (has_merge(m) and any(k.value == key for k, _ in entries(m)))


def as_map(node: Node | None) -> MapNode | None:
    return node if isinstance(node, MapNode) else None


def is_expr(node: Node | None) -> bool:
    """True for a string scalar holding a ``${{ }}`` expression."""
    return isinstance(node, ScalarNode) and "${{" in node.value


def text(node: Node | None) -> str | None:
    """The text of a non-null scalar, or None."""
    if isinstance(node, ScalarNode) and node.tag != "null":
        return node.value
    return None


def describe(node: Node | None) -> str:
    """A short name of a node's kind for messages."""
    if node is None:
        return "nothing"
    if isinstance(node, MapNode):
        return "a mapping"
    if isinstance(node, SeqNode):
        return "a sequence"
    if node.tag == "null":
        return "null"
    return {"bool": "a boolean", "int": "a number", "float": "a number"}.get(node.tag, "a string")


def key_span(m: MapNode, key: str) -> Span:
    k = key_node(m, key)
    return k.span if k is not None else m.span
