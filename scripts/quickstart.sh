#!/usr/bin/env bash
# One entry point for a fresh machine: installs what is missing (redis-server, openssl for
# the TLS tests' throwaway certificates, pnpm, dependencies), then runs the demo against the local Redis or the test suites.
#   bash scripts/quickstart.sh demo   # real requests through local proxies, on redis://127.0.0.1:6379
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

# The demo runs the whole system in one node process against the local Redis: loopback HTTP
# proxies and a small site, the housekeeping worker, the dashboard when installed, and scraper
# child processes (packages/cli/src/demo). `exec`, so Ctrl-C reaches node, which stops them all.
run_demo() {
  if ! redis-cli -u "${REDIS_URL:-redis://127.0.0.1:6379}" ping >/dev/null 2>&1; then
    echo "quickstart: no Redis at ${REDIS_URL:-redis://127.0.0.1:6379}; start one (sudo service redis-server start, or redis-server --daemonize yes) or set REDIS_URL" >&2
    exit 1
  fi
  pnpm gen:lua >/dev/null
  exec node --import tsx scripts/demo.ts "$@"
}

case "${1:-}" in
  demo) shift; run_demo "$@" ;;
  test) shift; need_chromium; pnpm test "$@" ;;
  setup) need_chromium ;;
  *) echo "usage: bash scripts/quickstart.sh demo|test|setup" >&2; exit 2 ;;
esac
