import type { IncomingMessage } from 'node:http';

/**
 * The client's IP. Without trusted proxies (TRUST_PROXY=false) it is the socket's peer and
 * X-Forwarded-For is ignored, since anyone can send it to dodge a rate limit or a blocklist.
 *
 * Behind `trustedHops` proxies, each proxy appends the address it received the request from, so
 * the client is the address `trustedHops` entries from the right of the chain (peer, then the
 * header's entries from last to first). Entries further left were written by the client itself
 * and are never believed: "X-Forwarded-For: 1.2.3.4" sent through one proxy arrives as
 * "1.2.3.4, <real address>", and the real address is what counts. A request that came through
 * fewer proxies than that (the chain is shorter) gets the leftmost address there is.
 */
export function clientIp(req: IncomingMessage, trustedHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedHops <= 0) return normalize(peer);
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const chain = [peer, ...forwarded.reverse()];
  return normalize(chain[Math.min(trustedHops, chain.length - 1)]!);
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) -> `10.0.0.1`, so blocklists hold one form. */
function normalize(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
