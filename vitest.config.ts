// Root Vitest config: one project per package. Projects are inline WITHOUT `extends: true`
// on purpose: extending the root config would also inherit `globalSetup`, and Vitest would
// then start the Redis servers once per project instead of once per run. Aliases and test
// options are therefore set on each project. Values provided by the root globalSetup (the
// Redis addresses) are inherited by every project.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const fromRoot = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// Tests import workspace packages from source, like tsconfig.json's `paths`.
// (A subpath comes before its package: the first entry whose name prefixes an import wins.)
const alias = {
  '@leasehold/core/internal': fromRoot('./packages/core/src/internal.ts'),
  '@leasehold/core': fromRoot('./packages/core/src/index.ts'),
  '@leasehold/client': fromRoot('./packages/client/src/index.ts'),
  '@leasehold/testing': fromRoot('./packages/testing/src/index.ts'),
  '@leasehold/worker': fromRoot('./packages/worker/src/index.ts'),
  '@leasehold/bench': fromRoot('./packages/bench/src/index.ts'),
  '@leasehold/cli': fromRoot('./packages/cli/src/index.ts'),
  '@leasehold/dashboard': fromRoot('./packages/dashboard/src/index.ts'),
  '@leasehold/http': fromRoot('./packages/http/src/index.ts'),
  '@leasehold/crawlee': fromRoot('./packages/crawlee/src/index.ts'),
  '@leasehold/forward-proxy': fromRoot('./packages/forward-proxy/src/index.ts'),
  '@leasehold/gateway': fromRoot('./packages/gateway/src/index.ts'),
};

// Real redis-server processes and child processes: be generous.
const sharedTestOptions = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
  // No retry, in CI either: a test that needs one is a bug. Expiries, cooldowns and session
  // ages are reached by moving a test clock (TestClock), real events are polled for.
};

const project = (name: string, include: string) => ({
  resolve: { alias },
  test: { ...sharedTestOptions, name, include: [include] },
});
const packageProject = (name: string) => project(name, `packages/${name}/src/**/*.test.ts`);

export default defineConfig({
  // For the globalSetup, which the root loads: it reads Redis targets through @leasehold/client.
  resolve: { alias },
  test: {
    // Starts one standalone server and one 3-master cluster for the whole run.
    globalSetup: [fromRoot('./packages/testing/src/globalSetup.ts')],
    // Files run in parallel (2 cores); tests inside a file run one after another.
    maxWorkers: 2,
    teardownTimeout: 30_000,
    projects: [
      packageProject('core'),
      packageProject('client'),
      packageProject('testing'),
      packageProject('worker'),
      packageProject('bench'),
      packageProject('cli'),
      packageProject('dashboard'),
      packageProject('http'),
      packageProject('crawlee'),
      packageProject('forward-proxy'),
      packageProject('gateway'),
      // Build-time tools (the Lua loader), kept out of every package's runtime.
      project('scripts', 'scripts/**/*.test.ts'),
      // Each example run as a user runs it (pnpm example <name>), against the private Redis.
      project('examples', 'examples/**/*.test.ts'),
    ],
  },
});
