#!/usr/bin/env bash
# Checks what the Docker image is made of, without a Docker engine:
#   - the Dockerfile builds with scripts/build-production.sh (the commands CI runs here) and
#     installs the pnpm version of package.json's packageManager
#   - scripts/build-production.sh deploys @leasehold/cli into a temp dir outside the
#     repository; that tree holds no dev tool or private workspace package, no TypeScript
#     source or test, and `leasehold --help` runs from it with nothing else to resolve from
#   - docker-compose.yml is valid (`docker-compose config -q`, Debian's docker-compose) and
#     refuses to run without LEASEHOLD_DASHBOARD_TOKEN
# Prints the deployed tree's size and the build time. KEEP_TMP=1 keeps the tree.
# Usage: bash scripts/check-production.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/leasehold-production.XXXXXX")
out=$work/app
cleanup() { if [[ -z ${KEEP_TMP:-} ]]; then rm -rf "$work"; else echo "kept $work"; fi; }
trap cleanup EXIT

ok() { printf '  ok   %s\n' "$*"; }
fail() {
  printf '  FAIL %s\n' "$*" >&2
  exit 1
}

echo '== check-production: Dockerfile'
grep -qx '    bash scripts/build-production.sh /out' Dockerfile ||
  fail 'the Dockerfile does not RUN scripts/build-production.sh /out'
ok 'the Dockerfile builds with scripts/build-production.sh'
pnpm_wanted=$(node -p "require('./package.json').packageManager.replace(/^pnpm@/, '')")
grep -qx "ARG PNPM_VERSION=$pnpm_wanted" Dockerfile ||
  fail "the Dockerfile's PNPM_VERSION is not package.json's pnpm@$pnpm_wanted"
ok "the Dockerfile installs pnpm@$pnpm_wanted"

echo '== check-production: build-production.sh'
started=$EPOCHREALTIME
bash scripts/build-production.sh "$out" >"$work/build.log" 2>&1 || {
  tail -40 "$work/build.log" >&2
  fail 'scripts/build-production.sh failed'
}
seconds=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
ok "built and deployed in $seconds s: $(du -sh "$out" | cut -f1) ($(find "$out" -type f | wc -l) files)"

# Nothing up the parent folders that node could resolve a missing dependency from.
dir=$work
while [[ $dir != / ]]; do
  [[ ! -e $dir/node_modules ]] || fail "$dir/node_modules exists: the check would not be honest"
  dir=$(dirname "$dir")
done
store=$out/node_modules/.pnpm
[[ -d $store ]] || fail "no $store"
dev=$(ls "$store" | grep -E '^(tsx|typescript|vitest|@vitest\+|turbo|@biomejs|esbuild|publint|vite)(@|\+|-)|^@leasehold\+(testing|bench)@' || true)
[[ -z $dev ]] || fail "dev tools or private packages deployed: $dev"
ok 'no tsx, typescript, vitest, turbo, biome, esbuild or private workspace package'
# The deployed package and the workspace packages copied in: built JavaScript and typings.
src=$(for pkg in "$out" "$out"/node_modules/@leasehold/*; do
  find "$(realpath "$pkg")/" -path '*/node_modules' -prune -o \( -name src -type d -o \
    -name '*.test.*' -o -name '*.map' -o -name '*.ts' ! -name '*.d.ts' \) -print
done)
[[ -z $src ]] || fail "source, tests or maps deployed: $src"
ok 'built JavaScript only in the Leasehold packages'

bin=$(realpath "$out/$(node -p "require('$out/package.json').bin.leasehold")")
(cd "$work" && node "$bin" --help >"$work/help.txt") || fail "leasehold --help failed from the deployed tree"
grep -q 'leasehold' "$work/help.txt" || fail 'leasehold --help printed no usage'
ok "leasehold --help runs from the deployed tree (node ${bin#"$work"/})"

echo '== check-production: docker-compose.yml'
command -v docker-compose >/dev/null || fail 'docker-compose is not installed (apt-get install docker-compose)'
LEASEHOLD_DASHBOARD_TOKEN=ci-check docker-compose -f docker-compose.yml config -q ||
  fail 'docker-compose config -q rejects docker-compose.yml'
ok 'docker-compose config -q accepts docker-compose.yml'
if env -u LEASEHOLD_DASHBOARD_TOKEN docker-compose -f docker-compose.yml config -q 2>/dev/null; then
  fail 'docker-compose.yml starts the dashboard without LEASEHOLD_DASHBOARD_TOKEN'
fi
ok 'docker-compose.yml requires LEASEHOLD_DASHBOARD_TOKEN'
