/**
 * Renders a Kustomize overlay of deploy/kubernetes with the real kubectl and validates every
 * object against the Kubernetes OpenAPI schemas, offline (the kubernetes-models package).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const DEPLOY_DIR = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));

/** The parts of a Kubernetes object the invariants read; validation covers the rest. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

export function kubectlVersion(): string | null {
  try {
    return execFileSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).split('\n')[0] ?? '';
  } catch {
    return null;
  }
}

/** `deploy/kubernetes/render.sh <overlay>`: kubectl kustomize with the supergraph outside the tree allowed. */
export function render(overlay: string): KubeObject[] {
  const output = execFileSync(`${DEPLOY_DIR}render.sh`, [overlay], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(output).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`unparsable YAML from ${overlay}: ${doc.errors[0]?.message}`);
    const object = doc.toJS() as KubeObject;
    // kustomize wraps long base64 values over lines; the API server's decoder (Go's base64)
    // skips the newlines, the schema's "byte" format does not, so unwrap them as the server reads them.
    if (object.kind === 'Secret' && object.data) {
      for (const key of Object.keys(object.data)) object.data[key] = object.data[key]!.replace(/\s+/g, '');
    }
    return object;
  });
}

/** `apps/v1` + `Deployment` -> kubernetes-models/apps/v1/Deployment; `v1` + `Service` -> kubernetes-models/v1/Service. */
function modelPath(apiVersion: string, kind: string): string {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

interface Model {
  validate(): void;
}

/** Throws with every object's problems when any object is not valid against its schema. */
export async function validateAll(objects: KubeObject[]): Promise<void> {
  const problems: string[] = [];
  for (const object of objects) {
    const name = `${object.kind}/${object.metadata?.name}`;
    let module: Record<string, new (data: unknown) => Model>;
    try {
      module = (await import(modelPath(object.apiVersion, object.kind))) as typeof module;
    } catch {
      problems.push(`${name}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    const Kind = module[object.kind];
    if (!Kind) {
      problems.push(`${name}: kubernetes-models has no class ${object.kind}`);
      continue;
    }
    try {
      new Kind(object).validate();
    } catch (err) {
      problems.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (problems.length > 0) throw new Error(`invalid objects:\n  ${problems.join('\n  ')}`);
}
