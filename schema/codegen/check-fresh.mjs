#!/usr/bin/env node
// @ts-check
/**
 * Is every committed generated file what codegen.ts makes today: the typed clients
 * (packages/client/src/generated/<client>.ts), the persisted-operation manifests
 * (schema/manifests/<client>.json), both from schema/operations, and each subgraph's resolver
 * types (subgraphs/<name>/src/generated/resolvers.ts, from its schema.graphql)?
 *
 *   node schema/codegen/check-fresh.mjs           exit 1 and name each stale, missing or orphaned file
 *   node schema/codegen/check-fresh.mjs --write   regenerate them
 *
 * Runs codegen in memory from the repository root (cwd); needs schema/dist built (the API schema
 * is composed with the schema package).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';

const root = fileURLToPath(new URL('../..', import.meta.url));
const OWN =
  /^(packages\/client\/src\/generated\/[^/]+\.ts|schema\/manifests\/[^/]+\.json|subgraphs\/[^/]+\/src\/generated\/resolvers\.ts)$/;
/** Folders whose every file must come from codegen (others there are orphans). */
const GENERATED_DIRS = ['packages/client/src/generated', 'schema/manifests'];

/** @returns {Promise<Map<string, string>>} repository-relative path -> content */
export async function generateFiles() {
  const { config } = await loadCodegenConfig({ configFilePath: join(root, 'codegen.ts') });
  const generates = Object.fromEntries(Object.entries(config.generates).filter(([path]) => OWN.test(path)));
  const outputs = await generate({ ...config, cwd: root, generates, silent: true, verbose: false }, false);
  return new Map(
    outputs.map((/** @type {{ filename: string, content: string }} */ output) => [
      relative(root, join(root, output.filename)),
      output.content,
    ]),
  );
}

async function main() {
  const write = process.argv.includes('--write');
  const expected = await generateFiles();
  const problems = [];
  for (const [path, content] of expected) {
    const file = join(root, path);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : null;
    if (current === content) continue;
    if (write) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      console.log(`wrote ${path}`);
    } else {
      problems.push(current === null ? `${path} is missing` : `${path} is stale`);
    }
  }
  for (const dir of GENERATED_DIRS) {
    if (!existsSync(join(root, dir))) continue;
    for (const name of readdirSync(join(root, dir))) {
      const path = `${dir}/${name}`;
      if (OWN.test(path) && !expected.has(path))
        problems.push(`${path} has no schema/operations source (delete it)`);
    }
  }
  if (problems.length > 0) {
    console.error(
      `Generated files are not fresh:\n  - ${problems.join('\n  - ')}\nRun: node schema/codegen/check-fresh.mjs --write (or npm run codegen) and commit the result.`,
    );
    process.exit(1);
  }
  if (!write) console.log(`typed clients, manifests and resolver types are fresh (${expected.size} files)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
