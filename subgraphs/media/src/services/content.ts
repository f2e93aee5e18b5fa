import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';

export type MediaKind = 'IMAGE' | 'DOCUMENT';

/** The only types accepted, with the extension their files are served under. */
export const ALLOWED_TYPES = {
  'image/jpeg': { ext: 'jpg', kind: 'IMAGE' },
  'image/png': { ext: 'png', kind: 'IMAGE' },
  'image/webp': { ext: 'webp', kind: 'IMAGE' },
  'application/pdf': { ext: 'pdf', kind: 'DOCUMENT' },
} as const satisfies Record<string, { ext: string; kind: MediaKind }>;

export type AllowedType = keyof typeof ALLOWED_TYPES;

export function isAllowedType(value: string): value is AllowedType {
  return Object.hasOwn(ALLOWED_TYPES, value);
}

export function extensionOf(contentType: string): string {
  return isAllowedType(contentType) ? ALLOWED_TYPES[contentType].ext : 'bin';
}

export function kindOf(contentType: AllowedType): MediaKind {
  return ALLOWED_TYPES[contentType].kind;
}

/**
 * Largest image accepted, in pixels, so that a small file cannot expand into gigabytes when
 * decoded (a "decompression bomb"). @default 40_000_000 px (e.g. 8000 x 5000)
 */
export const MAX_INPUT_PIXELS = 40_000_000;

/** Why a file was refused; the upload route turns it into an HTTP status and a JSON body. */
export class ContentError extends Error {
  constructor(
    readonly status: 415 | 422,
    message: string,
    readonly code: 'UNSUPPORTED_MEDIA_TYPE' | 'CONTENT_TYPE_MISMATCH' | 'UNDECODABLE_IMAGE',
  ) {
    super(message);
  }
}

export interface InspectedFile {
  contentType: AllowedType;
  kind: MediaKind;
  byteSize: number;
  width: number | null;
  height: number | null;
  /** SHA-256, lower-case hex. */
  checksum: string;
}

/** Leading bytes of the allowed image formats. */
const IMAGE_SIGNATURES: readonly [AllowedType, (bytes: Buffer) => boolean][] = [
  [
    'image/png',
    (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  ],
  ['image/jpeg', (b) => b.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))],
  [
    'image/webp',
    (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  ],
];

/**
 * The type named by the file's magic numbers. file-type also walks a PNG's chunks and gives up
 * on a broken structure; a file that still starts with an image signature is reported as that
 * type, so that it is refused as an image that does not decode (422) rather than as an unknown
 * type. An animated PNG is a PNG (sharp reads its first frame).
 */
export async function sniffType(bytes: Buffer): Promise<string | null> {
  const detected = await fileTypeFromBuffer(bytes);
  if (detected) return detected.mime === 'image/apng' ? 'image/png' : detected.mime;
  return IMAGE_SIGNATURES.find(([, matches]) => matches(bytes))?.[0] ?? null;
}

/**
 * Checks a file from its bytes, never from what the client claimed: the magic numbers must name
 * an allowed type equal to `expected` (the type signed into the upload URL), and an image must
 * decode completely (a valid header followed by garbage is refused too).
 */
export async function inspectFile(bytes: Buffer, expected: string): Promise<InspectedFile> {
  const detected = await sniffType(bytes);
  if (!detected || !isAllowedType(detected)) {
    throw new ContentError(
      415,
      `The file is ${detected ?? 'of an unrecognised type'}; allowed types are ${Object.keys(ALLOWED_TYPES).join(', ')}.`,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  }
  if (detected !== expected) {
    throw new ContentError(
      415,
      `The file is ${detected}, but the upload was created for ${expected}.`,
      'CONTENT_TYPE_MISMATCH',
    );
  }
  const contentType = detected;
  const kind = kindOf(contentType);
  let width: number | null = null;
  let height: number | null = null;
  if (kind === 'IMAGE') {
    try {
      const image = sharp(bytes, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS });
      const metadata = await image.metadata();
      // metadata() reads only the header; stats() decodes every pixel, so truncated data fails here.
      await image.stats();
      width = metadata.autoOrient.width;
      height = metadata.autoOrient.height;
    } catch {
      throw new ContentError(
        422,
        `The file starts like ${contentType} but does not decode as an image.`,
        'UNDECODABLE_IMAGE',
      );
    }
  }
  return {
    contentType,
    kind,
    byteSize: bytes.length,
    width,
    height,
    checksum: createHash('sha256').update(bytes).digest('hex'),
  };
}
