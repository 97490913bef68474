#!/usr/bin/env bash
# Installs the published packages as a user would, and runs them. Builds, packs core,
# client, worker, forward-proxy, cli, dashboard, http, crawlee and gateway with `pnpm pack`, installs the nine tarballs
# (and the peers npm installs with them: ioredis, @crawlee/core) with `npm install` into
# an empty npm project in a temp dir, then checks there, against a private redis-server on a
# free port (stopped by PID at the end, also on failure):
#   - each tarball holds built JavaScript only (no src/, tests, build-time Lua loader, maps)
#     and no workspace: or private-package dependency
#   - no private workspace package and no dev tool (tsx, typescript, vitest, turbo) got
#     installed, npm sees no missing or invalid dependency, ioredis is one copy, and every
#     package a published file imports is in that package's dependencies or peers
#   - a TypeScript user's file type-checks against the published typings
#   - a plain ESM script leases and releases through @leasehold/client, next to ioredis 6 (the
#     README's `npm install @leasehold/client ioredis`) and, in a second project, next to ioredis 5;
#     npm prints no peer warning in either
#   - a plain ESM script does a leasedFetch (@leasehold/http) through a loopback proxy
#   - a plain ESM script starts a gateway (@leasehold/gateway) and sends a request through it
#   - @leasehold/crawlee's Crawlee glue leases and releases through its peer @crawlee/core
#   - @leasehold/dashboard starts and serves its pages, /metrics, /queues
#   - `npx leasehold --help`, `leasehold pools`, `leasehold bench` (a repository command)
#   - `leasehold worker` starts, answers /healthz and /metrics, exits 0 on SIGTERM
# Usage: bash scripts/check-tarballs.sh (or pnpm check:tarballs); KEEP_TMP=1 keeps the project.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
packages=(core client worker forward-proxy cli dashboard http crawlee gateway)
started=$EPOCHREALTIME
work=$(mktemp -d "${TMPDIR:-/tmp}/leasehold-tarballs.XXXXXX")
redis_pid=''
worker_pid=''

say() { printf '\n== check-tarballs [%s]: %s\n' "$(seconds_since "$started")" "$*"; }
ok() { printf '  ok   %s\n' "$*"; }
fail() {
  printf '  FAIL %s\n' "$*" >&2
  exit 1
}
seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f s", b - a }'; }
free_port() {
  node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => {
    console.log(s.address().port); s.close(); });"
}
# GET a URL and print the body; fails on a non-2xx answer (node's fetch: CI needs no curl).
http_get() {
  node -e "fetch(process.argv[1]).then(async (r) => {
    process.stdout.write(await r.text()); process.exitCode = r.ok ? 0 : 1; },
    () => { process.exitCode = 1; });" "$1"
}
# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# npm's peer complaints (ERESOLVE overriding, conflicting or missing peers) fail the check.
no_peer_warnings() {
  if grep -Ei 'ERESOLVE|peer' "$1" >&2; then fail "npm warned about peer dependencies ($1)"; fi
}
installed_version() { node -p "require('./node_modules/$1/package.json').version"; }

cleanup() {
  local status=$?
  if [ -n "$worker_pid" ] && kill -0 "$worker_pid" 2>/dev/null; then kill -KILL "$worker_pid"; fi
  if [ -n "$redis_pid" ]; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ]; then
    printf '\ncheck-tarballs: FAILED (exit %s). Project, tarballs and logs kept in %s\n' \
      "$status" "$work" >&2
  elif [ -z "${KEEP_TMP:-}" ]; then
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "build (turbo: gen:lua, then every package) and publint"
pnpm --silent build --output-logs=errors-only
pnpm --silent lint:packages --output-logs=errors-only
ok "publint --strict passes for ${packages[*]}"

say "pack ${packages[*]} with pnpm pack"
mkdir "$work/tarballs"
for p in "${packages[@]}"; do
  pnpm --filter "@leasehold/$p" pack --pack-destination "$work/tarballs" >/dev/null
