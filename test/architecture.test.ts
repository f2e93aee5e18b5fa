import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  checkImports,
  leavesPackage,
  packageOf,
  readWorkspaces,
  runtimeClosure,
  sourceFiles,
  type ImportRule,
  type Workspace,
} from './support/architecture.js';

/**
 * Packages meet only through the graph (STYLE.md): the gateway carries no ORM, DataLoader or Redis
 * pub/sub in its tree, and no subgraph reaches into another subgraph or the gateway. Read from the
 * package.json files and the import statements, so adding such an import fails here.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const workspaces = readWorkspaces(ROOT);
const GATEWAY = '@terrarium/gateway';
const subgraphs = [...workspaces.values()].filter((w) => w.dir.startsWith(join(ROOT, 'subgraphs')));
const subgraphNames = new Set(subgraphs.map((w) => w.name));

/** What the gateway must not carry: the subgraphs' persistence and pub/sub stack. */
const SUBGRAPH_ONLY = (pkg: string) =>
  pkg.startsWith('@mikro-orm/') || pkg === 'dataloader' || pkg === 'graphql-redis-subscriptions';

const read = (paths: string[]) => paths.map((path) => ({ path, source: readFileSync(path, 'utf8') }));
const filesOf = (workspace: Workspace, ...dirs: string[]) =>
  read(dirs.flatMap((dir) => sourceFiles(join(workspace.dir, dir))));
/** Workspaces that carry the subgraph-only stack at run time (the kit and the subgraphs). */
const ormCarrying = [...workspaces.values()].filter((w) =>
  runtimeClosure(w.name, workspaces).some((dep) => dep.dependencies.some(SUBGRAPH_ONLY)),
);
const staysInside = (workspace: Workspace): ImportRule => ({
  rule: `stays inside ${workspace.name} (other packages by name only)`,
  forbids: (specifier, file) => leavesPackage(specifier, file, workspace.dir),
});

describe('package boundaries', () => {
  it('knows the layout: packages/platform, packages/subgraph-kit, six subgraphs, the gateway', () => {
    expect([...workspaces.keys()]).toEqual(
      expect.arrayContaining(['@terrarium/platform', '@terrarium/subgraph-kit', GATEWAY]),
    );
    expect(subgraphs.map((w) => w.name).sort()).toEqual(
      ['commerce', 'community', 'inventory', 'media', 'ops', 'products'].map((n) => `@terrarium/${n}`),
    );
  });

  it('the gateway depends on no ORM, DataLoader or graphql-redis-subscriptions, not even through a workspace package', () => {
    const closure = runtimeClosure(GATEWAY, workspaces);
    const offending = closure.flatMap((w) =>
      w.dependencies
        .filter((dep) => SUBGRAPH_ONLY(dep) || dep === '@terrarium/subgraph-kit' || subgraphNames.has(dep))
        .map((dep) => `${w.name} -> ${dep}`),
    );
    expect(offending).toEqual([]);
    expect(closure.map((w) => w.name)).toContain('@terrarium/platform');
  });

  it('the gateway and the workspace packages it depends on import no ORM, DataLoader, Redis pub/sub, subgraph kit or subgraph', () => {
    const closure = runtimeClosure(GATEWAY, workspaces);
    const inClosure = new Set(closure.map((w) => w.name));
    const violations = closure.flatMap((workspace) =>
      checkImports(
        ROOT,
        filesOf(workspace, 'src', ...(workspace.name === GATEWAY ? ['test', 'widget'] : [])),
        [
          {
            rule: 'no subgraph-only package in the gateway',
            forbids: (s) => SUBGRAPH_ONLY(packageOf(s) ?? ''),
          },
          // A workspace package imported but not declared would escape the closure checked above.
          {
            rule: 'workspace packages only through declared dependencies',
            forbids: (s) => {
              const pkg = packageOf(s) ?? '';
              return workspaces.has(pkg) && !inClosure.has(pkg);
            },
          },
          // By path, the gateway reads the schema's artefacts and the bench's graph, never a package that carries an ORM.
          {
            rule: 'no ORM-carrying package reached by path',
            forbids: (s, file) =>
              s.startsWith('.') &&
              ormCarrying.some((w) => w.name !== workspace.name && !leavesPackage(s, file, w.dir)),
          },
        ],
      ),
    );
    expect(ormCarrying.map((w) => w.name)).toContain('@terrarium/subgraph-kit');
    expect(violations).toEqual([]);
  });

  it('no subgraph depends on another subgraph or the gateway at run time', () => {
    const offending = subgraphs.flatMap((subgraph) =>
      runtimeClosure(subgraph.name, workspaces)
        .flatMap((w) => w.dependencies.map((dep) => [w.name, dep] as const))
        .filter(([, dep]) => dep === GATEWAY || (subgraphNames.has(dep) && dep !== subgraph.name))
        .map(([from, dep]) => `${subgraph.name}: ${from} -> ${dep}`),
    );
    expect(offending).toEqual([]);
  });

  it("no subgraph's code imports another subgraph or the gateway; its tests import siblings only as devDependencies", () => {
    const violations = subgraphs.flatMap((subgraph) => {
      const other = (s: string) => {
        const pkg = packageOf(s) ?? '';
        return pkg === GATEWAY || (subgraphNames.has(pkg) && pkg !== subgraph.name);
      };
      return [
        ...checkImports(ROOT, filesOf(subgraph, 'src'), [
          { rule: 'a subgraph imports no other subgraph and no gateway', forbids: other },
          staysInside(subgraph),
        ]),
        ...checkImports(ROOT, filesOf(subgraph, 'test'), [
          {
            rule: 'tests import siblings by package name, declared as devDependencies',
            forbids: (s) => other(s) && !subgraph.devDependencies.includes(packageOf(s)!),
          },
          { rule: 'tests never import the gateway', forbids: (s) => packageOf(s) === GATEWAY },
          staysInside(subgraph),
        ]),
      ];
    });
    expect(violations).toEqual([]);
  });

  it('the shared packages (platform, subgraph kit) import no subgraph and no gateway', () => {
    const shared = [...workspaces.values()].filter((w) => w.dir.startsWith(join(ROOT, 'packages')));
    const violations = shared.flatMap((workspace) =>
      checkImports(ROOT, filesOf(workspace, 'src', 'test'), [
        {
          rule: 'shared code knows no subgraph and no gateway',
          forbids: (s) => {
            const pkg = packageOf(s) ?? '';
            return pkg === GATEWAY || subgraphNames.has(pkg);
          },
        },
        staysInside(workspace),
      ]),
    );
    expect(violations).toEqual([]);
  });
});

