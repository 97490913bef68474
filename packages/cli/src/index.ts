export { type DemoProxy, type ProxyBehaviour, startDemoProxy } from './demo/proxies.js';
export { type DemoSite, type SiteVisit, startDemoSite } from './demo/site.js';
export { type ParsedLine, parseProxyList, toProxyInputs } from './proxyList.js';
