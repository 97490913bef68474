export { type ParsedLine, parseProxyList, toProxyInputs } from './proxyList.js';
