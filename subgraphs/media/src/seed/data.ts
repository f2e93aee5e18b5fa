import { seedId } from '@terrarium/subgraph-kit/seed-id';
import type { OwnerType } from '../entities/media-asset.entity.js';
import type { Placeholder } from './placeholder.js';

/** One demo asset: where it belongs and the picture to draw. */
export interface SeedAsset {
  id: string;
  ownerType: OwnerType;
  ownerId: string;
  position: number;
  alt: string;
  picture: Placeholder;
}

/** The seed canon's products (products subgraph), by SKU. */
const PRODUCTS: readonly [sku: string, name: string][] = [
  ['TR-HEAT-100', 'Ceramic Heat Emitter 100W'],
  ['TR-UVB-T5', 'T5 HO UVB Tube 12%'],
  ['TR-THERM-DIG', 'Digital Thermostat'],
  ['TR-HYGRO', 'Digital Hygrometer'],
  ['TR-HIDE-M', 'Cork Bark Hide Medium'],
  ['TR-SUB-COCO', 'Coconut Fiber Substrate 8L'],
  ['TR-TANK-120', 'Glass Terrarium 120x60x60'],
  ['TR-BOWL-L', 'Water Bowl Large'],
  ['TR-MIST', 'Automatic Misting System'],
  ['TR-MICE-F', 'Frozen Feeder Mice 10-pack'],
  ['TR-CALC-D3', 'Calcium + D3 Supplement'],
  ['TR-TONGS', 'Feeding Tongs 30cm'],
];

/** The seed canon's organizations (ops), in the order animals are dealt to them. */
const ORGANIZATIONS: readonly [slug: string, name: string][] = [
  ['sunset-reptiles', 'Sunset Reptiles'],
  ['scales-and-tails', 'Scales & Tails'],
  ['desert-morphs', 'Desert Morphs'],
];

const ANIMAL_COUNT = 24;

/** Every demo asset: an image per product, one or two photos per animal, a logo per organization. */
export function seedAssets(): SeedAsset[] {
  const assets: SeedAsset[] = [];
  for (const [sku, name] of PRODUCTS) {
    assets.push({
      id: seedId(`media:product:${sku}`),
      ownerType: 'PRODUCT',
      ownerId: seedId(`product:${sku}`),
      position: 0,
      alt: name,
      picture: { name: sku, title: name, subtitle: sku, width: 800, height: 600, format: 'webp' },
    });
  }
  for (let n = 1; n <= ANIMAL_COUNT; n += 1) {
    const [, breeder] = ORGANIZATIONS[(n - 1) % ORGANIZATIONS.length]!;
    // Breeding adults (1-6) and every third youngster get a second photo.
    const photos = n <= 6 || n % 3 === 0 ? 2 : 1;
    for (let i = 0; i < photos; i += 1) {
      assets.push({
        id: seedId(`media:animal:${n}:${i}`),
        ownerType: 'ANIMAL',
        ownerId: seedId(`animal:${n}`),
        position: i,
        alt: `Photo ${i + 1} of animal ${n} from ${breeder}`,
        picture: {
          name: `animal:${n}:${i}`,
          title: `Animal ${n}`,
          subtitle: `${breeder} · photo ${i + 1}`,
          width: 800,
          height: 600,
          format: 'jpeg',
        },
      });
    }
  }
  for (const [slug, name] of ORGANIZATIONS) {
    assets.push({
      id: seedId(`media:org:${slug}`),
      ownerType: 'ORGANIZATION',
      ownerId: seedId(`org:${slug}`),
      position: 0,
      alt: `${name} logo`,
      picture: { name: slug, title: name, width: 400, height: 400, format: 'png' },
    });
  }
  return assets;
}
