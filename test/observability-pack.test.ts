/**
 * deploy/observability, checked file by file: the Grafana dashboard loads (JSON, panels with
 * PromQL targets) and every metric it charts is one the code registers with prom-client (or
 * prom-client's default metrics, or Prometheus's own `up`); the alert rules have promtool's shape
 * and their expressions parse with Prometheus's own PromQL grammar (@prometheus-io/lezer-promql,
 * the parser of Prometheus's UI); the scrape config and the collector config name what they use.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
// @ts-expect-error plain JS helper
import { ROOT } from '../scripts/lib/processes.js';

const DIR = join(ROOT, 'deploy', 'observability');
const HISTOGRAM_SERIES = /_(bucket|count|sum)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name === 'generated') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** name -> type of every prom-client metric constructed in the code, by reading the sources. */
function registeredMetrics(): Map<string, string> {
  const metrics = new Map<string, string>();
  const roots = ['gateway/src', 'subgraphs', 'packages'].map((dir) => join(ROOT, dir));
  for (const file of roots.flatMap((root) => {
    try {
      return sourceFiles(root);
    } catch {
      return [];
    }
  })) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes('prom-client')) continue;
    const constants = new Map(
      [...text.matchAll(/const (\w+) = '([a-z_:][a-z0-9_:]*)'/g)].map((m) => [m[1]!, m[2]!]),
    );
    for (const match of text.matchAll(
      /new (Counter|Gauge|Histogram|Summary)\(\{\s*name: (?:'([a-z_:][a-z0-9_:]*)'|(\w+))/g,
    )) {
      const name = match[2] ?? constants.get(match[3]!);
      if (name) metrics.set(name, match[1]!);
    }
    if (text.includes('collectDefaultMetrics('))
      for (const name of promClientDefaults()) metrics.set(name, 'default');
  }
  return metrics;
}

/** The metrics prom-client's collectDefaultMetrics registers, from its own sources. */
function promClientDefaults(): string[] {
  const dir = join(ROOT, 'node_modules', 'prom-client', 'lib', 'metrics');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.js'))
    .flatMap((file) =>
      [
        ...readFileSync(join(dir, file), 'utf8').matchAll(
          /const (?:\w+) = '((?:process|nodejs)_[a-z0-9_]+)'/g,
        ),
      ].map((m) => m[1]!),
    );
}

/** Parses PromQL; returns the metric names its selectors name, or throws naming the error. */
function metricsOf(expr: string): string[] {
  // Grafana replaces its interval variables before Prometheus sees the query.
  const promql = expr.replace(/\$__(rate_interval|interval|range)/g, '5m');
  const tree = parser.parse(promql);
  const names: string[] = [];
  const errors: number[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector')
        names.push(promql.slice(node.from, node.to));
    },
  });
  if (errors.length > 0) throw new Error(`PromQL does not parse at ${errors[0]}: ${promql}`);
  return names;
}

function expectKnown(metric: string, known: Map<string, string>, where: string): void {
  if (metric === 'up') return; // Prometheus's own, per scrape target
  const base = metric.replace(HISTOGRAM_SERIES, '');
  const type =
    known.get(metric) ??
    (known.get(base) === 'Histogram' || known.get(base) === 'Summary' ? known.get(base) : undefined);
  expect(type, `${where}: ${metric} is not registered by the code`).toBeDefined();
}

