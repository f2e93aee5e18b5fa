/**
 * The container build and the compose deployment, checked by parsing them (no Docker engine
 * here): the install layer depends only on package manifests, the production image holds no
 * sources or tests, runs as a non-root user with a HEALTHCHECK, and compose publishes the
 * gateway and media (at the port MEDIA_PUBLIC_URL names) but no /metrics-only port, with CORS set.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
// @ts-expect-error plain JS script (run by the Dockerfile)
import { pruneImage, workspacesOf } from '../scripts/docker/prune-image.mjs';
// @ts-expect-error plain JS helper
import { ROOT } from '../scripts/lib/processes.js';

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/** Dockerfile -> stages of instructions (line continuations joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args);
      stages.push({ from: match?.[1] ?? '', name: match?.[2] ?? String(stages.length), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

/** Runs a manifests stage's RUN commands in a small tree, collecting into `target`; returns what it collected. */
function collectedBy(stage: Stage, target: string): string[] {
  const tree = mkdtempSync(join(tmpdir(), 'terrarium-context-'));
  const out = mkdtempSync(join(tmpdir(), 'terrarium-manifests-'));
  try {
    for (const path of [
      'package.json',
      'package-lock.json',
      'gateway/package.json',
      'gateway/src/main.ts',
      'subgraphs/ops/package.json',
      'subgraphs/ops/schema.graphql',
      'packages/client/package.json',
      'packages/client/src/index.ts',
      'node_modules/dep/package.json',
      'README.md',
    ]) {
      mkdirSync(dirname(join(tree, path)), { recursive: true });
      writeFileSync(join(tree, path), '{}');
    }
    const script = stage.instructions
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args.split(target).join(join(out, 'm')))
      .join(' && ');
    execFileSync('sh', ['-c', script], { cwd: tree });
    return listFiles(join(out, 'm')).sort();
  } finally {
    rmSync(tree, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const compose = parseYaml(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      image?: string;
      ports?: string[];
      environment?: Record<string, string>;
      healthcheck?: unknown;
      profiles?: string[];
      command?: string[];
    }
  >;
  volumes?: Record<string, unknown>;
};

describe('Dockerfile', () => {
  const build = stages.find((stage) =>
    stage.instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args)),
  );
  const runtime = stages.at(-1)!;

  it('turns off turbo telemetry before the build stage runs turbo', () => {
    const steps = build!.instructions;
    const telemetry = steps.findIndex(
      (i) => i.keyword === 'ENV' && /\bTURBO_TELEMETRY_DISABLED=1\b/.test(i.args),
    );
    const turbo = steps.findIndex((i) => i.keyword === 'RUN' && /\bturbo\b/.test(i.args));
    expect(telemetry, 'ENV TURBO_TELEMETRY_DISABLED=1 in the build stage').toBeGreaterThanOrEqual(0);
    expect(turbo).toBeGreaterThan(telemetry);
  });

  it('installs dependencies from the manifests alone, before any source is copied', () => {
    expect(build, 'a stage runs npm ci').toBeDefined();
    const steps = build!.instructions;
    const install = steps.findIndex((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    const copies = steps.slice(0, install).filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const from = /--from=(\S+)/.exec(copy.args)?.[1];
      if (from) {
        // Copied from a stage that collects only package.json files and the lockfile: run its
        // command on a small tree and look at what it collected.
        const source = stages.find((stage) => stage.name === from);
        expect(source, `stage ${from}`).toBeDefined();
        const target = /^(\S+)\s+\S+$/.exec(copy.args.replace(/--\S+\s+/g, ''))?.[1]?.replace(/\/$/, '');
        expect(target).toBeDefined();
        expect(collectedBy(source!, target!)).toEqual([
          'gateway/package.json',
          'package-lock.json',
          'package.json',
          'packages/client/package.json',
          'subgraphs/ops/package.json',
        ]);
      } else {
        const sources = copy.args
          .split(/\s+/)
          .filter((arg) => !arg.startsWith('--'))
          .slice(0, -1);
        for (const source of sources) expect(source).toMatch(/(^|\/)package(-lock)?\.json$/);
      }
    }
    const sourceCopy = steps.findIndex((i) => i.keyword === 'COPY' && /^\.\s+\.$/.test(i.args.trim()));
    expect(sourceCopy, 'the sources are copied after npm ci').toBeGreaterThan(install);
  });

  it('builds the production image without sources or tests, as a non-root user, with a HEALTHCHECK', () => {
    const buildRun = build!.instructions
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args)
      .join(' && ');
    expect(buildRun).toMatch(/npm prune --omit=dev/);
    expect(buildRun).toMatch(/node scripts\/docker\/prune-image\.mjs/);
    // The runtime stage takes only the pruned build.
    for (const copy of runtime.instructions.filter((i) => i.keyword === 'COPY'))
      expect(copy.args).toMatch(new RegExp(`--from=${build!.name}\\b`));
    const users = runtime.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args.trim());
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const health = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK');
    expect(health?.args).toMatch(/CMD .*\/health/);
    expect(runtime.instructions.find((i) => i.keyword === 'ENV')?.args).toMatch(/NODE_ENV=production/);
  });

  it('keeps .env files out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.env', '**/.env']));
  });

  it('prune-image removes sources, tests and configs and keeps what the services run', () => {
    const root = mkdtempSync(join(tmpdir(), 'terrarium-image-'));
    try {
      const files: Record<string, string> = {
        'package.json': JSON.stringify({
          workspaces: ['subgraphs/kit', 'subgraphs/*', 'packages/*', 'gateway', 'schema'],
        }),
        'package-lock.json': '{}',
        'node_modules/dep/src/index.js': 'kept',
        'gateway/package.json': '{}',
        'gateway/src/main.ts': 'source',
        'gateway/test/a.test.ts': 'test',
        'gateway/graphiql/src/main.ts': 'source',
        'gateway/tsconfig.json': '{}',
        'gateway/dist/main.js': 'kept',
        'gateway/dist/graphiql/index.html': 'kept',
        'gateway/dist/persisted/resolve.test.js': 'test',
        'subgraphs/ops/package.json': '{}',
        'subgraphs/ops/schema.graphql': 'kept',
        'subgraphs/ops/src/index.ts': 'source',
        'subgraphs/ops/test/ops.test.ts': 'test',
        'subgraphs/ops/dist/index.js': 'kept',
        'packages/client/package.json': '{}',
        'packages/client/src/index.ts': 'source',
        'packages/client/dist/index.js': 'kept',
        'schema/package.json': '{}',
        'schema/supergraph.graphql': 'kept',
        'schema/manifests/storefront.json': 'kept',
        'schema/operations/storefront.graphql': 'source',
        'schema/src/cli.ts': 'source',
        'schema/dist/cli.js': 'kept',
        'test/contract.test.ts': 'test',
        'bench/gateway/x.ts': 'source',
        'codegen.ts': 'source',
        'vitest.config.ts': 'config',
      };
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), content);
      }
      pruneImage(root);
      for (const [path, content] of Object.entries(files)) {
        const expected = content === 'kept' || path.endsWith('package.json') || path === 'package-lock.json';
        expect(existsSync(join(root, path)), path).toBe(expected);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('prune-image knows every workspace of this repository', () => {
    const workspaces: string[] = workspacesOf(ROOT);
    expect(workspaces).toEqual(
      expect.arrayContaining(['gateway', 'schema', 'subgraphs/ops', 'subgraphs/media']),
    );
    for (const ws of workspaces) expect(existsSync(join(ROOT, ws, 'package.json'))).toBe(true);
  });
});

