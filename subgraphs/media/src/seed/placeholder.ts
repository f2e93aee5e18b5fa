import { createHash } from 'node:crypto';
import sharp from 'sharp';

export type PlaceholderFormat = 'webp' | 'jpeg' | 'png';

export interface Placeholder {
  /** Seeds the colour, so that one name always gets the same picture. */
  name: string;
  title: string;
  subtitle?: string;
  width: number;
  height: number;
  format: PlaceholderFormat;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A hue from 0 to 359 derived from the name. */
function hueOf(name: string): number {
  return createHash('sha256').update(name).digest().readUInt16BE(0) % 360;
}

/**
 * A real, small demo picture: a diagonal gradient in the name's colour with the title (and
 * subtitle) written across it, rendered from SVG by sharp.
 */
export async function renderPlaceholder(spec: Placeholder): Promise<Buffer> {
  const hue = hueOf(spec.name);
  const { width, height } = spec;
  const titleSize = Math.round(Math.min(width / Math.max(spec.title.length * 0.62, 8), height / 7));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="hsl(${hue}, 62%, 58%)"/><stop offset="1" stop-color="hsl(${(hue + 50) % 360}, 55%, 28%)"/>
    </linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <text x="50%" y="50%" font-family="sans-serif" font-weight="bold" font-size="${titleSize}" fill="#fff" text-anchor="middle">${escapeXml(spec.title)}</text>
    ${spec.subtitle ? `<text x="50%" y="${Math.round(height / 2 + titleSize * 1.2)}" font-family="sans-serif" font-size="${Math.round(titleSize * 0.5)}" fill="#ffffffcc" text-anchor="middle">${escapeXml(spec.subtitle)}</text>` : ''}
  </svg>`;
  const image = sharp(Buffer.from(svg));
  switch (spec.format) {
    case 'webp':
      return image.webp({ quality: 80 }).toBuffer();
    case 'jpeg':
      return image.jpeg({ quality: 80 }).toBuffer();
    case 'png':
      return image.png().toBuffer();
  }
}
