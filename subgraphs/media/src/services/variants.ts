import sharp from 'sharp';
import { BadUserInputError } from '@terrarium/platform/errors';
import { MAX_INPUT_PIXELS, extensionOf } from './content.js';

/**
 * The widths variants are made at. A requested width is rounded up to one of these, so that a
 * handful of files per image serve every layout and each is made once and cached forever.
 */
export const VARIANT_WIDTHS = [100, 200, 300, 400, 600, 800, 1200, 1600] as const;

/** Largest width a client may ask for; anything above the largest step gets the original. */
const MAX_REQUESTED_WIDTH = 10_000;

/** The fields of an asset that decide its URLs. */
export interface AssetFile {
  id: string;
  kind: string;
  contentType: string;
  width?: number | null;
}

export function originalKey(asset: Pick<AssetFile, 'id' | 'contentType'>): string {
  return `assets/${asset.id}/original.${extensionOf(asset.contentType)}`;
}

export function variantKey(asset: Pick<AssetFile, 'id' | 'contentType'>, width: number): string {
  return `assets/${asset.id}/w${width}.${extensionOf(asset.contentType)}`;
}

/**
 * The variant width for a requested width: the smallest step at least as wide, or null for the
 * original (a document, no width asked, or a step not smaller than the original: never upscaled).
 */
export function variantWidthFor(asset: AssetFile, requested: number | null | undefined): number | null {
  if (requested == null) return null;
  if (!Number.isInteger(requested) || requested < 1 || requested > MAX_REQUESTED_WIDTH) {
    throw new BadUserInputError(
      `"width" must be an integer from 1 to ${MAX_REQUESTED_WIDTH}, got ${requested}.`,
      'width',
    );
  }
  if (asset.kind !== 'IMAGE' || !asset.width) return null;
  const step = VARIANT_WIDTHS.find((w) => w >= requested);
  if (step === undefined || step >= asset.width) return null;
  return step;
}

/** `<publicUrl>/files/<id>/original.<ext>` or `<publicUrl>/files/<id>/w<W>.<ext>`. */
export function fileUrl(publicUrl: string, asset: AssetFile, requested?: number | null): string {
  const width = variantWidthFor(asset, requested);
  const ext = extensionOf(asset.contentType);
  return `${publicUrl}/files/${asset.id}/${width === null ? 'original' : `w${width}`}.${ext}`;
}

/** Resizes an original to `width`, in its own format, honouring EXIF orientation. */
export async function renderVariant(original: Buffer, contentType: string, width: number): Promise<Buffer> {
  const image = sharp(original, { limitInputPixels: MAX_INPUT_PIXELS })
    .autoOrient()
    .resize({ width, withoutEnlargement: true });
  switch (contentType) {
    case 'image/jpeg':
      return image.jpeg({ quality: 82, mozjpeg: true }).toBuffer();
    case 'image/png':
      return image.png({ compressionLevel: 9 }).toBuffer();
    case 'image/webp':
      return image.webp({ quality: 80 }).toBuffer();
    default:
      throw new Error(`No variants for ${contentType}`);
  }
}
