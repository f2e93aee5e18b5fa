import type { OperationRef, Report, SchemaChange } from './types.js';

type Paint = (text: string) => string;

interface Palette {
  red: Paint;
  yellow: Paint;
  green: Paint;
  dim: Paint;
  bold: Paint;
}

const ansi =
  (code: number): Paint =>
  (text) =>
    `\u001b[${code}m${text}\u001b[0m`;
const plain: Paint = (text) => text;

/** Colour only for a person at a terminal: stdout is a TTY, not CI, NO_COLOR unset. */
export function shouldColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !env['CI'] && env['NO_COLOR'] === undefined;
}

/** The report for a terminal, by section: composition, changes, operations, affected, lint. */
export function renderHuman(report: Report, options: { color: boolean }): string {
  const c: Palette = options.color
    ? { red: ansi(31), yellow: ansi(33), green: ansi(32), dim: ansi(2), bold: ansi(1) }
    : { red: plain, yellow: plain, green: plain, dim: plain, bold: plain };
  const lines: string[] = [];
  const title = `terrarium-schema ${report.command}`;
  if (report.error !== null) {
    return `${c.bold(title)}: ${c.red('cannot run')}\n  ${report.error}\n`;
  }
  lines.push(`${c.bold(title)}: ${report.ok ? c.green('PASS') : c.red('FAIL')}`);
  lines.push(c.dim(`root ${report.root}; subgraphs: ${report.subgraphs.map((s) => s.name).join(', ')}`), '');

  lines.push(c.bold('Composition'));
  if (report.composition.ok)
    lines.push(
      `  ${c.green('ok')}${report.composition.hints.length ? c.dim(` (${report.composition.hints.length} hints)`) : ''}`,
    );
  for (const error of report.composition.errors) {
    const where = [
      error.coordinate,
      error.subgraphs.length ? `subgraphs: ${error.subgraphs.join(', ')}` : null,
    ]
      .filter(Boolean)
      .join('; ');
    lines.push(
      `  ${c.red('x')} ${error.code}${where ? ` [${where}]` : ''}`,
      `    ${error.message.split('\n').join('\n    ')}`,
    );
  }
  // Hints can run to dozens of lines (every differing description); the first says what it is
  // about, --format json has the rest.
  for (const hint of report.composition.hints)
    lines.push(c.dim(`  hint ${hint.code}: ${hint.message.split('\n')[0]}`));

  if (report.supergraph.fresh !== null) {
    lines.push(
      '',
      c.bold('Freshness'),
      `  ${report.supergraph.file}: ${report.supergraph.fresh ? c.green('up to date') : c.red('differs from a fresh composition')}`,
    );
  }

  // `compose --check` is about freshness only; without a composition there is nothing to diff.
  if (report.composition.ok && report.supergraph.fresh === null) {
    lines.push('', c.bold(`Changes${report.changes.baseline ? ` against ${report.changes.baseline}` : ''}`));
    if (!report.changes.compared) lines.push(c.dim('  no committed supergraph to compare with'));
    else {
      lines.push(
        ...changeSection('Breaking', report.changes.breaking, c, (change) =>
          change.usedBy.length > 0 || !change.acknowledgedIn ? c.red('x') : c.green('ok'),
        ),
      );
      lines.push(...changeSection('Dangerous', report.changes.dangerous, c, () => c.yellow('!')));
      lines.push(...changeSection('Safe', report.changes.safe, c, () => c.dim('-')));
    }

    lines.push('', c.bold(`Operations (${report.operations.checked} checked)`));
    if (report.operations.invalid.length === 0) lines.push(`  ${c.green('all valid')}`);
    for (const invalid of report.operations.invalid) {
      lines.push(`  ${c.red('x')} ${name(invalid)} ${c.dim(invalid.file)}`);
      for (const error of invalid.errors) lines.push(`    ${error}`);
    }

    lines.push('', c.bold('Affected operations'));
    if (report.affectedOperations.length === 0) lines.push(c.dim('  none'));
    for (const affected of report.affectedOperations) {
      lines.push(
        `  ${c.red('x')} ${name(affected)} uses ${affected.coordinate} (${affected.change}) ${c.dim(affected.file)}`,
      );
    }

    lines.push('', c.bold(`Lint (${report.lint.length} warnings, advisory)`));
    for (const warning of report.lint) {
      const owners = warning.subgraphs.length ? c.dim(` [${warning.subgraphs.join(', ')}]`) : '';
      lines.push(`  ${c.yellow('!')} ${warning.rule}: ${warning.message}${owners}`);
    }
  }

  if (report.supergraph.written) lines.push('', `Wrote ${report.supergraph.file}`);
  lines.push(
    '',
    report.ok
      ? c.green('Result: pass')
      : c.red(`Result: fail${report.supergraph.written ? ' (written anyway: --force)' : ''}`),
  );
  for (const failure of report.failures) lines.push(`  - ${failure}`);
  return `${lines.join('\n')}\n`;
}

function changeSection(
  label: string,
  changes: readonly SchemaChange[],
  c: Palette,
  mark: (change: SchemaChange) => string,
): string[] {
  const lines = [`  ${label} (${changes.length})`];
  for (const change of changes) {
    lines.push(`    ${mark(change)} ${change.coordinate} ${c.dim(change.type)}: ${change.message}`);
    if (change.usedBy.length > 0) lines.push(`      used by ${change.usedBy.map(name).join(', ')}`);
    if (change.criticality === 'breaking') {
      lines.push(
        c.dim(
          `      ${change.acknowledgedIn ? `acknowledged in ${change.acknowledgedIn}` : 'not acknowledged'}`,
        ),
      );
    }
  }
  return lines;
}

function name(ref: OperationRef): string {
  return `${ref.client}/${ref.operation}${ref.source === 'manifest' ? ' (persisted)' : ''}`;
}
