#!/usr/bin/env bash
# The production build, written once: the Dockerfile RUNs this script and CI runs it on the
# host (scripts/check-production.sh), so the image is built by the same commands CI checks.
# Installs the workspace, builds every package (turbo: gen:lua, then tsc), then deploys
# @leasehold/cli with production dependencies only into OUT_DIR: built JavaScript, the
# workspace packages it uses copied in (each package's `files` only), no dev tool.
# Usage: bash scripts/build-production.sh OUT_DIR
# OUT_DIR should sit outside the repository: node resolves imports up the parent folders, and
# the repository's node_modules (tsx, typescript, vitest) would hide a missing dependency.
set -euo pipefail
out=${1:?usage: build-production.sh OUT_DIR}
cd "$(dirname "$0")/.."
pnpm install --frozen-lockfile
pnpm build
rm -rf "$out"
pnpm --filter @leasehold/cli deploy --prod "$out"
