import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import type { Report } from '../src/report/types.js';

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const fixtureDir = join(packageDir, 'test', 'fixtures', 'repo');
const cli = join(packageDir, 'dist', 'cli.js');

/** A scratch copy of the fixture repository (removed after the test), to edit freely. */
export function copyFixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'terrarium-schema-'));
  cpSync(fixtureDir, root, { recursive: true });
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

export function editFile(root: string, file: string, edit: (text: string) => string): void {
  const path = join(root, file);
  const before = readFileSync(path, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`edit of ${file} changed nothing`);
  writeFileSync(path, after);
}

export function writeFile(root: string, file: string, text: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}

/** Builds dist/ when a source file is newer than dist/cli.js, so the CLI under test is current. */
export function ensureBuilt(): void {
  const built = statMtime(cli);
  if (built !== null && newestIn(join(packageDir, 'src')) <= built) return;
  execFileSync('npx', ['tsc', '-p', join(packageDir, 'tsconfig.build.json')], { stdio: 'inherit' });
}

function statMtime(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

function newestIn(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newestIn(path) : statSync(path).mtimeMs;
    }),
  );
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real CLI in a child process; subgraph URL overrides from the environment are removed. */
export function runCli(args: readonly string[]): CliResult {
  const env = { ...process.env };
  for (const name of ['PRODUCTS_URL', 'INVENTORY_URL', 'CI', 'NO_COLOR']) delete env[name];
  const result = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function runJson(args: readonly string[]): { code: number | null; report: Report } {
  const result = runCli([...args, '--format', 'json']);
  return { code: result.code, report: JSON.parse(result.stdout) as Report };
}