describe('docker-compose.yml', () => {
  const published = (name: string) => (compose.services[name]?.ports ?? []).map((port) => String(port));

  it('publishes the gateway and the media files, and nothing else of the platform', () => {
    expect(published('gateway')).toEqual(['4000:4000']);
    const media = compose.services['media']!;
    const publicUrl = /^\$\{MEDIA_PUBLIC_URL:-(.+)\}$/.exec(
      media.environment?.['MEDIA_PUBLIC_URL'] ?? '',
    )?.[1];
    expect(publicUrl, 'MEDIA_PUBLIC_URL has a default').toBeDefined();
    const port = new URL(publicUrl!).port;
    expect(published('media'), `MEDIA_PUBLIC_URL's port ${port} is published`).toContain(
      `${port}:${media.environment?.['PORT']}`,
    );
    for (const name of ['ops', 'products', 'inventory', 'commerce', 'community', 'postgres', 'redis'])
      expect(published(name), name).toEqual([]);
  });

  it('publishes the observability tools on loopback only; Prometheus scrapes /metrics inside the network', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (!service.profiles?.includes('observability')) continue;
      for (const port of service.ports ?? [])
        expect(String(port), `${name} publishes ${port}`).toMatch(/^127\.0\.0\.1:/);
    }
    const prometheus = parseYaml(
      readFileSync(join(ROOT, 'deploy/observability/prometheus/prometheus.yml'), 'utf8'),
    ) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
    const targets = prometheus.scrape_configs
      .filter((job) => job.job_name.startsWith('terrarium-'))
      .flatMap((job) => job.static_configs.flatMap((config) => config.targets));
    const platform = ['gateway', 'ops', 'products', 'inventory', 'commerce', 'media', 'community'];
    expect(targets.map((target) => target.split(':')[0]).sort()).toEqual([...platform].sort());
    for (const target of targets) {
      const [name, port] = target.split(':');
      const service = compose.services[name!]!;
      // The port /metrics is served on inside the network: METRICS_PORT, else the service's port
      // (PORT, or the gateway's --port). A published port never serves it.
      const listens =
        service.environment?.['METRICS_PORT'] ??
        service.environment?.['PORT'] ??
        service.command?.[service.command.indexOf('--port') + 1];
      expect(port, target).toBe(listens);
      const published = (service.ports ?? []).map((mapping) => String(mapping).split(':').at(-1));
      if (published.includes(port!))
        throw new Error(`${name} publishes the port its /metrics is served on (${port}): set METRICS_PORT`);
    }
  });

  it('sets CORS for the gateway and the production environment for every service', () => {
    expect(compose.services['gateway']?.environment?.['CORS_ORIGINS']).toMatch(
      /^\$\{CORS_ORIGINS:-https?:\/\/.+\}$/,
    );
    for (const name of ['ops', 'products', 'inventory', 'commerce', 'media', 'community', 'gateway']) {
      const env = compose.services[name]?.environment ?? {};
      expect(env['NODE_ENV'], name).toBe('production');
      expect(env['INTERNAL_SECRET'], name).toMatch(/^\$\{INTERNAL_SECRET:\?/);
      expect(compose.services[name]?.healthcheck, name).toBeDefined();
    }
  });

  it('has an observability profile with Prometheus, Grafana and an OpenTelemetry collector, mounting files that exist', () => {
    const profiled = Object.entries(compose.services).filter(([, service]) =>
      service.profiles?.includes('observability'),
    );
    expect(profiled.map(([name]) => name).sort()).toEqual([
      'grafana',
      'jaeger',
      'otel-collector',
      'prometheus',
    ]);
    for (const [name, service] of profiled) {
      expect(service.image, name).toMatch(/^[\w./-]+:[\w.-]+$/);
      for (const volume of (service as { volumes?: string[] }).volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./'))
          expect(existsSync(join(ROOT, source)), `${name} mounts ${source}`).toBe(true);
        else expect(compose.volumes ?? {}, `${name}'s named volume ${source}`).toHaveProperty(source);
      }
    }
  });
});

