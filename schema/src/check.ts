import type { GraphQLSchema } from 'graphql';
import { findAcknowledgement, loadAcknowledgements } from './acknowledgements.js';
import { composeSubgraphs, loadSubgraphs } from './compose.js';
import { apiSchemaOf, diffApiSchemas } from './diff.js';
import { CannotRunError } from './errors.js';
import { lintSchema } from './lint.js';
import { collectUsage, loadOperations, usesCoordinate, validateOperations } from './operations.js';
import type { ClientOperation } from './operations.js';
import { display, readOptionalText, resolveRepo } from './repo.js';
import type { RepoOptions, RepoPaths } from './repo.js';
import { emptyReport } from './report/types.js';
import type { OperationRef, Report, SchemaChange } from './report/types.js';

export interface CheckOptions extends RepoOptions {
  /** For `<NAME>_URL`. @default process.env */
  env?: NodeJS.ProcessEnv;
}

export interface CheckRun {
  report: Report;
  /** The fresh composition, when it succeeded. */
  supergraphSdl: string | null;
  paths: RepoPaths | null;
}

/**
 * The schema check: compose, diff the API schema against the committed supergraph, validate the
 * clients' operations, apply the policy (README.md, "Policy"), lint. Never throws for bad inputs:
 * those become exit code 2 with `error` set.
 */
export async function runCheck(options: CheckOptions = {}): Promise<CheckRun> {
  const root = options.root ?? process.cwd();
  let report = emptyReport('check', root, options.supergraph ?? 'schema/supergraph.graphql');
  try {
    const paths = resolveRepo(options);
    report = emptyReport('check', paths.root, display(paths, paths.supergraphFile));
    const supergraphSdl = await checkInto(report, paths, options.env ?? process.env);
    finish(report);
    return { report, supergraphSdl, paths };
  } catch (error) {
    if (!(error instanceof CannotRunError)) throw error;
    report.error = error.message;
    report.exitCode = 2;
    report.ok = false;
    return { report, supergraphSdl: null, paths: null };
  }
}

export function finish(report: Report): void {
  report.ok = report.failures.length === 0;
  report.exitCode = report.ok ? 0 : 1;
}

async function checkInto(report: Report, paths: RepoPaths, env: NodeJS.ProcessEnv): Promise<string | null> {
  const subgraphs = loadSubgraphs(paths.subgraphsDir, env);
  report.subgraphs = subgraphs.map(({ name, url, file }) => ({ name, url, file: display(paths, file) }));
  const composition = composeSubgraphs(subgraphs);
  if (!composition.ok) {
    report.composition = { ok: false, errors: composition.errors, hints: [] };
    for (const error of composition.errors) {
      const where = [error.coordinate, error.subgraphs.join(', ')].filter(Boolean).join(' in ');
      report.failures.push(`composition: ${error.code}${where ? ` (${where})` : ''}: ${error.message}`);
    }
    return null;
  }
  report.composition = { ok: true, errors: [], hints: composition.hints };
  const next = apiSchemaOf(composition.supergraphSdl);
  const baseline = loadBaseline(paths);
  const operations = loadOperations(paths);

  report.operations = { checked: operations.length, invalid: validateOperations(next, operations) };
  for (const invalid of report.operations.invalid) {
    report.failures.push(
      `operation ${invalid.operation} (${invalid.client}, ${invalid.file}) is invalid: ${invalid.errors.join('; ')}`,
    );
  }

  if (baseline) {
    report.changes.baseline = display(paths, paths.supergraphFile);
    report.changes.compared = true;
    const changes = await diffApiSchemas(baseline, next);
    attachUsage(changes, baseline, operations);
    const acknowledgements = loadAcknowledgements(paths);
    for (const change of changes) {
      if (change.criticality === 'breaking')
        change.acknowledgedIn = findAcknowledgement(acknowledgements, change.coordinate);
      report.changes[change.criticality].push(change);
    }
    applyPolicy(report);
  }
  report.lint = lintSchema(next, composition.supergraphSdl, composition.documents);
  return composition.supergraphSdl;
}

function loadBaseline(paths: RepoPaths): GraphQLSchema | null {
  const text = readOptionalText(paths.supergraphFile);
  if (text === null) return null;
  try {
    return apiSchemaOf(text);
  } catch (error) {
    throw new CannotRunError(
      `${display(paths, paths.supergraphFile)} is not a valid supergraph: ${(error as Error).message}`,
    );
  }
}

/**
 * Which operations each breaking or dangerous change touches. Usage is read against the baseline
 * (what the operations were written for). A change that adds something (a required argument, an
 * input field, an enum value) touches the users of its parent: `Product.tags(x:)` -> `Product.tags`.
 */
function attachUsage(
  changes: SchemaChange[],
  baseline: GraphQLSchema,
  operations: readonly ClientOperation[],
): void {
  const usages = operations
    .filter((operation) => operation.document !== null)
    .map((operation) => ({ ref: refOf(operation), used: collectUsage(baseline, operation.document!) }));
  for (const change of changes) {
    if (change.criticality === 'safe') continue;
    const target = change.type.endsWith('_ADDED') ? parentCoordinate(change.coordinate) : change.coordinate;
    change.usedBy = usages.filter(({ used }) => usesCoordinate(used, target)).map(({ ref }) => ref);
  }
}

function refOf({ operation, client, source, file }: ClientOperation): OperationRef {
  return { operation, client, source, file };
}

export function parentCoordinate(coordinate: string): string {
  const argument = coordinate.indexOf('(');
  if (argument >= 0) return coordinate.slice(0, argument);
  const dot = coordinate.lastIndexOf('.');
  return dot > 0 ? coordinate.slice(0, dot) : coordinate;
}

/**
 * A breaking change fails when any operation (client file or persisted manifest) uses it, whatever
 * is acknowledged; otherwise it fails until a schema/changes/*.md lists its coordinate.
 */
function applyPolicy(report: Report): void {
  for (const change of report.changes.breaking) {
    for (const ref of change.usedBy)
      report.affectedOperations.push({ ...ref, coordinate: change.coordinate, change: change.type });
    if (change.usedBy.length > 0) {
      const users = change.usedBy.map(
        (ref) => `${ref.operation} (${ref.client}${ref.source === 'manifest' ? ', persisted' : ''})`,
      );
      report.failures.push(
        `breaking change ${change.coordinate} (${change.type}) breaks ${users.join(', ')}`,
      );
    } else if (!change.acknowledgedIn) {
      report.failures.push(
        `breaking change ${change.coordinate} (${change.type}) is not acknowledged: list \`${change.coordinate}\` in schema/changes/<change>.md`,
      );
    }
  }
}
