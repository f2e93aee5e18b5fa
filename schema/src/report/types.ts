/**
 * The report every command produces. `--format json` prints it as is; its shape is described by
 * schema/report.schema.json and is stable: fields are only ever added (bump `version` otherwise).
 */
export type Criticality = 'breaking' | 'dangerous' | 'safe';
export type OperationSource = 'operations' | 'manifest';
export type ExitCode = 0 | 1 | 2;

/** One operation a client sends: from schema/operations/<client>.graphql or a persisted manifest. */
export interface OperationRef {
  operation: string;
  client: string;
  source: OperationSource;
  /** Path relative to the root. */
  file: string;
}

export interface CompositionIssue {
  code: string;
  message: string;
  /** Every subgraph the error involves (both sides of a disagreement), sorted. */
  subgraphs: string[];
  /** Schema coordinate of the problem (`Money.amount`, `Product`, `M.x(a:)`), when one is named. */
  coordinate: string | null;
  type: string | null;
  field: string | null;
}

export interface CompositionHintEntry {
  code: string;
  message: string;
}

export interface SchemaChange {
  /** graphql-inspector change type, e.g. FIELD_REMOVED. */
  type: string;
  criticality: Criticality;
  coordinate: string;
  message: string;
  reason: string | null;
  /** Operations that use what changed (computed for breaking and dangerous changes). */
  usedBy: OperationRef[];
  /** The schema/changes/*.md file (relative to the root) that lists the coordinate, if any. */
  acknowledgedIn: string | null;
}

export interface InvalidOperation extends OperationRef {
  errors: string[];
}

export interface AffectedOperation extends OperationRef {
  coordinate: string;
  change: string;
}

export interface LintWarning {
  rule: string;
  coordinate: string;
  message: string;
  subgraphs: string[];
}

export interface SubgraphEntry {
  name: string;
  url: string;
  file: string;
}

export interface Report {
  version: 1;
  command: 'check' | 'compose';
  ok: boolean;
  exitCode: ExitCode;
  /** Why the command could not run (exit code 2), else null. */
  error: string | null;
  root: string;
  subgraphs: SubgraphEntry[];
  composition: { ok: boolean; errors: CompositionIssue[]; hints: CompositionHintEntry[] };
  changes: {
    /** The supergraph compared against (relative to the root), null when none was committed. */
    baseline: string | null;
    compared: boolean;
    breaking: SchemaChange[];
    dangerous: SchemaChange[];
    safe: SchemaChange[];
  };
  operations: { checked: number; invalid: InvalidOperation[] };
  affectedOperations: AffectedOperation[];
  lint: LintWarning[];
  /** One line per reason the check failed; empty when it passed. */
  failures: string[];
  supergraph: {
    file: string;
    written: boolean;
    /** `compose --check` only: whether the committed file equals a fresh composition. */
    fresh: boolean | null;
  };
}

export function emptyReport(command: Report['command'], root: string, supergraphFile: string): Report {
  return {
    version: 1,
    command,
    ok: false,
    exitCode: 2,
    error: null,
    root,
    subgraphs: [],
    composition: { ok: false, errors: [], hints: [] },
    changes: { baseline: null, compared: false, breaking: [], dangerous: [], safe: [] },
    operations: { checked: 0, invalid: [] },
    affectedOperations: [],
    lint: [],
    failures: [],
    supergraph: { file: supergraphFile, written: false, fresh: null },
  };
}
