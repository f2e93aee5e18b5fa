import { writeFileSync } from 'node:fs';
import { finish, runCheck } from './check.js';
import type { CheckOptions } from './check.js';
import { composeSubgraphs, loadSubgraphs } from './compose.js';
import { CannotRunError, describeIoError } from './errors.js';
import { display, readOptionalText, resolveRepo } from './repo.js';
import { emptyReport } from './report/types.js';
import type { Report } from './report/types.js';

export interface ComposeOptions extends CheckOptions {
  /** Only compare the committed supergraph with a fresh composition (CI freshness). */
  check?: boolean;
  /** Write even when the schema check fails (composition must still succeed). */
  force?: boolean;
}

/**
 * `compose`: runs the full check, then writes the supergraph when it passed (or with --force).
 * Exit 0 when written. Under --force, `failures` still lists what was overridden.
 * `compose --check`: exit 1 when the committed file is missing or differs from a fresh composition.
 */
export async function runCompose(options: ComposeOptions = {}): Promise<Report> {
  if (options.check) return composeCheck(options);
  const { report, supergraphSdl, paths } = await runCheck(options);
  report.command = 'compose';
  if (!paths || supergraphSdl === null || (!report.ok && !options.force)) return report;
  try {
    writeFileSync(paths.supergraphFile, supergraphSdl);
  } catch (error) {
    report.error = describeIoError(paths.supergraphFile, error).message;
    report.exitCode = 2;
    return report;
  }
  report.supergraph.written = true;
  report.exitCode = 0;
  return report;
}

async function composeCheck(options: ComposeOptions): Promise<Report> {
  let report = emptyReport(
    'compose',
    options.root ?? process.cwd(),
    options.supergraph ?? 'schema/supergraph.graphql',
  );
  try {
    const paths = resolveRepo(options);
    report = emptyReport('compose', paths.root, display(paths, paths.supergraphFile));
    const subgraphs = loadSubgraphs(paths.subgraphsDir, options.env ?? process.env);
    report.subgraphs = subgraphs.map(({ name, url, file }) => ({ name, url, file: display(paths, file) }));
    const composition = composeSubgraphs(subgraphs);
    if (!composition.ok) {
      report.composition = { ok: false, errors: composition.errors, hints: [] };
      report.failures.push(
        `composition failed with ${composition.errors.length} error(s); run \`npm run schema:check\` for details`,
      );
    } else {
      report.composition = { ok: true, errors: [], hints: composition.hints };
      const committed = readOptionalText(paths.supergraphFile);
      // A CRLF checkout (git autocrlf) is the same file.
      report.supergraph.fresh = committed?.replace(/\r\n/g, '\n') === composition.supergraphSdl;
      if (!report.supergraph.fresh) {
        report.failures.push(
          `${report.supergraph.file} is ${committed === null ? 'missing' : 'stale'}: run \`npm run schema:compose\` and commit it`,
        );
      }
    }
    finish(report);
    return report;
  } catch (error) {
    if (!(error instanceof CannotRunError)) throw error;
    report.error = error.message;
    report.exitCode = 2;
    return report;
  }
}
