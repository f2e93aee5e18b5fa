import type { IncomingMessage } from 'node:http';

/**
 * The client's IP: the socket's peer, or the first X-Forwarded-For address when the gateway runs
 * behind a proxy it trusts (TRUST_PROXY). Without that flag the header is ignored, since anyone
 * can send it to dodge a rate limit or a blocklist.
 */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return normalize(first);
  }
  return normalize(req.socket.remoteAddress ?? 'unknown');
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) -> `10.0.0.1`, so blocklists hold one form. */
function normalize(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
