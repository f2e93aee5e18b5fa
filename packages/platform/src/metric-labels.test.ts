import { describe, expect, it } from 'vitest';
import { MAX_OPERATION_LABELS, createOperationLabeler } from './metric-labels.js';

describe('createOperationLabeler', () => {
  it('past the cap labels new names "other" while names seen before keep their own label', () => {
    const label = createOperationLabeler(3);
    expect(['A', 'B', 'C'].map(label)).toEqual(['A', 'B', 'C']);
    expect(label('D')).toBe('other');
    expect(label('E')).toBe('other');
    expect(['C', 'A', 'B'].map(label)).toEqual(['C', 'A', 'B']);
    expect(label('D')).toBe('other');
  });

  it('caps at 500 names by default', () => {
    const label = createOperationLabeler();
    for (let i = 0; i < MAX_OPERATION_LABELS; i++) expect(label(`Op${i}`)).toBe(`Op${i}`);
    expect(MAX_OPERATION_LABELS).toBe(500);
    expect(label('OneTooMany')).toBe('other');
    expect(label('Op0')).toBe('Op0');
  });

  it('labels a missing name "anonymous" without spending the cap on it', () => {
    const label = createOperationLabeler(1);
    expect(label(undefined)).toBe('anonymous');
    expect(label(null)).toBe('anonymous');
    expect(label('')).toBe('anonymous');
    expect(label('First')).toBe('First');
    expect(label('Second')).toBe('other');
  });
});
