#!/usr/bin/env bash
# A throwaway Redis for the distributed-sweep tests (test/sweep/redis-*.test.ts). Sourced by .ci/run:
#   source .ci/redis.sh
# installs Debian's redis-server when it is missing, starts it on a free port of 127.0.0.1 with no
# persistence (nothing written to disk, nothing reachable from outside), exports REDIS_URL and
# REQUIRE_REDIS=1 (so the tests fail rather than skip if Redis is not there), and stops it when the
# calling shell exits. Run directly (bash .ci/redis.sh), it starts Redis, prints the URL, and stops
# it again on Enter.

shardprop_redis_stop() {
  if [ -n "${SHARDPROP_REDIS_PID:-}" ] && kill -0 "$SHARDPROP_REDIS_PID" 2>/dev/null; then
    kill "$SHARDPROP_REDIS_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SHARDPROP_REDIS_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  if [ -n "${SHARDPROP_REDIS_DIR:-}" ]; then rm -rf "$SHARDPROP_REDIS_DIR"; fi
  SHARDPROP_REDIS_PID=
  return 0
}

shardprop_redis_start() {
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "redis.sh: installing redis-server (Debian package)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  fi
  local port
  port=$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => {
    console.log(s.address().port); s.close(); });")
  SHARDPROP_REDIS_DIR=$(mktemp -d)
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$SHARDPROP_REDIS_DIR" \
    --logfile "$SHARDPROP_REDIS_DIR/redis.log" --daemonize no &
  SHARDPROP_REDIS_PID=$!
  trap shardprop_redis_stop EXIT
  for _ in $(seq 100); do
    if redis-cli -p "$port" ping >/dev/null 2>&1; then
      export REDIS_URL="redis://127.0.0.1:$port"
      export REQUIRE_REDIS=1
      echo "redis.sh: Redis $(redis-server --version | grep -o 'v=[0-9.]*') at $REDIS_URL (pid $SHARDPROP_REDIS_PID)"
      return 0
    fi
    sleep 0.1
  done
  echo "redis.sh: Redis did not start:" >&2
  cat "$SHARDPROP_REDIS_DIR/redis.log" >&2 || true
  return 1
}

shardprop_redis_start

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  read -r -p "press Enter to stop Redis " _
fi
