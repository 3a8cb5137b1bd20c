#!/usr/bin/env bash
# The project's AWS emulator: moto server in a project-local virtualenv.
#
#   moto.sh ensure                 create tests/emulator/.venv if missing or stale
#   moto.sh start [--watch PID]    start moto on a free 127.0.0.1 port, wait until it
#                                  answers, print "PORT PID"; with --watch, stop the
#                                  server when process PID exits
#   moto.sh stop PID               stop a server started here
#
# moto is pinned in requirements.txt. 5.1.22 is the pin: 5.2.x answers
# GetBucketVersioning with a root element the Rust SDK rejects; 5.1.22 lacks
# Bedrock AgentCore, which aispm then records as not assessed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv="$here/.venv"

ensure() {
  exec 9>"$here/.venv.lock"
  flock 9
  if [ ! -x "$venv/bin/moto_server" ] || ! cmp -s "$here/requirements.txt" "$venv/.requirements"; then
    echo "creating the emulator virtualenv in $venv (one time)" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
    cp "$here/requirements.txt" "$venv/.requirements"
  fi
  flock -u 9
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_ready() {
  local port=$1 pid=$2
  for _ in $(seq 1 150); do
    if ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" 2>/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

start() {
  local watch=""
  if [ "${1:-}" = "--watch" ]; then watch=${2:?--watch needs a PID}; fi
  ensure
  mkdir -p "$here/logs"
  for _attempt in 1 2 3; do
    local port pid
    port=$(free_port)
    MOTO_IAM_LOAD_MANAGED_POLICIES=true nohup "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" \
      >"$here/logs/moto-$port.log" 2>&1 </dev/null &
    pid=$!
    if wait_ready "$port" "$pid"; then
      if [ -n "$watch" ]; then
        ( while kill -0 "$watch" 2>/dev/null; do sleep 1; done; kill "$pid" 2>/dev/null ) \
          >/dev/null 2>&1 </dev/null &
        disown
      fi
      echo "$port $pid"
      return 0
    fi
    kill "$pid" 2>/dev/null || true
    echo "moto did not start on port $port; log:" >&2
    tail -n 20 "$here/logs/moto-$port.log" >&2 || true
  done
  echo "error: could not start moto" >&2
  return 1
}

case "${1:-}" in
  ensure) ensure ;;
  start) shift; start "$@" ;;
  stop) kill "${2:?stop needs a PID}" 2>/dev/null || true ;;
  *) echo "usage: $0 ensure | start [--watch PID] | stop PID" >&2; exit 2 ;;
esac
