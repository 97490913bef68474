// Vitest globalSetup: starts ONE private standalone redis-server and ONE 3-master cluster per
// test run (unless REDIS_URL / REDIS_CLUSTER_NODES point elsewhere), provides their addresses
// to every project, and stops them in teardown. Runs in the main Vitest process, so it must
// not import 'vitest' at runtime.
import type { TestProject } from 'vitest/node';
import { CLUSTER_TARGET_KEY, STANDALONE_TARGET_KEY } from './providedContext.js';
import { startRedisCluster } from './redisCluster.js';
import { startRedisServer } from './redisServer.js';
import {
  type ClusterTarget,
  clusterTargetFromEnv,
  type StandaloneTarget,
  standaloneTargetFromEnv,
} from './redisTarget.js';

interface Started<T> {
  target: T;
  stop(): Promise<void>;
}

const nothingToStop = async (): Promise<void> => {};

async function standalone(): Promise<Started<StandaloneTarget>> {
  const fromEnv = standaloneTargetFromEnv();
  if (fromEnv) return { target: fromEnv, stop: nothingToStop };
  const server = await startRedisServer();
  return { target: { kind: 'standalone', url: server.url }, stop: server.stop };
}

async function cluster(): Promise<Started<ClusterTarget>> {
  const fromEnv = clusterTargetFromEnv();
  if (fromEnv) return { target: fromEnv, stop: nothingToStop };
  const started = await startRedisCluster({ masters: 3 });
  return { target: { kind: 'cluster', nodes: started.nodes }, stop: started.stop };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [standaloneResult, clusterResult] = await Promise.allSettled([standalone(), cluster()]);
  if (standaloneResult.status === 'rejected' || clusterResult.status === 'rejected') {
    // Do not leak the half that did start.
    await Promise.all(
      [standaloneResult, clusterResult].map((result) =>
        result.status === 'fulfilled' ? result.value.stop() : undefined,
      ),
    );
    throw standaloneResult.status === 'rejected'
      ? standaloneResult.reason
      : (clusterResult as PromiseRejectedResult).reason;
  }
  project.provide(STANDALONE_TARGET_KEY, standaloneResult.value.target);
  project.provide(CLUSTER_TARGET_KEY, clusterResult.value.target);
  return async () => {
    await Promise.all([standaloneResult.value.stop(), clusterResult.value.stop()]);
  };
}
