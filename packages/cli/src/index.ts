// Public API of @leasehold/cli (the `leasehold` command is its bin). Every export is listed
// by name on purpose: the demo's site and proxies serve other packages' tests and examples.

export { type DemoProxy, type ProxyBehaviour, startDemoProxy } from './demo/proxies.js';
export {
  type DemoOptions,
  type DemoProxySummary,
  type DemoSummary,
  runDemo,
} from './demo/run.js';
export { type DemoSite, type SiteVisit, startDemoSite } from './demo/site.js';
export { type ParsedLine, parseProxyList, toProxyInputs } from './proxy/proxyList.js';
export type { CliIo } from './runner/io.js';
export { runCli } from './runner/runCli.js';
