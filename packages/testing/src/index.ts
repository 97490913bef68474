// Public API of the Leasehold test harness. Every export is listed by name on purpose.
// globalSetup.ts is not exported: vitest.config.ts references it by path.

export { must, rejection } from './assertions.js';
export type { RunInChildProcessesOptions } from './childProcess.js';
export { runInChildProcesses } from './childProcess.js';
export {
  CHILD_INDEX_ENV,
  CHILD_PAYLOAD_ENV,
  childIndex,
  readChildPayload,
  reportChildResult,
  runChildWorker,
  waitForStartSignal,
} from './childWorker.js';
export { CHROMIUM_PATH, chromiumLaunchOptions } from './chromium.js';
export { type CliResult, redisTargetEnv, runLeaseholdCli } from './cliProcess.js';
export type { DocumentedAcl, SecureTargetContext } from './documentedAcl.js';
export {
  aclDenials,
  adminNodes,
  applyAcl,
  describeEachSecureTarget,
  readDocumentedAcl,
  secureClient,
  validationErrorOf,
} from './documentedAcl.js';
export type { DescribeEachTargetOptions, TargetContext } from './fixtures.js';
export { describeEachTarget, injectTarget } from './fixtures.js';
export { findFreeClusterPort, findFreePort, isPortFree } from './freePort.js';
export {
  type GatewayProxy,
  type GatewayProxyOptions,
  type GatewayRequest,
  type ProxiedResponse,
  requestThroughProxy,
  startGatewayProxy,
} from './gatewayProxy.js';
export {
  type LoopbackProxy,
  type LoopbackProxyOptions,
  startHttpProxy,
  startSocksProxy,
} from './loopbackProxies.js';
export { importPackageCopy, type PackageCopy } from './packageCopy.js';
export { CLUSTER_TARGET_KEY, STANDALONE_TARGET_KEY } from './providedContext.js';
export { closeRedisClient, createRedisClient } from './redisClients.js';
export type { RedisClusterHandle, RedisClusterOptions } from './redisCluster.js';
export { startRedisCluster } from './redisCluster.js';
export type { RedisServerHandle, RedisServerOptions, RedisTlsFiles } from './redisServer.js';
export { startRedisServer } from './redisServer.js';
export type {
  ClusterTarget,
  RedisClient,
  RedisNodeAddress,
  RedisTarget,
  RedisTargetKind,
  StandaloneTarget,
} from './redisTarget.js';
export {
  ALLOW_PORT_6379_ENV,
  clusterTargetFromEnv,
  describeTarget,
  REDIS_CLUSTER_NODES_ENV,
  REDIS_URL_ENV,
  standaloneTargetFromEnv,
} from './redisTarget.js';
export type { AclUser, SecureRedisHandle, SecureRedisOptions } from './secureRedis.js';
export { makeTestCertificates, startSecureRedis } from './secureRedis.js';
export { assertSameSlot, keySlot, scanKeys } from './slots.js';
export { startTargetSite, type TargetSite, type TargetSiteOptions } from './targetSite.js';
export { TestClock, testClockLibrary, useTestClockLibrary } from './testClock.js';
export { trackedPids } from './trackedProcesses.js';
export { uniquePrefix } from './uniquePrefix.js';
