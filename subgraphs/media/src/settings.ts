import { join } from 'node:path';
import { ConfigError } from '@terrarium/platform/env';
import type { SubgraphConfig } from '@terrarium/subgraph-kit/config';

/** Largest file accepted. @default 10_485_760 bytes (10 MiB) */
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
/** How long an upload URL stays valid. @default 900 s */
export const DEFAULT_UPLOAD_TTL_SECONDS = 900;

export interface S3Settings {
  bucket: string;
  /** S3-compatible endpoint (MinIO, R2, ...); AWS itself when unset. */
  endpoint: string | null;
  region: string;
  /** Path-style addressing (bucket in the path), what most S3-compatible servers need. */
  forcePathStyle: boolean;
  /** Explicit keys; the SDK's default credential chain (AWS_*, profiles, roles) when null. */
  credentials: { accessKeyId: string; secretAccessKey: string } | null;
}

/** The media subgraph's own settings, beside the kit's SubgraphConfig. */
export interface MediaSettings {
  /** Origin of upload and file URLs; null = http://127.0.0.1:<bound port>. */
  publicUrl: string | null;
  /** Key for upload URL signatures (HMAC-SHA256). */
  signingSecret: string;
  maxBytes: number;
  uploadTtlSeconds: number;
  /** Local storage root, used when s3 is null. */
  storageDir: string;
  s3: S3Settings | null;
}

function positiveInt(env: NodeJS.ProcessEnv, key: string, fallback: number, problems: string[]): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    problems.push(`${key} must be a positive integer, got "${raw}"`);
    return fallback;
  }
  return value;
}

/**
 * Reads MEDIA_* from the environment once, listing every problem at once (ConfigError).
 * The signing secret falls back to INTERNAL_SECRET, which the kit already requires.
 */
export function loadMediaSettings(
  config: SubgraphConfig,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<MediaSettings> {
  const problems: string[] = [];

  const publicUrl = env['MEDIA_PUBLIC_URL'] || null;
  if (publicUrl !== null && !URL.canParse(publicUrl))
    problems.push(`MEDIA_PUBLIC_URL must be an absolute URL, got "${publicUrl}"`);

  const signingSecret = env['MEDIA_SIGNING_SECRET'] || config.internalSecret;
  if (signingSecret.length < 32) problems.push('MEDIA_SIGNING_SECRET must be at least 32 characters');

  const maxBytes = positiveInt(env, 'MEDIA_MAX_BYTES', DEFAULT_MAX_BYTES, problems);
  const uploadTtlSeconds = positiveInt(env, 'MEDIA_UPLOAD_TTL_SECONDS', DEFAULT_UPLOAD_TTL_SECONDS, problems);

  let s3: S3Settings | null = null;
  const bucket = env['MEDIA_S3_BUCKET'];
  if (bucket) {
    const endpoint = env['MEDIA_S3_ENDPOINT'] || null;
    if (endpoint !== null && !URL.canParse(endpoint))
      problems.push(`MEDIA_S3_ENDPOINT must be an absolute URL, got "${endpoint}"`);
    const accessKeyId = env['MEDIA_S3_ACCESS_KEY_ID'];
    const secretAccessKey = env['MEDIA_S3_SECRET_ACCESS_KEY'];
    if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
      problems.push('MEDIA_S3_ACCESS_KEY_ID and MEDIA_S3_SECRET_ACCESS_KEY must be set together');
    }
    // Unset or empty: path-style exactly when an endpoint is given (what S3-compatible servers need).
    const pathStyle = env['MEDIA_S3_FORCE_PATH_STYLE'] || (endpoint ? 'true' : 'false');
    if (pathStyle !== 'true' && pathStyle !== 'false')
      problems.push(`MEDIA_S3_FORCE_PATH_STYLE must be true or false, got "${pathStyle}"`);
    s3 = {
      bucket,
      endpoint,
      region: env['MEDIA_S3_REGION'] || env['AWS_REGION'] || 'us-east-1',
      forcePathStyle: pathStyle === 'true',
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : null,
    };
  }

  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    publicUrl: publicUrl?.replace(/\/+$/, '') ?? null,
    signingSecret,
    maxBytes,
    uploadTtlSeconds,
    storageDir: env['MEDIA_STORAGE_DIR'] || join(process.cwd(), '.data', 'media'),
    s3,
  });
}
