/**
 * deploy/kubernetes: each overlay renders with the real `kubectl kustomize`, every object is valid
 * against the Kubernetes OpenAPI schemas (offline, kubernetes-models), and the fleet's invariants
 * hold: probes, requests and limits, non-root, pinned images, a PDB per Deployment, HPAs on the hot
 * path, the NetworkPolicies, the drain-matched grace periods, the hot-reloadable supergraph, a
 * worker Deployment for every subgraph with jobs, and media's files where every media pod sees them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEPLOY_DIR, kubectlVersion, render, validateAll, type KubeObject } from './support/kubernetes.js';

interface Probe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
  }[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
  };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean };
  terminationGracePeriodSeconds?: number;
  volumes?: {
    name: string;
    configMap?: { name: string };
    emptyDir?: object;
    persistentVolumeClaim?: { claimName: string };
  }[];
  affinity?: {
    podAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: {
        topologyKey: string;
        labelSelector: LabelSelector;
      }[];
    };
  };
}
interface Workload extends KubeObject {
  spec: {
    replicas?: number;
    strategy?: { type: string };
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
      spec: PodSpec;
    };
  };
}

const SUBGRAPHS = ['ops', 'products', 'inventory', 'commerce', 'media', 'community'];
/** The drains the code does on SIGTERM (kit run.ts; gateway main.ts SHUTDOWN_GRACE_MS + force exit). */
const DRAIN_SECONDS: Record<string, number> = {
  gateway: 10 + 5,
  ...Object.fromEntries(SUBGRAPHS.map((name) => [name, 10])),
};
const SUPERGRAPH = readFileSync(
  fileURLToPath(new URL('../schema/supergraph.graphql', import.meta.url)),
  'utf8',
);
const REPO = fileURLToPath(new URL('..', import.meta.url));

/**
 * Subgraphs whose code uses the kit's job queue (imports '@terrarium/subgraph-kit/jobs'): each
 * needs a worker Deployment, since the API Deployments run JOBS_MODE=api and work no jobs. Read
 * from the sources, so that a subgraph gaining jobs fails here until it gets a worker.
 */
const SUBGRAPHS_WITH_JOBS = SUBGRAPHS.filter((name) => {
  const src = join(REPO, 'subgraphs', name, 'src');
  return (readdirSync(src, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts'))
    .some((file) => readFileSync(join(src, file), 'utf8').includes("'@terrarium/subgraph-kit/jobs'"));
});

const workloads = (objects: KubeObject[]) =>
  objects.filter((o): o is Workload => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const containers = (w: Workload) => [
  ...w.spec.template.spec.containers,
  ...(w.spec.template.spec.initContainers ?? []),
];
const find = (objects: KubeObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);
interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}
/** A label selector as Kubernetes evaluates it (matchLabels and matchExpressions). */
function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  return (
    matches(selector.matchLabels ?? {}, labels) &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      const value = labels[key];
      if (operator === 'In') return value !== undefined && values.includes(value);
      if (operator === 'NotIn') return value === undefined || !values.includes(value);
      return (value !== undefined) === (operator === 'Exists');
    })
  );
}

/** Every broken invariant, named by object and container, so one failure says everything. */
function invariantProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    const pod = w.spec.template.spec;
    for (const c of containers(w)) {
      const at = `${w.kind}/${w.metadata.name} container ${c.name}`;
      if (!c.readinessProbe) problems.push(`${at}: no readinessProbe`);
      if (!c.livenessProbe) problems.push(`${at}: no livenessProbe`);
      for (const part of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory'])
          if (!c.resources?.[part]?.[resource]) problems.push(`${at}: no ${resource} ${part}`);
      }
      if ((c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) !== true)
        problems.push(`${at}: not runAsNonRoot`);
      if (c.securityContext?.allowPrivilegeEscalation !== false)
        problems.push(`${at}: allowPrivilegeEscalation not false`);
      const tag = /^[^@]+:([^:/@]+)$/.exec(c.image)?.[1];
      if (!tag || tag === 'latest')
        problems.push(`${at}: image ${c.image} is not pinned by a tag other than latest`);
    }
    if (w.kind === 'Deployment') {
      const labels = w.spec.template.metadata.labels;
      const pdb = objects.find(
        (o) =>
          o.kind === 'PodDisruptionBudget' &&
          matches(
            (o.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
            labels,
          ),
      );
      if (!pdb) problems.push(`Deployment/${w.metadata.name}: no PodDisruptionBudget selects its pods`);
    }
  }
  for (const name of ['gateway', 'products', 'inventory']) {
    const hpa = objects.find(
      (o) =>
        o.kind === 'HorizontalPodAutoscaler' &&
        (o.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef.name === name,
    );
    if (!hpa) problems.push(`no HorizontalPodAutoscaler for ${name}`);
  }
  if (!find(objects, 'NetworkPolicy', 'default-deny-ingress')) problems.push('no default-deny NetworkPolicy');
  if (!find(objects, 'NetworkPolicy', 'subgraphs-from-gateway'))
    problems.push('no NetworkPolicy letting the gateway reach subgraphs');
  return problems;
}

