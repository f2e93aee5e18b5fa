import type { MediaSettings } from '../settings.js';
import type { Storage } from './storage/index.js';

/** What resolvers and routes share beyond the kit's context: built once per subgraph. */
export interface MediaDeps {
  storage: Storage;
  settings: Readonly<MediaSettings>;
  /** The origin of upload and file URLs, without a trailing slash. */
  publicUrl: () => string;
}

/**
 * MEDIA_PUBLIC_URL when set; otherwise http://127.0.0.1:<port>, where the port is the configured
 * one until the server listens and the bound one after (port 0 in tests).
 */
export function createPublicUrl(configured: string | null, port: number) {
  let origin = configured ?? `http://127.0.0.1:${port}`;
  return {
    get: (): string => origin,
    /** Called once the server listens. */
    bind(boundPort: number): void {
      if (configured === null) origin = `http://127.0.0.1:${boundPort}`;
    },
  };
}
