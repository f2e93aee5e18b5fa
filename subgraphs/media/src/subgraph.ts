import type { EntityManager } from '@mikro-orm/postgresql';
import type { SubgraphConfig } from '@terrarium/subgraph-kit/config';
import { loadTypeDefs } from '@terrarium/subgraph-kit/schema-file';
import { createSubgraph, type Subgraph } from '@terrarium/subgraph-kit/subgraph';
import { loadMediaSettings } from './config.js';
import { MediaAsset } from './entities/media-asset.entity.js';
import { Upload } from './entities/upload.entity.js';
import { createFileRoute } from './http/file.route.js';
import { createUploadRoute } from './http/upload.route.js';
import { createLoaders, type Loaders } from './loaders/index.js';
import { migrations } from './migrations/index.js';
import { createResolvers } from './resolvers/index.js';
import { seedMedia } from './seed.js';
import { createPublicUrl, type MediaDeps } from './services/media-deps.js';
import { createStorage } from './services/storage/index.js';
import { sweepAbandonedUploads } from './services/sweep.js';

/** How often abandoned uploads are swept. @default 3_600_000 ms (1 hour) */
const SWEEP_INTERVAL_MS = 3_600_000;

export type MediaSubgraph = Subgraph<Loaders> & { readonly deps: MediaDeps };

/**
 * The media subgraph: assets and their uploads, the GraphQL API, PUT /uploads/* (signed
 * uploads) and GET /files/* (originals and variants). `env` is read for the MEDIA_* settings.
 */
export async function createMediaSubgraph(config: SubgraphConfig, env: NodeJS.ProcessEnv = process.env): Promise<MediaSubgraph> {
  const settings = loadMediaSettings(config, env);
  const storage = createStorage(settings);
  const publicUrl = createPublicUrl(settings.publicUrl, config.port);
  const deps: MediaDeps = { storage, settings, publicUrl: publicUrl.get };

  const subgraph = await createSubgraph({
    config,
    typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
    resolvers: createResolvers(deps),
    entities: [MediaAsset, Upload],
    migrations,
    createLoaders,
    seed: (em) => seedMedia(em, storage),
    routes: ({ orm, logger }) => ({
      '/uploads/*': createUploadRoute({ ...deps, orm, logger }),
      '/files/*': createFileRoute({ ...deps, orm, logger }),
    }),
  });

  const sweep = () =>
    sweepAbandonedUploads(subgraph.orm.em.fork() as EntityManager, storage, subgraph.logger).catch((err: unknown) =>
      subgraph.logger.error({ err }, 'sweeping abandoned uploads failed'),
    );
  const timer = setInterval(sweep, SWEEP_INTERVAL_MS);
  timer.unref();

  return {
    ...subgraph,
    deps,
    async listen(port) {
      const url = await subgraph.listen(port);
      publicUrl.bind(Number(new URL(url).port));
      return url;
    },
    async stop() {
      clearInterval(timer);
      await subgraph.stop();
    },
  };
}
