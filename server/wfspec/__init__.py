"""wfspec: a language server and linter for workflow YAML (Serverless Workflow, GitHub Actions)."""

__version__ = "0.1.0"
