import type { EntityManager } from '@mikro-orm/postgresql';
import { sendJson, type RouteHandler } from '@terrarium/platform/http';
import type { Orm } from '@terrarium/subgraph-kit/orm';
import type { SigningKeys } from '../services/signing-keys.js';

/** Verifiers (the gateway) may keep the key set this long. @default 300 s */
const JWKS_MAX_AGE_SECONDS = 300;

/** GET /.well-known/jwks.json: the public keys that verify ops' tokens. Public by design. */
export function createJwksRoute(keys: SigningKeys, orm: Orm): RouteHandler {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
    }
    const jwks = await keys.jwks(orm.em.fork() as EntityManager);
    sendJson(res, 200, jwks, { 'cache-control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` });
  };
}
