#!/usr/bin/env node
// @ts-check
/**
 * Leaves in a built checkout only what the services run: each workspace's package.json, dist/
 * (tests compiled into it removed), schema.graphql and README; the root's package files and
 * node_modules; the composed supergraph and the persisted manifests. Sources, tests, build
 * configs, benchmarks and scripts go. Run by the Dockerfile after `npm prune --omit=dev`:
 *
 *   node scripts/docker/prune-image.mjs /app
 *
 * node_modules is never entered (a dependency's own src/ is what it runs).
 */
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** In a workspace: what may stay. */
const WORKSPACE_KEEP = new Set([
  'package.json',
  'dist',
  'schema.graphql',
  'README.md',
  'node_modules',
  'manifests',
  'supergraph.graphql',
]);
/** At the root: what may stay (workspace folders are handled one by one). */
const ROOT_KEEP = new Set(['package.json', 'package-lock.json', 'node_modules', 'README.md']);
/** Compiled tests and their declarations. */
const COMPILED_TEST = /\.test\.(js|d\.ts|js\.map|d\.ts\.map)$/;

/** @param {string} root @returns {string[]} workspace folders, relative to root */
export function workspacesOf(root) {
  const patterns =
    /** @type {{ workspaces?: string[] }} */ (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')))
      .workspaces ?? [];
  const found = new Set();
  for (const pattern of patterns) {
    if (pattern.endsWith('/*')) {
      const parent = pattern.slice(0, -2);
      if (!existsSync(join(root, parent))) continue;
      for (const name of readdirSync(join(root, parent))) {
        if (existsSync(join(root, parent, name, 'package.json'))) found.add(`${parent}/${name}`);
      }
    } else if (existsSync(join(root, pattern, 'package.json'))) {
      found.add(pattern);
    }
  }
  return [...found].sort();
}

/** @param {string} root @returns {string[]} removed paths, relative to root */
export function pruneImage(root) {
  const removed = [];
  const remove = (/** @type {string} */ path) => {
    rmSync(path, { recursive: true, force: true });
    removed.push(relative(root, path));
  };
  const workspaces = workspacesOf(root);
  // Top-level folders that hold workspaces (subgraphs/, packages/) are walked, not removed.
  const holders = new Set(workspaces.map((ws) => ws.split('/')[0]));
  for (const ws of workspaces) {
    const dir = join(root, ws);
    for (const name of readdirSync(dir)) {
      if (!WORKSPACE_KEEP.has(name)) remove(join(dir, name));
    }
    if (existsSync(join(dir, 'dist'))) pruneCompiledTests(join(dir, 'dist'), remove);
  }
  for (const name of readdirSync(root)) {
    if (ROOT_KEEP.has(name) || holders.has(name)) continue;
    remove(join(root, name));
  }
  return removed;
}

/** @param {string} dir @param {(path: string) => void} remove */
function pruneCompiledTests(dir, remove) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) pruneCompiledTests(path, remove);
    else if (COMPILED_TEST.test(name)) remove(path);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = process.argv[2] ?? process.cwd();
  const removed = pruneImage(root);
  console.log(`prune-image: removed ${removed.length} paths under ${root}`);
}
