/**
 * The package boundaries of issue 12, read from the repository itself: every workspace's
 * package.json and every import statement of its sources. No dependency-cruiser: the rules are
 * few, and a checker of 100 lines that a reader can follow beats a config of rules nobody reads.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface Workspace {
  name: string;
  /** Absolute directory. */
  dir: string;
  dependencies: string[];
  devDependencies: string[];
}

/** Every workspace of the root package.json (`packages/*`, `subgraphs/*`, `gateway`, `schema`). */
export function readWorkspaces(root: string): Map<string, Workspace> {
  const patterns = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] })
    .workspaces;
  const dirs = patterns.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(join(root, pattern.slice(0, -2))).map((entry) => join(root, pattern.slice(0, -2), entry))
      : [join(root, pattern)],
  );
  const workspaces = new Map<string, Workspace>();
  for (const dir of dirs) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const json = JSON.parse(readFileSync(file, 'utf8')) as {
      name: string;
      dependencies?: object;
      devDependencies?: object;
    };
    workspaces.set(json.name, {
      name: json.name,
      dir,
      dependencies: Object.keys(json.dependencies ?? {}),
      devDependencies: Object.keys(json.devDependencies ?? {}),
    });
  }
  return workspaces;
}

/** `.ts`/`.js`/`.mjs` files under `dir`, without node_modules, dist and generated output. */
export function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory())
      return ['node_modules', 'dist'].includes(entry) ? [] : sourceFiles(path);
    return /\.(?:ts|tsx|js|mjs)$/.test(entry) && !entry.endsWith('.d.ts') ? [path] : [];
  });
}

const SPECIFIERS = [
  /\bfrom\s+['"]([^'"]+)['"]/g, // import ... from 'x', export ... from 'x'
  /\bimport\s+['"]([^'"]+)['"]/g, // import 'x'
  /\bimport\(\s*['"`]([^'"`$]+)['"`]/g, // import('x')
  /\brequire(?:Cjs)?\(\s*['"]([^'"]+)['"]/g, // require('x')
  /\bnew URL\(\s*['"`](\.\.?\/[^'"`$]*)/g, // new URL('../x', import.meta.url): a file reached by path
];

/** Every module specifier a source file names (static and dynamic imports, requires, URL paths). */
export function importsOf(source: string): string[] {
  return SPECIFIERS.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

/** `@scope/name/sub` -> `@scope/name`; `name/sub` -> `name`; relative and node: specifiers -> undefined. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:'))
    return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** One import that crosses a boundary, for the failure message. */
export interface Violation {
  file: string;
  imports: string;
  rule: string;
}

export interface ImportRule {
  rule: string;
  /** Whether `specifier`, imported by `file`, breaks the rule. */
  forbids(specifier: string, file: string): boolean;
}

/** Checks every import of `files` against `rules`; `root` only shortens the paths reported. */
export function checkImports(
  root: string,
  files: readonly { path: string; source: string }[],
  rules: readonly ImportRule[],
): Violation[] {
  return files.flatMap(({ path, source }) =>
    importsOf(source).flatMap((specifier) =>
      rules
        .filter((rule) => rule.forbids(specifier, path))
        .map((rule) => ({ file: relative(root, path), imports: specifier, rule: rule.rule })),
    ),
  );
}

/** A relative specifier that leaves `packageDir` (reaching another package's files by path). */
export function leavesPackage(specifier: string, file: string, packageDir: string): boolean {
  if (!specifier.startsWith('.')) return false;
  const target = resolve(dirname(file), specifier);
  return target !== packageDir && !target.startsWith(packageDir + sep);
}

/** The workspaces `start` depends on at run time (dependencies, not devDependencies), itself included. */
export function runtimeClosure(start: string, workspaces: ReadonlyMap<string, Workspace>): Workspace[] {
  const seen = new Map<string, Workspace>();
  const visit = (name: string) => {
    const workspace = workspaces.get(name);
    if (!workspace || seen.has(name)) return;
    seen.set(name, workspace);
    workspace.dependencies.forEach(visit);
  };
  visit(start);
  return [...seen.values()];
}
