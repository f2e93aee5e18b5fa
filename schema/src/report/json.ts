import type { Report } from './types.js';

/** `--format json`: the report as is (shape: schema/report.schema.json), one document, 2-space indent. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
