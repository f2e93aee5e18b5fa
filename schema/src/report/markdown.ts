import type { OperationRef, Report, SchemaChange } from './types.js';

/** `--format markdown`: a PR comment. Safe changes and lint fold away in <details>. */
export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  const title = report.command === 'check' ? 'Schema check' : 'Supergraph composition';
  if (report.error !== null) {
    out.push(`### :warning: ${title} could not run`, '', '```', report.error, '```');
    return `${out.join('\n')}\n`;
  }
  out.push(`### ${report.ok ? ':white_check_mark:' : ':x:'} ${title} ${report.ok ? 'passed' : 'failed'}`, '');
  out.push(`Subgraphs: ${report.subgraphs.map((s) => `\`${s.name}\``).join(', ')}`, '');
  if (report.failures.length > 0) {
    out.push('**Why it failed**', '', ...report.failures.map((failure) => `- ${cell(failure)}`), '');
  }

  out.push('#### Composition', '');
  if (report.composition.ok) {
    out.push(`Composed without errors (${report.composition.hints.length} hints).`, '');
    if (report.composition.hints.length > 0) {
      const hints = report.composition.hints.map(
        (hint) => `- ${hint.code}: ${cell(hint.message.split('\n')[0] ?? '')}`,
      );
      out.push('<details><summary>Composition hints</summary>', '', ...hints, '', '</details>', '');
    }
  } else {
    out.push('| Code | Coordinate | Subgraphs | Message |', '|---|---|---|---|');
    for (const error of report.composition.errors) {
      out.push(
        `| ${error.code} | ${code(error.coordinate)} | ${error.subgraphs.join(', ')} | ${cell(error.message)} |`,
      );
    }
    out.push('');
  }
  if (report.supergraph.fresh !== null) {
    out.push(`\`${report.supergraph.file}\` is ${report.supergraph.fresh ? 'up to date' : '**stale**'}.`, '');
  }

  if (report.changes.compared) {
    out.push(`#### Changes against \`${report.changes.baseline}\``, '');
    out.push(
      ...changeTable('Breaking', report.changes.breaking),
      ...changeTable('Dangerous', report.changes.dangerous),
    );
    if (report.changes.safe.length > 0) {
      out.push(
        `<details><summary>Safe (${report.changes.safe.length})</summary>`,
        '',
        ...report.changes.safe.map((ch) => `- ${code(ch.coordinate)} ${cell(ch.message)}`),
        '',
        '</details>',
        '',
      );
    }
  } else if (report.command === 'check' && report.composition.ok) {
    out.push('#### Changes', '', 'No committed supergraph to compare with.', '');
  }

  if (report.operations.invalid.length > 0) {
    out.push('#### Invalid operations', '', '| Operation | Client | File | Errors |', '|---|---|---|---|');
    for (const op of report.operations.invalid)
      out.push(`| ${op.operation} | ${client(op)} | ${op.file} | ${cell(op.errors.join('; '))} |`);
    out.push('');
  }
  if (report.affectedOperations.length > 0) {
    out.push(
      '#### Affected operations',
      '',
      '| Operation | Client | Coordinate | Change |',
      '|---|---|---|---|',
    );
    for (const op of report.affectedOperations)
      out.push(`| ${op.operation} | ${client(op)} | ${code(op.coordinate)} | ${op.change} |`);
    out.push('');
  }
  if (report.lint.length > 0) {
    out.push(
      `<details><summary>Lint: ${report.lint.length} warnings (advisory)</summary>`,
      '',
      '| Rule | Coordinate | Subgraphs | Message |',
      '|---|---|---|---|',
    );
    for (const w of report.lint)
      out.push(`| ${w.rule} | ${code(w.coordinate)} | ${w.subgraphs.join(', ')} | ${cell(w.message)} |`);
    out.push('', '</details>', '');
  }
  if (report.supergraph.written) out.push(`Wrote \`${report.supergraph.file}\`.`, '');
  return `${out.join('\n')}\n`;
}

function changeTable(label: string, changes: readonly SchemaChange[]): string[] {
  if (changes.length === 0) return [`${label}: none.`, ''];
  const rows = changes.map((ch) => {
    const ack = ch.criticality === 'breaking' ? (ch.acknowledgedIn ? `\`${ch.acknowledgedIn}\`` : 'no') : '';
    return `| ${code(ch.coordinate)} | ${ch.type} | ${ch.usedBy.map((ref) => `${ref.operation} (${client(ref)})`).join(', ') || '-'} | ${ack} | ${cell(ch.message)} |`;
  });
  return [
    `**${label} (${changes.length})**`,
    '',
    '| Coordinate | Change | Used by | Acknowledged | Message |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ];
}

function client(ref: OperationRef): string {
  return ref.source === 'manifest' ? `${ref.client} (persisted)` : ref.client;
}

function code(text: string | null): string {
  return text ? `\`${text}\`` : '';
}

/** Table cells are one line and cannot contain a bare pipe. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}
