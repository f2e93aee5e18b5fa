import { describe, expect, it } from 'vitest';
import { prefersDeferSpec } from './incremental-delivery.plugin.js';

describe('prefersDeferSpec: when an answer may be sent in parts', () => {
  it("accepts what Apollo Client sends for @defer, in Apollo Server's spellings", () => {
    expect(prefersDeferSpec('multipart/mixed;deferSpec=20220824,application/json')).toBe(true);
    expect(prefersDeferSpec('multipart/mixed; deferSpec=20220824, application/json')).toBe(true);
    expect(prefersDeferSpec('application/json;q=0.9, multipart/mixed;deferSpec=20220824')).toBe(true);
  });

  it('answers whole a client that does not ask for the 2022-08-24 format, or prefers the newer one', () => {
    expect(prefersDeferSpec(undefined)).toBe(false);
    expect(prefersDeferSpec('application/json')).toBe(false);
    expect(prefersDeferSpec('multipart/mixed')).toBe(false);
    expect(prefersDeferSpec('multipart/mixed;deferSpec=20220824;q=0')).toBe(false);
    expect(prefersDeferSpec('multipart/mixed;incrementalSpec=v0.2')).toBe(false);
    expect(
      prefersDeferSpec('multipart/mixed;incrementalSpec=v0.2, multipart/mixed;deferSpec=20220824;q=0.5'),
    ).toBe(false);
  });
});