function deployment(objects: KubeObject[], name: string): Workload {
  const found = find(objects, 'Deployment', name);
  if (!found) throw new Error(`no Deployment ${name}`);
  return found as Workload;
}

function container(w: Workload): Container {
  const [first] = w.spec.template.spec.containers;
  if (!first) throw new Error(`Deployment ${w.metadata.name} has no container`);
  return first;
}

/** A setting as the container sees it: its own env value, else from the ConfigMaps it loads. */
function setting(objects: KubeObject[], c: Container, key: string): string | undefined {
  const own = c.env?.find((e) => e.name === key);
  if (own) return own.value;
  for (const source of c.envFrom ?? []) {
    const map = source.configMapRef && find(objects, 'ConfigMap', source.configMapRef.name);
    if (map?.data?.[key] !== undefined) return map.data[key];
  }
  return undefined;
}

/** The port a probe or annotation names, as a number (a named port resolved on the container). */
function portNumber(c: Container, port: string | number | undefined): number | undefined {
  return typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;
}

const version = kubectlVersion();

describe.each(['dev', 'production'])('deploy/kubernetes/overlays/%s', (overlay) => {
  let objects: KubeObject[];
  beforeAll(() => {
    if (!version)
      throw new Error('kubectl is not installed: the manifests cannot be rendered (.ci/run installs it)');
    objects = render(overlay);
  });

  it('renders a Deployment and Service for the gateway and every subgraph, all valid against the Kubernetes schemas', async () => {
    for (const name of ['gateway', ...SUBGRAPHS]) {
      expect(find(objects, 'Deployment', name), `Deployment ${name}`).toBeDefined();
      expect(find(objects, 'Service', name), `Service ${name}`).toBeDefined();
    }
    await validateAll(objects);
  });

  it('holds the fleet invariants: probes, requests and limits, non-root, pinned images, PDBs, HPAs, NetworkPolicies', () => {
    expect(invariantProblems(objects)).toEqual([]);
  });

  it('probes /ready and /health, and gives each pod a preStop sleep plus the drain its code does on SIGTERM', () => {
    for (const name of ['gateway', ...SUBGRAPHS]) {
      const w = deployment(objects, name);
      const [c] = w.spec.template.spec.containers;
      expect(c?.readinessProbe?.httpGet?.path).toBe('/ready');
      expect(c?.livenessProbe?.httpGet?.path).toBe('/health');
      const sleep = Number(c?.lifecycle?.preStop?.exec?.command?.[1]);
      expect(sleep, `${name} preStop sleep`).toBeGreaterThan(0);
      expect(w.spec.template.spec.terminationGracePeriodSeconds, `${name} grace period`).toBeGreaterThan(
        sleep + DRAIN_SECONDS[name]!,
      );
      expect(w.spec.template.metadata.annotations?.['prometheus.io/scrape']).toBe('true');
    }
  });

  it('mounts the committed supergraph from a ConfigMap the gateway watches (fixed name, directory mount)', () => {
    const configMap = find(objects, 'ConfigMap', 'supergraph');
    expect(configMap?.data?.['supergraph.graphql']).toBe(SUPERGRAPH);
    const pod = deployment(objects, 'gateway').spec.template.spec;
    const volume = pod.volumes?.find((v) => v.configMap?.name === 'supergraph');
    const mount = pod.containers[0]?.volumeMounts?.find((m) => m.name === volume?.name);
    const path = pod.containers[0]?.env?.find((e) => e.name === 'SUPERGRAPH_PATH')?.value;
    expect(mount).toBeDefined();
    expect(path).toBe(`${mount?.mountPath}/supergraph.graphql`);
  });

  it('lets only the gateway, the service callers the code has and the scraper reach subgraphs', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    type Peer = { podSelector?: LabelSelector; namespaceSelector?: unknown };
    type Policy = { podSelector: LabelSelector; ingress?: { from?: Peer[] }[] };
    const allowedInto = (name: string) =>
      policies
        .map((p) => p.spec as unknown as Policy)
        .filter((spec) => selects(spec.podSelector, deployment(objects, name).spec.template.metadata.labels))
        .flatMap((spec) => (spec.ingress ?? []).flatMap((rule) => rule.from ?? []))
        .map((peer) =>
          peer.namespaceSelector
            ? 'other-namespace'
            : (peer.podSelector?.matchLabels?.['app.kubernetes.io/name'] ?? 'pods-by-expression'),
        )
        .sort();
    expect(allowedInto('products')).toEqual([
      'commerce',
      'community',
      'community-worker',
      'gateway',
      'inventory-worker',
      'other-namespace',
    ]);
    expect(allowedInto('inventory')).toEqual([
      'commerce',
      'commerce-worker',
      'gateway',
      'media',
      'other-namespace',
    ]);
    expect(allowedInto('ops')).toEqual([
      'commerce-worker',
      'community',
      'community-worker',
      'gateway',
      'inventory-worker',
      'other-namespace',
      'products-worker',
    ]);
    expect(allowedInto('commerce')).toEqual(['gateway', 'other-namespace']);
    // A worker takes no requests: only the scraper (another namespace) reaches it.
    for (const name of SUBGRAPHS_WITH_JOBS)
      expect(allowedInto(`${name}-worker`), name).toEqual(['other-namespace']);
  });

  it('runs the built entry point of each service (main.js, which starts it; index.js only exports)', () => {
    for (const name of ['gateway', ...SUBGRAPHS]) {
      const dir = name === 'gateway' ? 'gateway' : `subgraphs/${name}`;
      const [node, entry] = container(deployment(objects, name)).command ?? [];
      expect([node, entry], name).toEqual(['node', `${dir}/dist/main.js`]);
      expect(existsSync(join(REPO, dir, 'src/main.ts')), `${dir}/src/main.ts`).toBe(true);
    }
  });

  it('runs a worker Deployment for every subgraph with jobs, probed on METRICS_PORT, and the API pods HTTP-only', () => {
    expect(SUBGRAPHS_WITH_JOBS.length, 'subgraphs with jobs found in the sources').toBeGreaterThan(0);
    for (const name of SUBGRAPHS_WITH_JOBS) {
      const api = container(deployment(objects, name));
      const w = deployment(objects, `${name}-worker`);
      const worker = container(w);
      // The same program in worker mode, the API with its jobs off (kit jobs-mode.ts).
      expect(worker.command, `${name}-worker command`).toEqual([
        'node',
        `subgraphs/${name}/dist/main.js`,
        '--worker',
      ]);
      expect(setting(objects, api, 'JOBS_MODE'), `${name} JOBS_MODE`).toBe('api');
      // Labelled apart from the subgraph, so that no gateway or Service traffic reaches it.
      expect(w.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('worker');
      expect(
        objects.some(
          (o) =>
            o.kind === 'Service' &&
            matches(
              (o.spec as { selector?: Record<string, string> }).selector ?? {},
              w.spec.template.metadata.labels,
            ),
        ),
        `a Service selects ${name}-worker`,
      ).toBe(false);
      // Probes and the scrape on the port the worker serves them on (METRICS_PORT).
      const metricsPort = Number(setting(objects, worker, 'METRICS_PORT'));
      expect(metricsPort, `${name}-worker METRICS_PORT`).toBeGreaterThan(0);
      for (const [probe, path] of [
        [worker.startupProbe, '/health'],
        [worker.readinessProbe, '/ready'],
        [worker.livenessProbe, '/health'],
      ] as const) {
        expect(probe?.httpGet?.path, `${name}-worker probe`).toBe(path);
        expect(portNumber(worker, probe?.httpGet?.port), `${name}-worker probe port`).toBe(metricsPort);
      }
      expect(Number(w.spec.template.metadata.annotations?.['prometheus.io/port'])).toBe(metricsPort);
      expect(w.spec.template.spec.terminationGracePeriodSeconds, `${name}-worker grace`).toBeGreaterThan(
        DRAIN_SECONDS[name]!,
      );
      // The same settings, secrets and storage as the API pods: it builds the same subgraph. Read
      // replicas serve only a query's lag-tolerant reads; a worker's jobs read and write the primary.
      expect(worker.envFrom, `${name}-worker envFrom`).toEqual(api.envFrom);
      const names = (c: Container) =>
        (c.env ?? [])
          .map((e) => e.name)
          .filter((n) => n !== 'PORT' && n !== 'JOBS_MODE' && !n.endsWith('DATABASE_REPLICA_URLS'));
      expect(names(worker), `${name}-worker env`).toEqual(expect.arrayContaining(names(api)));
      expect(worker.volumeMounts, `${name}-worker volumes`).toEqual(api.volumeMounts);
    }
  });

  it("keeps media's files where every media pod sees them: S3 when it runs in copies, else one shared volume", () => {
    const pods = ['media', 'media-worker'].map((name) => deployment(objects, name));
    const media = pods[0]!;
    const scaled =
      (media.spec.replicas ?? 1) > 1 ||
      objects.some(
        (o) =>
          o.kind === 'HorizontalPodAutoscaler' &&
          (o.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === 'media',
      );
    const bucket = setting(objects, container(media), 'MEDIA_S3_BUCKET');
    if (overlay === 'production')
      expect(scaled && bucket !== undefined, 'production: media in copies on S3').toBe(true);
    if (scaled)
      expect(bucket, 'media in more than one copy needs MEDIA_S3_BUCKET').toMatch(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      );
    for (const w of pods) {
      const c = container(w);
      const at = w.metadata.name;
      expect(setting(objects, c, 'MEDIA_S3_BUCKET'), `${at} bucket`).toBe(bucket);
      const storageDir = setting(objects, c, 'MEDIA_STORAGE_DIR');
      const mount = c.volumeMounts?.find((m) => m.mountPath === storageDir);
      const volume = w.spec.template.spec.volumes?.find((v) => v.name === mount?.name);
      if (bucket) {
        // Nothing on the pod's disk: no storage root, no volume but /tmp.
        expect(storageDir, `${at} MEDIA_STORAGE_DIR`).toBeUndefined();
        expect(
          w.spec.template.spec.volumes?.map((v) => v.name),
          `${at} volumes`,
        ).toEqual(['tmp']);
      } else {
        // One pod's files on one claim that media and its worker share, on the same node.
        expect(volume?.persistentVolumeClaim?.claimName, `${at} storage on a PVC`).toBe('media-data');
        expect(find(objects, 'PersistentVolumeClaim', 'media-data'), 'the PVC').toBeDefined();
        expect(w.spec.strategy?.type, `${at} strategy`).toBe('Recreate');
      }
    }
    if (!bucket) {
      expect(media.spec.replicas ?? 1).toBe(1);
      const [affinity] =
        pods[1]!.spec.template.spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ??
        [];
      expect(affinity?.topologyKey).toBe('kubernetes.io/hostname');
      expect(affinity && selects(affinity.labelSelector, media.spec.template.metadata.labels)).toBe(true);
    }
  });

  it('references only Secret keys that exist (dev) or are documented for the operator (production)', () => {
    const secret = objects.find((o) => o.kind === 'Secret');
    const documented = readFileSync(`${DEPLOY_DIR}overlays/production/secrets.env.example`, 'utf8');
    for (const w of workloads(objects)) {
      for (const c of containers(w)) {
        for (const ref of (c.env ?? [])
          .map((e) => e.valueFrom?.secretKeyRef)
          .filter((r) => r !== undefined)) {
          if (overlay === 'dev' && !ref.optional)
            expect(Object.keys(secret?.data ?? {}), `${w.metadata.name} needs ${ref.key}`).toContain(ref.key);
          if (overlay === 'production') {
            expect(secret, 'production must not render a Secret (no values in git)').toBeUndefined();
            if (!ref.optional || !ref.key.endsWith('_DATABASE_URL'))
              expect(documented, `${ref.key} documented`).toContain(ref.key);
          }
        }
      }
    }
  });
});
