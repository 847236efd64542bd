"""LLM features: workflows from comments and repairs of findings, validated before offered.

``provider`` (OpenAI-compatible client and settings), ``embedded`` (the local default model),
``retrieval``, ``prompts``, ``extract``, ``validate``, ``generate``, ``repair``, ``redact`` and
``cli``. No LSP types here: the language server adapts these to the protocol. The model
proposes; :func:`wfspec.analysis.engine.analyze` disposes.
"""
