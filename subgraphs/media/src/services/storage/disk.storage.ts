import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { assertSafeKey, type Storage } from './storage.js';

/** Temp files live under the root (same filesystem, so rename is atomic) and are never listed. */
const TMP_DIR = '.tmp';

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Local-disk storage under `root` (MEDIA_STORAGE_DIR). */
export function createDiskStorage(root: string): Storage {
  const pathOf = (key: string): string => {
    assertSafeKey(key);
    return join(root, key);
  };

  return {
    async put(key, body) {
      const target = pathOf(key);
      const temp = join(root, TMP_DIR, randomUUID());
      await mkdir(dirname(temp), { recursive: true });
      try {
        await writeFile(temp, body);
        await mkdir(dirname(target), { recursive: true });
        await rename(temp, target);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },
    async get(key) {
      try {
        return await readFile(pathOf(key));
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async exists(key) {
      try {
        return (await stat(pathOf(key))).isFile();
      } catch (err) {
        if (isMissing(err)) return false;
        throw err;
      }
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async move(from, to) {
      const target = pathOf(to);
      await mkdir(dirname(target), { recursive: true });
      await rename(pathOf(from), target);
    },
    async list(prefix) {
      const base = join(root, prefix.replace(/\/+$/, ''));
      let entries: string[];
      try {
        entries = await readdir(base, { recursive: true });
      } catch (err) {
        if (isMissing(err)) return [];
        throw err;
      }
      const keys: string[] = [];
      for (const entry of entries) {
        const full = join(base, entry);
        // A file removed between readdir and stat is simply no longer there.
        const info = await stat(full).catch((err: unknown) => (isMissing(err) ? null : Promise.reject(err)));
        if (info?.isFile()) keys.push(relative(root, full).split(sep).join('/'));
      }
      return keys.filter((key) => !key.startsWith(`${TMP_DIR}/`)).sort();
    },
    close() {
      // Nothing held open: every call opens and closes its own file.
    },
  };
}
