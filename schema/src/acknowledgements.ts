import { join } from 'node:path';
import { display, listFiles, readText } from './repo.js';
import type { RepoPaths } from './repo.js';

export interface AcknowledgementFile {
  /** Relative to the root. */
  file: string;
  text: string;
}

/** Every schema/changes/*.md; the directory may be absent. */
export function loadAcknowledgements(paths: RepoPaths): AcknowledgementFile[] {
  return listFiles(paths.changesDir, '.md').map((name) => {
    const file = join(paths.changesDir, name);
    return { file: display(paths, file), text: readText(file) };
  });
}

/**
 * The first file that names `coordinate` as a whole token: `Product.description` acknowledges
 * neither `Product.descriptionHtml`, `Product.description(format:)` nor the removal of `Product`.
 * Arguments may be written `Type.field(arg:)` (the spec's form) or `Type.field(arg)`.
 */
export function findAcknowledgement(
  files: readonly AcknowledgementFile[],
  coordinate: string,
): string | null {
  const forms = [coordinate];
  if (coordinate.endsWith(':)')) forms.push(`${coordinate.slice(0, -2)})`);
  const patterns = forms.map((form) => new RegExp(`(?<![\\w.@])${escape(form)}(?!\\.?[\\w(])`, 'm'));
  for (const { file, text } of files) {
    if (patterns.some((pattern) => pattern.test(text))) return file;
  }
  return null;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
