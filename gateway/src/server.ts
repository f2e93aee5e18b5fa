import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginUsageReportingDisabled, ApolloServerPluginSchemaReportingDisabled } from '@apollo/server/plugin/disabled';
import { signCaller } from '@terrarium/kit/caller';
import { HttpError, handleGraphQL, sendGraphQLError, sendJson } from '@terrarium/kit/http';
import { createLogger, type Logger } from '@terrarium/kit/logger';
import { AuthenticationError, createAuthenticator } from './auth.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { SubgraphDataSource } from './datasource.js';
import { fileSupergraph } from './supergraph.js';

export interface GatewayServer {
  readonly httpServer: Server;
  readonly logger: Logger;
  listen(port?: number): Promise<string>;
  stop(): Promise<void>;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The router process: Apollo Gateway (supergraph handling and the federation query planner)
 * inside Apollo Server, behind a plain Node HTTP server that authenticates the caller before
 * any planning or subgraph call.
 */
export async function createGatewayServer(config: GatewayConfig): Promise<GatewayServer> {
  const logger = createLogger('gateway', config.logLevel);
  const authenticator = createAuthenticator(config);
  const httpServer = createServer({ keepAliveTimeout: 65_000 });

  const gateway = new ApolloGateway({
    supergraphSdl: fileSupergraph(config.supergraphPath),
    buildService: ({ url }) => new SubgraphDataSource({ url }),
    logger,
  });

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !config.production,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No reporting to Apollo's cloud, anonymous or otherwise: Terrarium is self-hosted.
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
    ],
  });
  await apollo.start();
  let ready = true;

  httpServer.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const respond = async () => {
      switch (path) {
        case '/graphql': {
          const requestId = header(req, 'x-request-id') ?? randomUUID();
          res.setHeader('x-request-id', requestId);
          const caller = await authenticator.authenticate(header(req, 'authorization'));
          const callerToken = config.internalSecret ? await signCaller(caller, config.internalSecret) : null;
          const context: GatewayContext = { caller, callerToken, requestId, logger: logger.child({ requestId }) };
          await handleGraphQL(apollo, req, res, async () => context, config.maxBodyBytes);
          return;
        }
        case '/health':
        case '/ready':
          return sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'stopping' });
        default:
          return sendJson(res, 404, { error: 'not found' });
      }
    };
    respond().catch((err: unknown) => {
      if (res.headersSent) return res.destroy();
      if (err instanceof AuthenticationError) return sendGraphQLError(res, 401, err.message, 'UNAUTHENTICATED', { 'www-authenticate': 'Bearer' });
      if (err instanceof HttpError) return sendGraphQLError(res, err.status, err.message, err.code);
      logger.error({ err }, 'request failed');
      sendGraphQLError(res, 500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
    });
  });

  return {
    httpServer,
    logger,
    listen: (port = config.port) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, config.host, () => {
          const { port: bound } = httpServer.address() as AddressInfo;
          logger.info({ port: bound, supergraph: config.supergraphPath }, 'gateway listening');
          resolve(`http://127.0.0.1:${bound}/graphql`);
        });
      }),
    async stop() {
      ready = false;
      await apollo.stop();
    },
  };
}
