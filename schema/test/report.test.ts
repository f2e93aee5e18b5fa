import { describe, expect, it } from 'vitest';
import { runCheck } from '../src/check.js';
import { renderHuman, shouldColor } from '../src/report/human.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { copyFixture, editFile } from './helpers.js';

describe('report renderers', () => {
  it('colours only for a TTY outside CI and without NO_COLOR', () => {
    expect(shouldColor({ isTTY: true }, {})).toBe(true);
    expect(shouldColor({ isTTY: true }, { CI: 'true' })).toBe(false);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '' })).toBe(false);
    expect(shouldColor({ isTTY: false }, {})).toBe(false);
    expect(shouldColor({}, {})).toBe(false);
  });

  it('groups the human report by section and names the breaking change, its users and its status', async () => {
    const root = copyFixture();
    editFile(root, 'subgraphs/products/schema.graphql', (sdl) => sdl.replace('  description: String\n', ''));
    const { report } = await runCheck({ root, env: {} });
    const plain = renderHuman(report, { color: false });
    const sections = [
      'Composition',
      'Changes against schema/supergraph.graphql',
      'Operations (3 checked)',
      'Affected operations',
      'Lint (1 warnings, advisory)',
      'Result: fail',
    ];
    const positions = sections.map((heading) => plain.indexOf(heading));
    expect(positions.every((at) => at >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(plain).toContain('storefront/ProductPage uses Product.description (FIELD_REMOVED)');
    expect(renderHuman(report, { color: true })).toContain('\u001b[31m');

    const markdown = renderMarkdown(report);
    expect(markdown).toContain('| `Product.description` | FIELD_REMOVED | ProductPage (storefront) | no |');
  });
});
