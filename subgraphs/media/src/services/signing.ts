import { createHmac, timingSafeEqual } from 'node:crypto';

/** What an upload URL's signature vouches for. */
export interface SignedUpload {
  uploadId: string;
  maxBytes: number;
  contentType: string;
  /** Unix time in seconds after which the URL is refused. */
  expires: number;
}

/** HMAC-SHA256 over every field, newline-separated (none of them can contain a newline). */
export function signUpload(secret: string, upload: SignedUpload): string {
  return createHmac('sha256', secret)
    .update(
      `terrarium-upload\n${upload.uploadId}\n${upload.maxBytes}\n${upload.contentType}\n${upload.expires}`,
    )
    .digest('base64url');
}

/** `<publicUrl>/uploads/<uploadId>?expires=<unix s>&sig=<hmac>` */
export function uploadUrl(publicUrl: string, secret: string, upload: SignedUpload): string {
  return `${publicUrl}/uploads/${upload.uploadId}?expires=${upload.expires}&sig=${signUpload(secret, upload)}`;
}

export type SignatureCheck = 'valid' | 'invalid' | 'expired';

/**
 * Checks a URL's signature against the upload's stored fields, in constant time. A bad signature
 * is `invalid` even when also expired, so that a tampered URL never learns more than "no".
 */
export function checkUploadSignature(
  secret: string,
  upload: SignedUpload,
  signature: string,
  now: Date = new Date(),
): SignatureCheck {
  const expected = Buffer.from(signUpload(secret, upload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
  return upload.expires * 1000 <= now.getTime() ? 'expired' : 'valid';
}
