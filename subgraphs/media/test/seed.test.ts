import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedMedia } from '../src/seed/index.js';
import { expectData } from '@terrarium/subgraph-kit/testing';
import { filesIn, startMedia, type Started } from './support.js';

let media: Started;
beforeAll(async () => {
  media = await startMedia('media_test_seed', { SEED_DEMO: 'true' });
});
afterAll(async () => {
  await media?.stop();
});

const DEMO = /* GraphQL */ `
  query ($r: [_Any!]!) {
    _entities(representations: $r) {
      ... on Product {
        images {
          alt
          url(width: 400)
        }
      }
      ... on Animal {
        photos {
          alt
        }
      }
      ... on Organization {
        logo {
          contentType
          width
          height
          url(width: 200)
        }
      }
    }
  }
`;

interface Demo {
  _entities: [
    { images: { alt: string; url: string }[] },
    { photos: { alt: string }[] },
    { photos: unknown[] },
    { logo: { contentType: string; width: number; url: string } },
  ];
}

const representations = [
  { __typename: 'Product', id: seedId('product:TR-HEAT-100') },
  { __typename: 'Animal', id: seedId('animal:7') },
  { __typename: 'Animal', id: seedId('animal:3') },
  { __typename: 'Organization', id: seedId('org:scales-and-tails') },
];

describe('demo media', () => {
  it('draws a picture per product, one or two per animal and a logo per organization', async () => {
    // 12 products + 24 animals (12 with a second photo: the adults 1-6 and every third youngster) + 3 logos.
    expect(
      filesIn(media.storageDir).filter(
        (f) => f.endsWith('/original.webp') || f.endsWith('/original.jpg') || f.endsWith('/original.png'),
      ),
    ).toHaveLength(12 + 24 + 12 + 3);

    const {
      _entities: [product, animal7, animal3, org],
    } = await expectData<Demo>(media.subgraph, DEMO, { r: representations });
    expect(product.images).toEqual([
      {
        alt: 'Ceramic Heat Emitter 100W',
        url: `${media.origin}/files/${seedId('media:product:TR-HEAT-100')}/w400.webp`,
      },
    ]);
    expect(animal7.photos).toEqual([{ alt: 'Photo 1 of animal 7 from Sunset Reptiles' }]);
    expect(animal3.photos).toHaveLength(2);
    expect(org.logo).toMatchObject({ contentType: 'image/png', width: 400 });

    const response = await fetch(product.images[0]!.url);
    const metadata = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['webp', 400, 300]);
  });

  const em = () => media.subgraph.orm.em.fork() as EntityManager;
  const count = async () =>
    (await em().getConnection().execute<{ n: number }[]>('select count(*)::int as n from media_asset'))[0]!.n;

  it('is idempotent, and draws again a file that storage lost', async () => {
    const rows = await count();
    const lost = `assets/${seedId('media:org:desert-morphs')}/original.png`;
    rmSync(join(media.storageDir, lost));

    await em().transactional((tx) => seedMedia(tx, media.subgraph.deps.storage));
    expect(await count()).toBe(rows);
    expect(filesIn(media.storageDir)).toContain(lost);
  });

  it('seeds from scratch in under 5 s', async () => {
    await em().getConnection().execute('delete from media_asset');
    rmSync(join(media.storageDir, 'assets'), { recursive: true, force: true });
    const started = Date.now();
    await em().transactional((tx) => seedMedia(tx, media.subgraph.deps.storage));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await count()).toBe(12 + 24 + 12 + 3);
  });
});
