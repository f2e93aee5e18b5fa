export { loadGatewayConfig, type GatewayConfig, type OperationLimits } from './config.js';
export { createGatewayServer, type GatewayServer } from './http/server.js';
export type { GatewayContext } from './http/context.js';
export { PUBLIC_ERROR_CODES, ErrorCode, refusal } from './errors.js';
export { readAccessPolicy, type AccessPolicy, type AccessRequirement } from './access/policy.js';
