"""Deterministic fixes specific to GitHub Actions: add a missing ``needs`` entry for a
``needs.X`` reference, and declare a job output that another job reads."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from wfspec.findings import Finding
from wfspec.fsio import newline_of
from wfspec.ir import TaskNode
from wfspec.syntax.tree import MapNode, ScalarNode, SeqNode, line_end, line_start

if TYPE_CHECKING:
    from wfspec.analysis.engine import Analysis


def _edit(start: int, end: int, text: str) -> tuple[int, int, str]:
    return start, end, text


def _job(analysis: Analysis, name: str) -> TaskNode | None:
    wf = analysis.workflow
    if wf is None:
        return None
    for node in wf.nodes.values():
        if node.kind == "job" and node.name.lower() == name.lower():
            return node
    return None


def _indent(text: str, offset: int) -> str:
    m = re.match(r"[ ]*", text[line_start(text, offset) :])
    return m.group(0) if m else ""


def _nl(text: str) -> str:
    return newline_of(text)


def add_need(analysis: Analysis, finding: Finding) -> tuple[str, list[tuple[int, int, str]]] | None:
    """(title, edits) adding ``data["missing_need"]`` to the needs of ``data["job"]``."""
    need = finding.data.get("missing_need")
    job_name = finding.data.get("job")
    if not isinstance(need, str) or not isinstance(job_name, str):
        return None
    job = _job(analysis, job_name)
    if job is None or job.mapping is None or job.mapping.flow:
        return None
    text = analysis.text
    title = f'Add "{need}" to the needs of job "{job.name}"'
    needs = job.mapping.get("needs")
    if isinstance(needs, ScalarNode) and not needs.is_null:
        return title, [_edit(needs.start_offset, needs.end_offset, f"[{needs.value}, {need}]")]
    if isinstance(needs, SeqNode):
        if needs.flow:
            close = needs.end_offset - 1
            return title, [_edit(close, close, f", {need}" if needs.items else need)]
        if not needs.items:
            return None
        last = needs.items[-1]
        end = line_end(text, last.end_offset - 1)
        line = f"{_indent(text, last.start_offset)}- {need}{_nl(text)}"
        return title, [_edit(end, end, line)]
    if needs is None and job.mapping.pairs:
        first = job.mapping.pairs[0][0]
        at = line_start(text, first.start_offset)
        return title, [_edit(at, at, f"{_indent(text, first.start_offset)}needs: {need}{_nl(text)}")]
    return None


def declare_output(analysis: Analysis, finding: Finding) -> tuple[str, list[tuple[int, int, str]]] | None:
    """(title, edits) declaring ``data["output"]`` under ``jobs.<job>.outputs``, read from the
    job's last step with an id (outputs written to $GITHUB_OUTPUT are dynamic, so the step may
    well set it)."""
    output = finding.data.get("output")
    job_name = finding.data.get("job")
    if not isinstance(output, str) or not isinstance(job_name, str) or finding.data.get("context") != "needs":
        return None
    job = _job(analysis, job_name)
    if job is None or job.mapping is None or job.mapping.flow:
        return None
    steps = job.mapping.get("steps")
    step_id = None
    if isinstance(steps, SeqNode):
        for step in steps.items:
            if isinstance(step, MapNode):
                sid = step.get("id")
                if isinstance(sid, ScalarNode) and sid.value:
                    step_id = sid.value
    if step_id is None:
        return None
    text = analysis.text
    nl = _nl(text)
    value = f"${{{{ steps.{step_id}.outputs.{output} }}}}"
    title = f'Declare output "{output}" of job "{job.name}" from step "{step_id}"'
    outputs = job.mapping.get("outputs")
    if isinstance(outputs, MapNode):
        if outputs.flow or not outputs.pairs:
            return None
        last_key = outputs.pairs[-1][0]
        last_val = outputs.pairs[-1][1]
        end = line_end(text, max(last_val.end_offset - 1, last_key.end_offset))
        return title, [_edit(end, end, f"{_indent(text, last_key.start_offset)}{output}: {value}{nl}")]
    if outputs is None and job.mapping.pairs:
        first = job.mapping.pairs[0][0]
        ind = _indent(text, first.start_offset)
        at = line_start(text, first.start_offset)
        return title, [_edit(at, at, f"{ind}outputs:{nl}{ind}  {output}: {value}{nl}")]
    return None
