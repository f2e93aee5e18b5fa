import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { S3Settings } from '../../settings.js';
import { assertSafeKey, type Storage } from './storage.js';

/** Longest wait for a TCP connection to the store. @default 3_000 ms */
const CONNECT_TIMEOUT_MS = 3_000;
/**
 * Longest a request may go without the socket moving, so that a hung store fails an upload or a
 * file read instead of holding it (and its database connection) forever. @default 30_000 ms
 */
const REQUEST_TIMEOUT_MS = 30_000;

function isMissing(err: unknown): boolean {
  return (
    err instanceof NoSuchKey ||
    err instanceof NotFound ||
    (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
  );
}

/** The client for the settings; exported for tests that look into the bucket with the same settings. */
export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    ...(settings.endpoint
      ? {
          endpoint: settings.endpoint,
          // The SDK (since 3.729) adds CRC32 checksum headers to every upload and checks them on
          // downloads; many S3-compatible stores reject or lack them. Checksums are still sent
          // where the S3 API requires them. AWS itself (no endpoint) keeps the SDK's default.
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }
      : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  });
}

/** S3 or an S3-compatible store (MEDIA_S3_BUCKET, MEDIA_S3_ENDPOINT, ...). */
export function createS3Storage(settings: S3Settings): Storage {
  const client = createS3Client(settings);
  const Bucket = settings.bucket;
  const checked = (key: string): string => {
    assertSafeKey(key);
    return key;
  };

  return {
    async put(key, body, contentType) {
      await client.send(
        new PutObjectCommand({ Bucket, Key: checked(key), Body: body, ContentType: contentType }),
      );
    },
    async get(key) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket, Key: checked(key) }));
        return object.Body ? Buffer.from(await object.Body.transformToByteArray()) : Buffer.alloc(0);
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async exists(key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key: checked(key) }));
        return true;
      } catch (err) {
        if (isMissing(err)) return false;
        throw err;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: checked(key) }));
    },
    async move(from, to) {
      // S3 has no rename: copy, then delete the source. CopySource is "<bucket>/<key>" with the
      // key URL-encoded per segment (the API's rule; safe keys make it a no-op today).
      const source = checked(from).split('/').map(encodeURIComponent).join('/');
      await client.send(
        new CopyObjectCommand({ Bucket, Key: checked(to), CopySource: `${Bucket}/${source}` }),
      );
      await client.send(new DeleteObjectCommand({ Bucket, Key: from }));
    },
    async list(prefix) {
      const keys: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }),
        );
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return keys.sort();
    },
    close() {
      client.destroy();
    },
  };
}
