#!/usr/bin/env bash
# Private RabbitMQ nodes on this machine, beside (never touching) the default broker on 5672:
# one standalone node to restart freely in tests, or a cluster of several. Each node runs the
# installed rabbitmq-server as the `rabbitmq` user with its own node name, AMQP and distribution
# ports and data folders under $KAEL_RABBIT_DIR/<prefix>/.
#
#   scripts/rabbitmq-nodes.sh start   [N]   start N nodes (default 3) and join them into one cluster
#   scripts/rabbitmq-nodes.sh stop    I     stop node I gracefully (1-based)
#   scripts/rabbitmq-nodes.sh kill    I     kill -9 node I
#   scripts/rabbitmq-nodes.sh restart I     start node I again (after stop or kill) and wait for it
#   scripts/rabbitmq-nodes.sh urls          the AMQP URLs, comma-separated
#   scripts/rabbitmq-nodes.sh status        which nodes run
#   scripts/rabbitmq-nodes.sh ctl I ARG...  rabbitmqctl ARG... against node I (0: the first node that runs)
#   scripts/rabbitmq-nodes.sh down          stop every node and delete the folders
#
# Settings (environment): KAEL_RABBIT_PREFIX (node names <prefix>N@localhost, default kaelc),
# KAEL_RABBIT_PORT (AMQP port of node 1, default 5681; node N gets +N-1; distribution ports +20000),
# KAEL_RABBIT_DIR (default /tmp/kael-rabbit).
set -euo pipefail

PREFIX="${KAEL_RABBIT_PREFIX:-kaelc}"
BASE_PORT="${KAEL_RABBIT_PORT:-5681}"
ROOT="${KAEL_RABBIT_DIR:-/tmp/kael-rabbit}/$PREFIX"
RMQ_BIN=/usr/lib/rabbitmq/bin

log() { echo "rabbitmq-nodes[$PREFIX]: $*" >&2; }
node_name() { echo "${PREFIX}$1@localhost"; }
amqp_port() { echo $((BASE_PORT + $1 - 1)); }
dist_port() { echo $((BASE_PORT + $1 - 1 + 20000)); }
node_dir() { echo "$ROOT/node$1"; }
count() { [ -f "$ROOT/count" ] && cat "$ROOT/count" || echo 0; }

as_rabbitmq() {
  # Runs a command as the rabbitmq user with node I's environment (HOME holds the shared Erlang cookie).
  local i=$1
  shift
  local d
  d=$(node_dir "$i")
  su rabbitmq -s /bin/bash -c "cd /var/lib/rabbitmq && env HOME=/var/lib/rabbitmq \
    RABBITMQ_NODENAME=$(node_name "$i") RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT=$(amqp_port "$i") RABBITMQ_DIST_PORT=$(dist_port "$i") \
    RABBITMQ_MNESIA_BASE=$d/mnesia RABBITMQ_LOG_BASE=$d/log RABBITMQ_PID_FILE=$d/pid \
    RABBITMQ_CONFIG_FILE=$d/rabbitmq.conf RABBITMQ_CONF_ENV_FILE=$d/rabbitmq-env.conf \
    RABBITMQ_ENABLED_PLUGINS_FILE=$d/enabled_plugins RABBITMQ_ADVANCED_CONFIG_FILE=$d/advanced.config \
    ERL_EPMD_ADDRESS=127.0.0.1 $*"
}

ctl() {
  local i=$1
  shift
  as_rabbitmq "$i" "$RMQ_BIN/rabbitmqctl -n $(node_name "$i") $*"
}

port_open() { timeout 1 bash -c "</dev/tcp/127.0.0.1/$1" 2>/dev/null; }

wait_up() {
  local i=$1
  for _ in $(seq 1 120); do
    if ctl "$i" -q await_startup --timeout 2 >/dev/null 2>&1 && port_open "$(amqp_port "$i")"; then return 0; fi
    sleep 0.5
  done
  log "node $i did not come up; its log:"
  tail -n 40 "$(node_dir "$i")"/log/*.log >&2 || true
  return 1
}

prepare() {
  local i=$1 d
  d=$(node_dir "$i")
  mkdir -p "$d/mnesia" "$d/log"
  printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users = none\n' "$(amqp_port "$i")" >"$d/rabbitmq.conf"
  : >"$d/rabbitmq-env.conf"
  echo '[].' >"$d/enabled_plugins"
  echo '[].' >"$d/advanced.config"
  chown -R rabbitmq:rabbitmq "$ROOT"
}

start_node() {
  local i=$1
  if port_open "$(amqp_port "$i")"; then
    log "node $i already answers on $(amqp_port "$i")"
    return 0
  fi
  as_rabbitmq "$i" "$RMQ_BIN/rabbitmq-server -detached" >/dev/null 2>&1
  wait_up "$i"
}

cmd="${1:-}"
case "$cmd" in
  start)
    n="${2:-3}"
    mkdir -p "$ROOT"
    echo "$n" >"$ROOT/count"
    for i in $(seq 1 "$n"); do
      if [ "$(amqp_port "$i")" = 5672 ]; then log "refusing to use port 5672 (the default broker)"; exit 1; fi
      prepare "$i"
    done
    for i in $(seq 1 "$n"); do start_node "$i"; done
    for i in $(seq 2 "$n"); do
      if ctl "$i" -q cluster_status 2>/dev/null | grep -q "$(node_name 1)"; then continue; fi
      {
        ctl "$i" -q stop_app
        ctl "$i" -q reset
        ctl "$i" -q join_cluster "$(node_name 1)"
        ctl "$i" -q start_app
      } >>"$(node_dir "$i")/log/join.log" 2>&1 || { log "node $i could not join; see $(node_dir "$i")/log/join.log"; exit 1; }
    done
    [ "$n" -gt 1 ] && ctl 1 -q await_online_nodes "$n" --timeout 60 >/dev/null 2>&1 || true
    log "$n node(s) up: $("$0" urls)"
    ;;
  stop)
    ctl "$2" -q stop >/dev/null 2>&1 || true
    ;;
  kill)
    pid=$(cat "$(node_dir "$2")/pid" 2>/dev/null || true)
    if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
    for _ in $(seq 1 40); do port_open "$(amqp_port "$2")" || break; sleep 0.1; done
    ;;
  restart)
    start_node "$2"
    ;;
  urls)
    urls=()
    for i in $(seq 1 "$(count)"); do urls+=("amqp://guest:guest@127.0.0.1:$(amqp_port "$i")"); done
    (IFS=,; echo "${urls[*]}")
    ;;
  status)
    for i in $(seq 1 "$(count)"); do
      if port_open "$(amqp_port "$i")"; then s=up; else s=down; fi
      echo "$(node_name "$i") amqp://127.0.0.1:$(amqp_port "$i") $s"
    done
    ;;
  ctl)
    i="$2"
    shift 2
    if [ "$i" = 0 ]; then
      for j in $(seq 1 "$(count)"); do port_open "$(amqp_port "$j")" && { i=$j; break; }; done
      [ "$i" = 0 ] && { log "no node runs"; exit 1; }
    fi
    ctl "$i" "$@"
    ;;
  down)
    for i in $(seq 1 "$(count)"); do
      ctl "$i" -q stop >/dev/null 2>&1 || "$0" kill "$i"
    done
    rm -rf "$ROOT"
    ;;
  *)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
