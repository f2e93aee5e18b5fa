/**
 * Every package a file imports is declared by the package.json nearest to it. The repository's
 * ESLint config enforces it (import-x/no-extraneous-dependencies, run by `npm run lint`); this
 * checks the config still does, on files placed where the repository's own would be.
 */
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS helper
import { ROOT } from '../scripts/lib/processes.js';

const eslint = new ESLint({ cwd: ROOT });

async function undeclared(source: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(ROOT, file) });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'import-x/no-extraneous-dependencies')
    .map((message) => message.message);
}

describe('declared dependencies', () => {
  it('refuses a hoisted package a subgraph does not declare', async () => {
    // `ws` is installed at the root (for tests), but products does not declare it.
    const messages = await undeclared(
      "import { WebSocket } from 'ws';\nexport const w = WebSocket;\n",
      'subgraphs/products/src/undeclared.ts',
    );
    expect(messages).toEqual([
      expect.stringContaining("'ws' should be listed in the project's dependencies"),
    ]);
  });

  it('refuses a devDependency in code that runs in production', async () => {
    const messages = await undeclared(
      "import { describe } from 'vitest';\nexport const d = describe;\n",
      'subgraphs/products/src/undeclared.ts',
    );
    expect(messages).toEqual([
      expect.stringContaining("'vitest' should be listed in the project's dependencies, not devDependencies"),
    ]);
  });

  it("accepts what the package declares, including its tests' devDependencies and type-only imports", async () => {
    expect(
      await undeclared(
        "import { describe } from 'vitest';\nexport const d = describe;\n",
        'subgraphs/products/test/declared.test.ts',
      ),
    ).toEqual([]);
    expect(
      await undeclared(
        "import type { Logger } from 'pino';\nexport type L = Logger;\n",
        'subgraphs/products/src/declared.ts',
      ),
    ).toEqual([]);
  });

  it('checks type-only imports too', async () => {
    const messages = await undeclared(
      "import type { WebSocket } from 'ws';\nexport type W = WebSocket;\n",
      'subgraphs/products/src/undeclared.ts',
    );
    expect(messages).toHaveLength(1);
  });
});

interface LockEntry {
  version?: string;
  link?: boolean;
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
}
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

/** Where npm finds `name` for the package at `from`: its own node_modules, then each parent's. */
function resolveInLock(from: string, name: string): LockEntry | undefined {
  for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
    const entry = lock.packages[`${dir ? `${dir}/` : ''}node_modules/${name}`];
    if (entry) return entry;
    if (!dir) return undefined;
  }
}

describe('the lockfile', () => {
  it("holds every platform's optional packages, so npm ci installs on macOS and Windows too", () => {
    const missing: string[] = [];
    let optional = 0;
    for (const [path, entry] of Object.entries(lock.packages))
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        optional += 1;
        if (!resolveInLock(path, name)) missing.push(`${path || '(root)'} -> ${name}`);
      }
    expect(
      optional,
      'the check is not vacuous (turbo and esbuild have per-platform packages)',
    ).toBeGreaterThan(10);
    expect(missing).toEqual([]);
    // The ones a Linux install would drop if the lockfile had been written carelessly.
    const platforms = Object.values(lock.packages).flatMap((entry) => entry.os ?? []);
    for (const os of ['darwin', 'win32', 'linux']) expect(platforms, os).toContain(os);
  });
});

describe('codegen', () => {
  it('declares every plugin and preset codegen.ts names as a string (ESLint cannot see those)', async () => {
    const codegenConfig = '../codegen.ts'; // a variable: tsc does not resolve .ts specifiers here
    const { default: config } = (await import(/* @vite-ignore */ codegenConfig)) as {
      default: { generates: Record<string, { plugins?: unknown[]; preset?: string }> };
    };
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const named = new Set<string>();
    for (const output of Object.values(config.generates)) {
      if (output.preset) named.add(`@graphql-codegen/${output.preset}-preset`);
      for (const plugin of output.plugins ?? []) {
        const name = typeof plugin === 'string' ? plugin : Object.keys(plugin as object)[0]!;
        if (!name.startsWith('.')) named.add(name.startsWith('@') ? name : `@graphql-codegen/${name}`);
      }
    }
    expect(named.size).toBeGreaterThanOrEqual(3);
    expect([...named].filter((name) => !root.devDependencies[name])).toEqual([]);
  });
});