describe('the observability pack', () => {
  const known = registeredMetrics();

  it('finds the metrics the code registers (the check below is not vacuous)', () => {
    for (const name of [
      'graphql_requests_duration_seconds',
      'subgraph_fetch_duration_seconds',
      'gateway_subscriptions_active',
      'sql_statements_total',
      'cache_requests_total',
      'gateway_operation_executions_total',
    ]) {
      expect(known.has(name), name).toBe(true);
    }
    expect(known.get('process_resident_memory_bytes')).toBe('default');
    expect(() => metricsOf('sum(rate(x[5m])')).toThrow(/does not parse/);
    expect(() => expectKnown('terrarium_made_up_total', known, 'self-check')).toThrow(/not registered/);
  });

  it('the Grafana dashboard loads and charts only metrics the code exports', () => {
    const dashboard = JSON.parse(
      readFileSync(join(DIR, 'grafana', 'dashboards', 'terrarium.json'), 'utf8'),
    ) as {
      uid: string;
      title: string;
      panels: {
        type: string;
        title: string;
        gridPos: Record<string, number>;
        targets?: { expr: string; refId: string }[];
      }[];
    };
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{3,40}$/);
    const charts = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(charts.length).toBeGreaterThan(10);
    const charted = new Set<string>();
    for (const panel of charts) {
      expect(panel.gridPos, panel.title).toMatchObject({
        w: expect.any(Number),
        h: expect.any(Number),
        x: expect.any(Number),
        y: expect.any(Number),
      });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        const metrics = metricsOf(target.expr);
        expect(metrics.length, `${panel.title}: ${target.expr}`).toBeGreaterThan(0);
        for (const metric of metrics) {
          expectKnown(metric, known, panel.title);
          charted.add(metric.replace(HISTOGRAM_SERIES, ''));
        }
      }
    }
    // What the dashboard is for: requests/latency/errors, subgraph fetches, subscriptions, SQL, cache, jobs.
    for (const name of [
      'graphql_requests_duration_seconds',
      'subgraph_fetch_duration_seconds',
      'subgraph_fetch_errors_total',
      'graphql_operation_duration_seconds',
      'gateway_subscriptions_active',
      'gateway_subscription_events_dropped_total',
      'sql_statements_total',
      'cache_requests_total',
      'jobs_queued',
      'jobs_active',
      'jobs_latency_seconds',
      'jobs_failed_total',
    ]) {
      expect(charted, name).toContain(name);
    }
  });

  it("the alert rules have promtool's shape and parse as PromQL over exported metrics", () => {
    const rules = parseYaml(readFileSync(join(DIR, 'prometheus', 'alerts.yml'), 'utf8')) as {
      groups: { name: string; rules: Record<string, unknown>[] }[];
    };
    const alerts = rules.groups.flatMap((group) => {
      expect(group.name).toMatch(/^terrarium-[a-z-]+$/);
      return group.rules;
    });
    for (const rule of alerts) {
      expect(
        Object.keys(rule).every((key) =>
          ['alert', 'expr', 'for', 'labels', 'annotations', 'keep_firing_for'].includes(key),
        ),
        JSON.stringify(rule),
      ).toBe(true);
      expect(rule['alert']).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      expect(rule['for']).toMatch(/^\d+[smh]$/);
      expect((rule['labels'] as Record<string, string>)['severity']).toMatch(/^(page|ticket)$/);
      expect((rule['annotations'] as Record<string, string>)['summary']).toMatch(/\w+ \w+/);
      for (const metric of metricsOf(String(rule['expr']))) expectKnown(metric, known, String(rule['alert']));
    }
    const exprs = alerts.map((rule) => String(rule['expr']));
    // Error rate, p99, a subgraph down, a subscription queue backlog, a job queue backlog.
    expect(exprs.some((e) => /status=~"5\.\."/.test(e))).toBe(true);
    expect(exprs.some((e) => /histogram_quantile\(0\.99/.test(e))).toBe(true);
    expect(exprs.some((e) => /^up\{/.test(e))).toBe(true);
    expect(exprs.some((e) => /dropped/.test(e))).toBe(true);
    expect(exprs.some((e) => /jobs_queued/.test(e))).toBe(true);
  });

  it('Prometheus loads the rules file and scrapes every service; the collector wires its pipeline', () => {
    const prometheus = parseYaml(readFileSync(join(DIR, 'prometheus', 'prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string }[];
    };
    expect(prometheus.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    expect(prometheus.scrape_configs.map((job) => job.job_name)).toEqual(
      expect.arrayContaining(['terrarium-gateway', 'terrarium-subgraphs']),
    );

    const collector = parseYaml(readFileSync(join(DIR, 'otel', 'collector.yml'), 'utf8')) as {
      receivers: Record<string, unknown>;
      processors: Record<string, unknown>;
      exporters: Record<string, unknown>;
      service: {
        pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
      };
    };
    const traces = collector.service.pipelines['traces'];
    expect(traces).toBeDefined();
    for (const name of traces!.receivers) expect(collector.receivers).toHaveProperty([name]);
    for (const name of traces!.processors) expect(collector.processors).toHaveProperty([name]);
    for (const name of traces!.exporters) expect(collector.exporters).toHaveProperty([name]);
    expect(JSON.stringify(collector.receivers)).toContain('4318');

    const datasources = parseYaml(
      readFileSync(join(DIR, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8'),
    ) as { datasources: { uid: string; url: string }[] };
    expect(datasources.datasources.find((source) => source.uid === 'prometheus')?.url).toBe(
      'http://prometheus:9090',
    );
  });
});
