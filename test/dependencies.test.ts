/**
 * Every package a file imports is declared by the package.json nearest to it. The repository's
 * ESLint config enforces it (import-x/no-extraneous-dependencies, run by `npm run lint`); this
 * checks the config still does, on files placed where the repository's own would be.
 */
import { ESLint } from 'eslint';
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
