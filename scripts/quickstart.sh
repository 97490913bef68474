#!/usr/bin/env bash
# One entry point for a fresh machine: installs what is missing (redis-server, openssl for
# the TLS tests' throwaway certificates, pnpm, dependencies), then runs the demo against the local Redis or the test suites.
#   bash scripts/quickstart.sh demo   # simulated scraper fleet on redis://127.0.0.1:6379
#   bash scripts/quickstart.sh test   # standalone + cluster suites on private redis-servers
#   bash scripts/quickstart.sh setup  # only install what is missing (also chromium, for the tests)
set -euo pipefail
cd "$(dirname "$0")/.."

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
need_pnpm
pnpm install --frozen-lockfile

# The demo runs the whole system: the housekeeping worker (with /metrics and /healthz) in the
# background and a simulated scraper fleet in front, against the local Redis.
run_demo() {
  local port="${METRICS_PORT:-9464}"
  pnpm gen:lua >/dev/null
  # One node process (not pnpm → tsx → node), so the trap's SIGTERM reaches the worker itself.
  METRICS_PORT="$port" node --import tsx packages/worker/src/main.ts > .tmp-worker.log 2>&1 &
  WORKER_PID=$!
  trap 'kill -TERM "$WORKER_PID" 2>/dev/null; wait "$WORKER_PID" 2>/dev/null' EXIT
  for _ in $(seq 1 50); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  echo "worker running (metrics on http://127.0.0.1:$port/metrics, log in .tmp-worker.log)"
  pnpm --silent demo "$@"
  echo
  echo "a few of the worker's metrics (shared: read from Redis at scrape time):"
  curl -fs "http://127.0.0.1:$port/metrics" | grep -E '^(proxy_selections_total|proxy_successes_total|proxy_failures_total|proxy_circuit_breaker_opens_total|leases_active|pool_proxies_available)\{pool="demo"' || true
}

case "${1:-}" in
  demo) shift; run_demo "$@" ;;
  test) shift; need_chromium; pnpm test "$@" ;;
  setup) need_chromium ;;
  *) echo "usage: bash scripts/quickstart.sh demo|test|setup" >&2; exit 2 ;;
esac
