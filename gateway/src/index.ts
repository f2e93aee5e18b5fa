export { loadGatewayConfig, type GatewayConfig } from './config.js';
export { createGatewayServer, type GatewayServer } from './server.js';
