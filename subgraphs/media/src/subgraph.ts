import type { EntityManager } from '@mikro-orm/postgresql';
import type { SubgraphConfig } from '@terrarium/subgraph-kit/config';
import { loadTypeDefs } from '@terrarium/subgraph-kit/schema-file';
import { createSubgraph, type Subgraph } from '@terrarium/subgraph-kit/subgraph';
import { cronEvery, defineJob, workAudit } from '@terrarium/subgraph-kit/jobs';
import { loadMediaSettings } from './settings.js';
import { entities } from './entities/index.js';
import { createFileRoute } from './routes/file.route.js';
import { createUploadRoute } from './routes/upload.route.js';
import { createLoaders, type Loaders } from './loaders/index.js';
import { migrations } from './migrations/index.js';
import { createResolvers } from './resolvers/index.js';
import { seedMedia } from './seed/index.js';
import { createPublicUrl, type MediaDeps } from './services/media-deps.js';
import { createStorage } from './services/storage/index.js';
import { sweepAbandonedUploads } from './services/sweep.js';

/** How often abandoned uploads are swept. @default 3_600_000 ms (1 hour) */
const SWEEP_INTERVAL_MS = 3_600_000;
/** The sweep as a scheduled job: once per tick for the whole cluster, not once per process. */
export const sweepJob = defineJob<Record<string, never>>('media.sweep-uploads', {
  retryLimit: 0,
  expireInSeconds: 600,
  concurrency: 1,
  policy: 'stately',
});

export type MediaSubgraph = Subgraph<Loaders> & { readonly deps: MediaDeps };

/**
 * The media subgraph: assets and their uploads, the GraphQL API, PUT /uploads/* (signed
 * uploads) and GET /files/* (originals and variants). `env` is read for the MEDIA_* settings.
 */
export async function createMediaSubgraph(
  config: SubgraphConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<MediaSubgraph> {
  const settings = loadMediaSettings(config, env);
  const storage = createStorage(settings);
  const publicUrl = createPublicUrl(settings.publicUrl, config.port);
  const deps: MediaDeps = { storage, settings, publicUrl: publicUrl.get };

  const subgraph = await createSubgraph({
    config,
    typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
    resolvers: createResolvers(deps),
    entities,
    migrations,
    createLoaders,
    seed: (em) => seedMedia(em, storage),
    // Staff removals of assets they could not remove without the role are audited in ops, delivered by this queue.
    jobs: ({ jobs, services }) => workAudit(jobs, services),
    routes: ({ orm, logger }) => ({
      '/uploads/*': createUploadRoute({ ...deps, orm, logger }),
      '/files/*': createFileRoute({ ...deps, orm, logger }),
    }),
  });

  await subgraph.jobs.work(sweepJob, async () => {
    await sweepAbandonedUploads(subgraph.orm.em.fork() as EntityManager, storage, subgraph.logger);
  });
  await subgraph.jobs.schedule(sweepJob, cronEvery(SWEEP_INTERVAL_MS), {});

  return {
    ...subgraph,
    deps,
    async listen(port) {
      const url = await subgraph.listen(port);
      publicUrl.bind(Number(new URL(url).port));
      return url;
    },
    async stop() {
      await subgraph.stop();
      // After the drain: no request or job reads storage any more.
      storage.close();
    },
  };
}
