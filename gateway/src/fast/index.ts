export { createFastGateway, type FastGateway, type FastGatewayOptions } from './fast-gateway.js';