done
for tgz in "$work"/tarballs/*.tgz; do
  name=$(basename "$tgz")
  unpacked=$(tar tzvf "$tgz" | awk '{ s += $3 } END { print s }')
  printf '  %-30s %6.1f kB packed, %6.1f kB unpacked, %3d files\n' "$name" \
    "$(awk -v b="$(stat -c %s "$tgz")" 'BEGIN { print b / 1000 }')" \
    "$(awk -v b="$unpacked" 'BEGIN { print b / 1000 }')" "$(tar tzf "$tgz" | wc -l)"
  stray=$(tar tzf "$tgz" | grep -E '^package/src/|\.test\.|\.worker\.|testSupport|luaLoader|\.map$' || true)
  [ -z "$stray" ] || fail "$name ships files that are not runtime code: $stray"
  # What npm installs for a user: dependencies and peers (devDependencies are never installed).
  bad=$(tar xzOf "$tgz" package/package.json | node -e "
    const m = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    const deps = { ...m.dependencies, ...m.peerDependencies, ...m.optionalDependencies };
    for (const [n, v] of Object.entries(deps))
      if (v.startsWith('workspace:') || /^@leasehold\/(bench|testing)$/.test(n)) console.log(n, v);")
  [ -z "$bad" ] || fail "$name depends on the workspace: $bad"
done
ok "tarballs hold dist/ (+ bin, migrations, README) only; no workspace: or private dependency"

say "install the tarballs with npm into an empty project"
mkdir "$work/project"
cd "$work/project"
npm init -y >/dev/null
install_started=$EPOCHREALTIME
# The README's line, `npm install @leasehold/client ioredis`: today's ioredis (6).
npm install --no-audit --no-fund --loglevel=warn "$work"/tarballs/*.tgz ioredis >"$work/npm-install.log" 2>&1 ||
  { cat "$work/npm-install.log" >&2; fail "npm install of the tarballs"; }
install_time=$(seconds_since "$install_started")
no_peer_warnings "$work/npm-install.log"
ok "npm install ./*.tgz ioredis in $install_time, no peer warning (ioredis $(installed_version ioredis))"
for dev in tsx typescript vitest turbo @leasehold/bench @leasehold/testing; do
  [ ! -e "node_modules/$dev" ] || fail "$dev was installed: a runtime dependency pulls it in"
done
ok "no tsx, typescript, vitest, turbo, @leasehold/bench or @leasehold/testing installed"
npm ls --all >"$work/npm-ls.log" 2>&1 ||
  { grep -E 'missing|invalid|ERR' "$work/npm-ls.log" >&2; fail "npm ls: missing or invalid dependencies"; }
ok "npm ls --all: nothing missing or invalid (the ioredis peer is satisfied):" \
  "$(npm ls --all --parseable | tail -n +2 | sort -u | wc -l) packages installed"
copies=$(find ./node_modules -path '*/node_modules/ioredis/package.json' | wc -l)
[ "$copies" -eq 1 ] || fail "ioredis is installed $copies times (expected one copy, shared as a peer)"
ok "one copy of ioredis"
node "$repo/scripts/tarball-check/runtime-imports.mjs" "${packages[@]/#/@leasehold/}" ||
  fail "a published file imports a package its package.json does not declare"
# The repository's tsc and @types/node (a user has their own): typescript stays uninstalled.
cp "$repo/scripts/tarball-check/types.mts" "$repo/scripts/tarball-check/ioredis6-shim.d.ts" .
"$repo/node_modules/.bin/tsc" --noEmit --strict --skipLibCheck false --target es2022 \
  --module nodenext --moduleResolution nodenext --types node \
  --typeRoots "$repo/node_modules/@types" types.mts ioredis6-shim.d.ts ||
  fail "the published typings do not type-check for a TypeScript user (types.mts)"
ok "the typings type-check for a TypeScript user (tsc --strict, skipLibCheck off)"

say "a private redis-server"
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
  >"$work/redis.log" 2>&1 &
redis_pid=$!
wait_for 10 redis-cli -p "$redis_port" ping || { cat "$work/redis.log" >&2; fail "redis-server did not start"; }
export REDIS_URL="redis://127.0.0.1:$redis_port" LEASEHOLD_PREFIX=tarball
ok "redis-server pid $redis_pid on port $redis_port"

say "a plain ESM script leases through @leasehold/client (scripts/tarball-check/lease.mjs)"
cp "$repo/scripts/tarball-check/lease.mjs" .
node lease.mjs || fail "lease.mjs"

