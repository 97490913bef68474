#!/usr/bin/env bash
# One entry point for a fresh machine: installs what is missing (redis-server, pnpm,
# dependencies), then runs the demo against the local Redis or the test suites.
#   bash scripts/quickstart.sh demo   # simulated scraper fleet on redis://127.0.0.1:6379
#   bash scripts/quickstart.sh test   # standalone + cluster suites on private redis-servers
set -euo pipefail
cd "$(dirname "$0")/.."

need_redis_binaries() {
  if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then return; fi
  echo "quickstart: installing redis-server and redis-cli (Debian package redis-server)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq redis-server >/dev/null; fi
}

need_pnpm() {
  if command -v pnpm >/dev/null && pnpm --version | grep -q '^12\.'; then return; fi
  echo "quickstart: installing pnpm 12 with npm"
  npm install -g pnpm@12 >/dev/null 2>&1
}

need_redis_binaries
need_pnpm
pnpm install --frozen-lockfile

case "${1:-}" in
  demo) shift; pnpm demo "$@" ;;
  test) shift; pnpm test "$@" ;;
  *) echo "usage: bash scripts/quickstart.sh demo|test" >&2; exit 2 ;;
esac