/**
 * Compose's own reading of the file (`docker-compose config`, Debian's docker-compose 1.29, or
 * `docker compose` where that is what the machine has): interpolation, merges, profiles and the
 * schema are checked by the tool that will run it, not by our parse of the YAML.
 */
function composeCommand(): string[] {
  for (const candidate of [['docker-compose'], ['docker', 'compose']]) {
    try {
      execFileSync(candidate[0]!, [...candidate.slice(1), 'version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error(
    'neither docker-compose nor `docker compose` is installed (.ci/run installs docker-compose)',
  );
}

function composeConfig(args: string[], env: Record<string, string> = {}) {
  const [command, ...prefix] = composeCommand();
  const { INTERNAL_SECRET: _ignored, ...inherited } = process.env;
  return execFileSync(command!, [...prefix, '-f', join(ROOT, 'docker-compose.yml'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('docker-compose config', () => {
  const secret = { INTERNAL_SECRET: 'compose-config-test-secret-of-forty-chars' };

  it('is valid as compose reads it; the observability tools run only under their profile', () => {
    const resolved = parseYaml(composeConfig(['--profile', 'observability', 'config'], secret)) as {
      services: Record<
        string,
        { environment?: Record<string, string>; ports?: unknown[]; profiles?: string[] }
      >;
    };
    const names = Object.keys(resolved.services).sort();
    expect(names).toEqual(
      [
        ...['commerce', 'community', 'gateway', 'inventory', 'media', 'ops', 'postgres', 'products', 'redis'],
        ...['grafana', 'jaeger', 'otel-collector', 'prometheus'],
      ].sort(),
    );
    const profiled = names.filter((name) => resolved.services[name]?.profiles?.includes('observability'));
    expect(profiled).toEqual(['grafana', 'jaeger', 'otel-collector', 'prometheus']);
    expect(resolved.services['gateway']?.environment?.['INTERNAL_SECRET']).toBe(secret.INTERNAL_SECRET);
    expect(resolved.services['ops']?.ports ?? []).toEqual([]);
  });

  it('refuses to start without INTERNAL_SECRET, and says so', () => {
    let stderr = '';
    try {
      composeConfig(['config', '-q']);
    } catch (error) {
      stderr = String((error as { stderr?: string }).stderr);
    }
    expect(stderr).toContain('set INTERNAL_SECRET');
  });
});

describe('npm start', () => {
  it('turns off turbo telemetry for every turbo script', () => {
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    const turbo = Object.entries(scripts).filter(([, command]) => /\bturbo\b/.test(command));
    expect(turbo.map(([name]) => name)).toContain('start');
    for (const [name, command] of turbo) expect(command, name).toMatch(/^TURBO_TELEMETRY_DISABLED=1 /);
  });
});
