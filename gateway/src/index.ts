export { loadGatewayConfig, type GatewayConfig, type OperationLimits } from './config.js';
export { createGatewayServer, type GatewayServer } from './server.js';
export type { GatewayContext } from './context.js';
export { PUBLIC_ERROR_CODES, GatewayErrorCode, refusal } from './errors.js';
export { readAccessPolicy, type AccessPolicy, type AccessRequirement } from './access/policy.js';