say "next to ioredis 5: core, client, http and worker in a second empty project, lease.mjs there"
mkdir "$work/project-ioredis5"
(
  cd "$work/project-ioredis5"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --loglevel=warn "$work"/tarballs/leasehold-{core,client,http,worker}-*.tgz \
    ioredis@5 >"$work/npm-install-ioredis5.log" 2>&1 ||
    { cat "$work/npm-install-ioredis5.log" >&2; fail "npm install of the tarballs with ioredis@5"; }
  no_peer_warnings "$work/npm-install-ioredis5.log"
  version=$(installed_version ioredis)
  [ "${version%%.*}" = 5 ] || fail "expected ioredis 5 in the second project, got $version"
  ok "npm install core, client, http, worker + ioredis@5: no peer warning (ioredis $version)"
  cp "$repo/scripts/tarball-check/lease.mjs" .
  node lease.mjs || fail "lease.mjs with ioredis $version"
)

say "@leasehold/http: leasedFetch through a loopback proxy (scripts/tarball-check/http.mjs)"
cp "$repo/scripts/tarball-check/http.mjs" .
node http.mjs || fail "http.mjs"
say "@leasehold/gateway: a request through a gateway (scripts/tarball-check/gateway.mjs)"
cp "$repo/scripts/tarball-check/gateway.mjs" .
node gateway.mjs || fail "gateway.mjs"
say "@leasehold/crawlee with its peer @crawlee/core (scripts/tarball-check/crawlee.mjs)"
cp "$repo/scripts/tarball-check/crawlee.mjs" .
node crawlee.mjs || fail "crawlee.mjs"

say "@leasehold/dashboard from its tarball (scripts/tarball-check/dashboard.mjs)"
cp "$repo/scripts/tarball-check/dashboard.mjs" .
node dashboard.mjs || fail "dashboard.mjs"

say "the leasehold command, from built JavaScript"
help=$(npx --no-install leasehold --help) || fail "leasehold --help exited $?"
grep -q '^Usage: leasehold <command>' <<<"$help" || fail "leasehold --help printed no usage: $help"
ok "npx leasehold --help"
pools=$(npx --no-install leasehold pools --json) || fail "leasehold pools exited $?"
grep -q '"packed"' <<<"$pools" || fail "leasehold pools does not list the pool lease.mjs made: $pools"
ok "leasehold pools --json lists the pool lease.mjs made"
set +e
bench=$(npx --no-install leasehold bench 2>&1)
code=$?
set -e
[ "$code" -eq 2 ] && grep -q 'pnpm bench' <<<"$bench" ||
  fail "leasehold bench should exit 2 pointing at pnpm bench; exited $code: $bench"
ok "leasehold bench exits 2 and points at \`pnpm bench\` in the repository"

say "leasehold worker: /healthz, /metrics, SIGTERM"
metrics_port=$(free_port)
# The bin itself (not npx), so the PID is the worker's node process and gets the SIGTERM.
METRICS_PORT=$metrics_port node_modules/.bin/leasehold worker >"$work/worker.log" 2>&1 &
worker_pid=$!
healthz="http://127.0.0.1:$metrics_port/healthz"
if ! wait_for 30 http_get "$healthz"; then
  cat "$work/worker.log" >&2
  fail "the worker did not answer $healthz within 30 s"
fi
ok "GET /healthz: $(http_get "$healthz")"
metrics=$(http_get "http://127.0.0.1:$metrics_port/metrics") || fail "GET /metrics failed"
grep -q 'pool="packed"' <<<"$metrics" || fail "/metrics has no series for the pool packed"
ok "GET /metrics has the pool's series"
kill -TERM "$worker_pid"
wait_for 20 bash -c "! kill -0 $worker_pid" || fail "the worker still runs 20 s after SIGTERM"
set +e
wait "$worker_pid"
code=$?
set -e
worker_pid=''
[ "$code" -eq 0 ] || { cat "$work/worker.log" >&2; fail "the worker exited $code after SIGTERM"; }
ok "SIGTERM: the worker closed and exited 0"

say "all checks passed in $(seconds_since "$started") (npm install $install_time)"
