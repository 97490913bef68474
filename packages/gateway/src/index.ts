// Public API of @leasehold/gateway. Every export is listed by name on purpose.
export type { GatewayErrorCode } from './answers.js';
export { GatewayTokenRequiredError, validateGatewayOptions } from './options.js';
export { type Gateway, type GatewayOptions, startGateway } from './server.js';
export { parseUsername, UsernameError, type UsernameOptions } from './username.js';
