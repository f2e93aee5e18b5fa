import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { CannotRunError, describeIoError } from './errors.js';

/** Where a check reads and writes, all absolute. Relative CLI paths resolve against the cwd. */
export interface RepoPaths {
  root: string;
  subgraphsDir: string;
  supergraphFile: string;
  operationsDir: string;
  manifestsDir: string;
  changesDir: string;
}

export interface RepoOptions {
  /** @default process.cwd() */
  root?: string;
  /** @default <root>/subgraphs */
  subgraphs?: string;
  /** @default <root>/schema/supergraph.graphql */
  supergraph?: string;
}

export function resolveRepo(options: RepoOptions): RepoPaths {
  const root = resolve(options.root ?? process.cwd());
  let stats;
  try {
    stats = statSync(root);
  } catch (error) {
    throw describeIoError(root, error);
  }
  if (!stats.isDirectory()) throw new CannotRunError(`root ${root} is not a directory`);
  return {
    root,
    subgraphsDir: options.subgraphs ? resolve(options.subgraphs) : join(root, 'subgraphs'),
    supergraphFile: options.supergraph
      ? resolve(options.supergraph)
      : join(root, 'schema', 'supergraph.graphql'),
    operationsDir: join(root, 'schema', 'operations'),
    manifestsDir: join(root, 'schema', 'manifests'),
    changesDir: join(root, 'schema', 'changes'),
  };
}

/** Path for reports: relative to the root when inside it, so reports do not leak machine paths. */
export function display(paths: RepoPaths, file: string): string {
  const rel = relative(paths.root, file);
  return rel.startsWith('..') || rel === '' ? file : rel.split('\\').join('/');
}

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw describeIoError(file, error);
  }
}

/** Text of a file that may legitimately be absent (a first composition has no baseline). */
export function readOptionalText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw describeIoError(file, error);
  }
}

/** Sorted file names in `dir` ending with `suffix`; an absent directory has none. */
export function listFiles(dir: string, suffix: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw describeIoError(dir, error);
  }
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => entry.name)
    .sort();
}
