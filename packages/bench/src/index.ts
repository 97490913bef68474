export type { CaseResult, LoadOptions } from './measure.js';
export { type BenchReport, formatReport, runBenchmarks, type SuiteOptions } from './suite.js';
