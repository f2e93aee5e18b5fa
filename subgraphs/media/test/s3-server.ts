import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@terrarium/subgraph-kit/testing';

/** How long s3rver may take to print that it listens. @default 20_000 ms */
const START_TIMEOUT_MS = 20_000;
/** How long it may take to exit after SIGTERM before it is killed. @default 5_000 ms */
const STOP_TIMEOUT_MS = 5_000;

/**
 * s3rver's one account. It refuses a request signed with any other access key id
 * (InvalidAccessKeyId); it does not recompute SigV4 signatures, so the secret is not checked.
 */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface RunningS3 {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  bucket: string;
  pid: number;
  /** Where s3rver keeps the objects (its own files, never media's storage root). */
  dataDir: string;
  /** The MEDIA_S3_* settings that point media at this server and bucket. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts s3rver (an S3-compatible server over a directory) as its own process on a free port of
 * 127.0.0.1, with one fresh bucket, and resolves once it listens. Stopped by its PID.
 */
export async function startS3rver(): Promise<RunningS3> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'terrarium-s3rver-'));
  const bucket = `media-${randomBytes(4).toString('hex')}`;
  const bin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');
  const child = spawn(
    process.execPath,
    [bin, '-d', dataDir, '-a', '127.0.0.1', '-p', String(port), '--silent', '--configure-bucket', bucket],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const listening = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`s3rver did not start in ${START_TIMEOUT_MS} ms: ${output}`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('S3rver listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${code} before listening: ${output}`));
    });
  });
  const pid = child.pid;
  const stop = async () => {
    if (pid !== undefined && child.exitCode === null && child.signalCode === null) {
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => process.kill(pid, 'SIGKILL'), STOP_TIMEOUT_MS);
      await exited(child);
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    if (pid === undefined) throw new Error('s3rver did not start');
    await listening;
  } catch (err) {
    await stop();
    throw err;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    pid: pid!,
    dataDir,
    env: {
      MEDIA_S3_BUCKET: bucket,
      MEDIA_S3_ENDPOINT: endpoint,
      MEDIA_S3_REGION: 'us-east-1',
      MEDIA_S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      MEDIA_S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    },
    stop,
  };
}
