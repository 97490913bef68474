// The values globalSetup hands to test files through Vitest's provide/inject, and their types.
import type { ClusterTarget, StandaloneTarget } from './redisTarget.js';

export const STANDALONE_TARGET_KEY = 'leaseholdStandaloneTarget';
export const CLUSTER_TARGET_KEY = 'leaseholdClusterTarget';

declare module 'vitest' {
  export interface ProvidedContext {
    leaseholdStandaloneTarget: StandaloneTarget;
    leaseholdClusterTarget: ClusterTarget;
  }
}
