#!/usr/bin/env node
/**
 * terrarium-schema <check|compose> [--format human|json|markdown] [--root dir] [--subgraphs dir]
 *                  [--supergraph file] [--check] [--force]
 * Exit codes: 0 pass, 1 fail, 2 cannot run (bad arguments, unreadable files, no subgraphs).
 */
import { parseArgs } from 'node:util';
import { runCheck } from './check.js';
import { runCompose } from './compose-command.js';
import { renderHuman, shouldColor } from './report/human.js';
import { renderJson } from './report/json.js';
import { renderMarkdown } from './report/markdown.js';
import type { ExitCode, Report } from './report/types.js';

const USAGE = `usage: terrarium-schema <check|compose> [options]
  --format human|json|markdown   report format (default human)
  --root <dir>                   repository root (default: current directory)
  --subgraphs <dir>              subgraphs folder (default <root>/subgraphs)
  --supergraph <file>            committed supergraph (default <root>/schema/supergraph.graphql)
  --check                        compose: only verify the committed supergraph is fresh
  --force                        compose: write even when the schema check fails
`;

const FORMATS = ['human', 'json', 'markdown'] as const;
type Format = (typeof FORMATS)[number];

export async function main(argv: readonly string[]): Promise<ExitCode> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'human' },
        root: { type: 'string' },
        subgraphs: { type: 'string' },
        supergraph: { type: 'string' },
        check: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...extra] = positionals;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const format = values.format as Format;
  if ((command !== 'check' && command !== 'compose') || extra.length > 0 || !FORMATS.includes(format)) {
    process.stderr.write(USAGE);
    return 2;
  }
  const options = { root: values.root, subgraphs: values.subgraphs, supergraph: values.supergraph };
  const report =
    command === 'check'
      ? (await runCheck(options)).report
      : await runCompose({ ...options, check: values.check, force: values.force });
  print(report, format);
  return report.exitCode;
}

function print(report: Report, format: Format): void {
  if (format === 'json') process.stdout.write(renderJson(report));
  else if (format === 'markdown') process.stdout.write(renderMarkdown(report));
  else if (report.error !== null)
    process.stderr.write(renderHuman(report, { color: shouldColor(process.stderr) }));
  else process.stdout.write(renderHuman(report, { color: shouldColor(process.stdout) }));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug in the checker, not a verdict on the schema: "cannot run".
    process.stderr.write(
      `terrarium-schema: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 2;
  },
);
