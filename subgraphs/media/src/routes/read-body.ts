import type { IncomingMessage } from 'node:http';
import { RouteError } from './respond.js';

function tooLarge(limit: number): RouteError {
  return new RouteError(
    413,
    `The file is larger than the ${limit} bytes this upload allows.`,
    'PAYLOAD_TOO_LARGE',
  );
}

/**
 * Reads a binary body of at most `limit` bytes. A declared Content-Length over the limit is
 * refused before reading anything; otherwise reading stops at the first chunk past the limit
 * (the caller's 413 then closes the connection), so an oversized body is never buffered.
 */
export async function readLimitedBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
