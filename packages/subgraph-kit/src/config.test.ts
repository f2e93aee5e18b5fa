import { describe, expect, it } from 'vitest';
import { loadSubgraphConfig } from './config.js';

const base = { DATABASE_URL: 'postgres://app@primary/terrarium', INTERNAL_SECRET: 'x'.repeat(32) };

describe('replica settings', () => {
  it('has none by default: every statement stays on the primary', () => {
    const config = loadSubgraphConfig('products', base);
    expect(config.databaseReplicaUrls).toEqual([]);
    expect(config.replicaMaxLagMs).toBe(5_000);
  });

  it('reads <NAME>_DATABASE_REPLICA_URLS, comma-separated, and the lag budget', () => {
    const config = loadSubgraphConfig('products', {
      ...base,
      PRODUCTS_DATABASE_REPLICA_URLS:
        'postgres://app@replica-a/terrarium, postgresql://app@replica-b/terrarium,',
      PRODUCTS_DATABASE_REPLICA_MAX_LAG_MS: '2000',
    });
    expect(config.databaseReplicaUrls).toEqual([
      'postgres://app@replica-a/terrarium',
      'postgresql://app@replica-b/terrarium',
    ]);
    expect(config.replicaMaxLagMs).toBe(2_000);
  });

  it('applies the shared DATABASE_REPLICA_URLS only to subgraphs on the shared DATABASE_URL', () => {
    const env = { ...base, DATABASE_REPLICA_URLS: 'postgres://app@replica/terrarium' };
    expect(loadSubgraphConfig('products', env).databaseReplicaUrls).toEqual([
      'postgres://app@replica/terrarium',
    ]);
    // Commerce has a database of its own: replicas of the shared one would be another database.
    const own = { ...env, COMMERCE_DATABASE_URL: 'postgres://app@commerce-db/commerce' };
    expect(loadSubgraphConfig('commerce', own).databaseReplicaUrls).toEqual([]);
  });

  it('refuses an entry that is not a postgres URL, without printing it', () => {
    let message = '';
    try {
      loadSubgraphConfig('products', {
        ...base,
        PRODUCTS_DATABASE_REPLICA_URLS: 'postgres://app@replica/terrarium,mysql://root:hunter2@db/x',
        PRODUCTS_DATABASE_REPLICA_MAX_LAG_MS: '100',
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('PRODUCTS_DATABASE_REPLICA_URLS: entry 2 is not a postgres:// URL');
    expect(message).toContain('PRODUCTS_DATABASE_REPLICA_MAX_LAG_MS must be an integer of at least 500');
    expect(message).not.toContain('hunter2');
  });
});