describe('the boundary checker itself', () => {
  // These cases prove the rules above can fail: each forbidden import is found where it is written.
  const gateway = workspaces.get(GATEWAY)!;
  const products = workspaces.get('@terrarium/products')!;
  const orm: ImportRule = { rule: 'orm', forbids: (s) => SUBGRAPH_ONLY(packageOf(s) ?? '') };

  it('finds static, type-only, dynamic and re-exported imports of a forbidden package', () => {
    const source = [
      "import { MikroORM } from '@mikro-orm/core';",
      "import type { EntityManager } from '@mikro-orm/postgresql';",
      "const DataLoader = await import('dataloader');",
      "export { RedisPubSub } from 'graphql-redis-subscriptions';",
      "import { sendJson } from '@terrarium/platform/http';",
    ].join('\n');
    const found = checkImports(ROOT, [{ path: join(gateway.dir, 'src', 'x.ts'), source }], [orm]).map(
      (v) => v.imports,
    );
    expect(found).toEqual([
      '@mikro-orm/core',
      '@mikro-orm/postgresql',
      'graphql-redis-subscriptions',
      'dataloader',
    ]);
  });

  it("finds a subgraph reaching another's files by relative path, and allows its own", () => {
    const file = join(products.dir, 'src', 'x.ts');
    const source =
      "import { createInventorySubgraph } from '../../inventory/src/subgraph.js';\nimport { seed } from './seed.js';\nconst sdl = new URL('../schema.graphql', import.meta.url);\nconst sibling = new URL('../../commerce/src/subgraph.ts', import.meta.url);";
    const found = checkImports(ROOT, [{ path: file, source }], [staysInside(products)]).map((v) => v.imports);
    expect(found).toEqual(['../../inventory/src/subgraph.js', '../../commerce/src/subgraph.ts']);
  });

  it('follows dependencies through workspace packages, not devDependencies', () => {
    const fake = new Map<string, Workspace>([
      ['a', { name: 'a', dir: '/a', dependencies: ['b'], devDependencies: ['d'] }],
      ['b', { name: 'b', dir: '/b', dependencies: ['c', '@mikro-orm/core'], devDependencies: [] }],
      ['c', { name: 'c', dir: '/c', dependencies: [], devDependencies: [] }],
      ['d', { name: 'd', dir: '/d', dependencies: [], devDependencies: [] }],
    ]);
    expect(runtimeClosure('a', fake).map((w) => w.name)).toEqual(['a', 'b', 'c']);
  });
});
