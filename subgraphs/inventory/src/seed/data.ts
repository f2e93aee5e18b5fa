import type { Sex } from '../entities/animal.entity.js';
import type { CareKind } from '../entities/care-log.entity.js';

/** Demo data per the seed canon (BRIEF.md): ids come from seedId(...), so subgraphs agree. */

export const SPECIES = [
  { slug: 'ball-python', commonName: 'Ball python', scientificName: 'Python regius' },
  { slug: 'leopard-gecko', commonName: 'Leopard gecko', scientificName: 'Eublepharis macularius' },
  { slug: 'crested-gecko', commonName: 'Crested gecko', scientificName: 'Correlophus ciliatus' },
  { slug: 'corn-snake', commonName: 'Corn snake', scientificName: 'Pantherophis guttatus' },
  { slug: 'bearded-dragon', commonName: 'Bearded dragon', scientificName: 'Pogona vitticeps' },
] as const;

export type SpeciesSlug = (typeof SPECIES)[number]['slug'];

/** Animal n belongs to ORGANIZATIONS[(n - 1) % 3]. */
export const ORGANIZATIONS = ['sunset-reptiles', 'scales-and-tails', 'desert-morphs'] as const;

export interface SeedAnimal {
  /** The canon's number: seedId(`animal:${n}`). */
  n: number;
  name: string;
  species: SpeciesSlug;
  sex: Sex;
  hatchDate: string;
  morph: string;
  genes: string[];
  weightGrams: number;
  /** Numbers of the parents (1..6, same species); none for the breeding adults. */
  sire?: number;
  dam?: number;
}

/**
 * Animals 1-6 are three breeding pairs (HOLDBACK); 7-24 are their offspring (AVAILABLE) with
 * genes that follow from the parents': a Clown x het Clown ball python clutch is half visual
 * Clown, an Amel het Anery x Anery het Amel corn clutch is a quarter Snow, and so on.
 */
export const ANIMALS: SeedAnimal[] = [
  {
    n: 1,
    name: 'Apollo',
    species: 'ball-python',
    sex: 'MALE',
    hatchDate: '2019-06-14',
    morph: 'Pastel Clown',
    genes: ['Pastel', 'Clown'],
    weightGrams: 1850,
  },
  {
    n: 2,
    name: 'Selene',
    species: 'ball-python',
    sex: 'FEMALE',
    hatchDate: '2018-05-02',
    morph: 'Banana Double Het Clown Piebald',
    genes: ['Banana', 'Het Clown', 'Het Piebald'],
    weightGrams: 2450,
  },
  {
    n: 3,
    name: 'Frost',
    species: 'leopard-gecko',
    sex: 'MALE',
    hatchDate: '2020-07-21',
    morph: 'Mack Snow Tremper Albino',
    genes: ['Mack Snow', 'Tremper Albino'],
    weightGrams: 72,
  },
  {
    n: 4,
    name: 'Mango',
    species: 'leopard-gecko',
    sex: 'FEMALE',
    hatchDate: '2020-08-03',
    morph: 'Tremper Albino Het Eclipse',
    genes: ['Tremper Albino', 'Het Eclipse'],
    weightGrams: 68,
  },
  {
    n: 5,
    name: 'Rusty',
    species: 'corn-snake',
    sex: 'MALE',
    hatchDate: '2019-05-30',
    morph: 'Amel Het Anery',
    genes: ['Amel', 'Het Anery'],
    weightGrams: 620,
  },
  {
    n: 6,
    name: 'Juniper',
    species: 'corn-snake',
    sex: 'FEMALE',
    hatchDate: '2019-06-11',
    morph: 'Anery Het Amel',
    genes: ['Anery', 'Het Amel'],
    weightGrams: 580,
  },

  {
    n: 7,
    name: 'Sunny',
    species: 'ball-python',
    sex: 'MALE',
    hatchDate: '2025-07-18',
    morph: 'Pastel Banana Clown',
    genes: ['Pastel', 'Banana', 'Clown', '50% Het Piebald'],
    weightGrams: 720,
    sire: 1,
    dam: 2,
  },
  {
    n: 8,
    name: 'Nugget',
    species: 'ball-python',
    sex: 'FEMALE',
    hatchDate: '2025-07-18',
    morph: 'Banana Clown',
    genes: ['Banana', 'Clown', '50% Het Piebald'],
    weightGrams: 810,
    sire: 1,
    dam: 2,
  },
  {
    n: 9,
    name: 'Clementine',
    species: 'ball-python',
    sex: 'FEMALE',
    hatchDate: '2025-07-18',
    morph: 'Pastel Het Clown',
    genes: ['Pastel', 'Het Clown', '50% Het Piebald'],
    weightGrams: 765,
    sire: 1,
    dam: 2,
  },
  {
    n: 10,
    name: 'Biscuit',
    species: 'ball-python',
    sex: 'MALE',
    hatchDate: '2025-07-18',
    morph: 'Clown',
    genes: ['Clown', '50% Het Piebald'],
    weightGrams: 690,
    sire: 1,
    dam: 2,
  },
  {
    n: 11,
    name: 'Saffron',
    species: 'ball-python',
    sex: 'FEMALE',
    hatchDate: '2025-07-18',
    morph: 'Banana Pastel Het Clown',
    genes: ['Banana', 'Pastel', 'Het Clown', '50% Het Piebald'],
    weightGrams: 840,
    sire: 1,
    dam: 2,
  },
  {
    n: 12,
    name: 'Pebble',
    species: 'ball-python',
    sex: 'MALE',
    hatchDate: '2025-07-18',
    morph: 'Normal Het Clown',
    genes: ['Het Clown', '50% Het Piebald'],
    weightGrams: 655,
    sire: 1,
    dam: 2,
  },

  {
    n: 13,
    name: 'Ember',
    species: 'leopard-gecko',
    sex: 'FEMALE',
    hatchDate: '2025-05-10',
    morph: 'Mack Snow Tremper Albino',
    genes: ['Mack Snow', 'Tremper Albino', '50% Het Eclipse'],
    weightGrams: 48,
    sire: 3,
    dam: 4,
  },
  {
    n: 14,
    name: 'Pixel',
    species: 'leopard-gecko',
    sex: 'MALE',
    hatchDate: '2025-05-10',
    morph: 'Tremper Albino',
    genes: ['Tremper Albino', '50% Het Eclipse'],
    weightGrams: 55,
    sire: 3,
    dam: 4,
  },
  {
    n: 15,
    name: 'Marble',
    species: 'leopard-gecko',
    sex: 'FEMALE',
    hatchDate: '2025-06-02',
    morph: 'Mack Snow Tremper Albino',
    genes: ['Mack Snow', 'Tremper Albino', '50% Het Eclipse'],
    weightGrams: 46,
    sire: 3,
    dam: 4,
  },
  {
    n: 16,
    name: 'Tofu',
    species: 'leopard-gecko',
    sex: 'MALE',
    hatchDate: '2025-06-02',
    morph: 'Tremper Albino',
    genes: ['Tremper Albino', '50% Het Eclipse'],
    weightGrams: 58,
    sire: 3,
    dam: 4,
  },
  // Sexed by incubation temperature, confirmed only once they mature: too young to tell.
  {
    n: 17,
    name: 'Kiwi',
    species: 'leopard-gecko',
    sex: 'UNKNOWN',
    hatchDate: '2026-07-20',
    morph: 'Mack Snow Tremper Albino',
    genes: ['Mack Snow', 'Tremper Albino', '50% Het Eclipse'],
    weightGrams: 14,
    sire: 3,
    dam: 4,
  },
  {
    n: 18,
    name: 'Nimbus',
    species: 'leopard-gecko',
    sex: 'UNKNOWN',
    hatchDate: '2026-07-20',
    morph: 'Tremper Albino',
    genes: ['Tremper Albino', '50% Het Eclipse'],
    weightGrams: 12,
    sire: 3,
    dam: 4,
  },

  {
    n: 19,
    name: 'Cinder',
    species: 'corn-snake',
    sex: 'MALE',
    hatchDate: '2025-08-05',
    morph: 'Snow',
    genes: ['Amel', 'Anery'],
    weightGrams: 95,
    sire: 5,
    dam: 6,
  },
  {
    n: 20,
    name: 'Maple',
    species: 'corn-snake',
    sex: 'FEMALE',
    hatchDate: '2025-08-05',
    morph: 'Amel Het Anery',
    genes: ['Amel', 'Het Anery'],
    weightGrams: 88,
    sire: 5,
    dam: 6,
  },
  {
    n: 21,
    name: 'Rosie',
    species: 'corn-snake',
    sex: 'FEMALE',
    hatchDate: '2025-08-05',
    morph: 'Anery Het Amel',
    genes: ['Anery', 'Het Amel'],
    weightGrams: 92,
    sire: 5,
    dam: 6,
  },
  {
    n: 22,
    name: 'Pumpkin',
    species: 'corn-snake',
    sex: 'MALE',
    hatchDate: '2025-08-05',
    morph: 'Normal Double Het Amel Anery',
    genes: ['Het Amel', 'Het Anery'],
    weightGrams: 101,
    sire: 5,
    dam: 6,
  },
  {
    n: 23,
    name: 'Nova',
    species: 'corn-snake',
    sex: 'FEMALE',
    hatchDate: '2025-08-05',
    morph: 'Snow',
    genes: ['Amel', 'Anery'],
    weightGrams: 84,
    sire: 5,
    dam: 6,
  },
  {
    n: 24,
    name: 'Rio',
    species: 'corn-snake',
    sex: 'MALE',
    hatchDate: '2025-08-05',
    morph: 'Amel Het Anery',
    genes: ['Amel', 'Het Anery'],
    weightGrams: 97,
    sire: 5,
    dam: 6,
  },
];

/** What each species is fed, for the care log. */
export const FEEDING_NOTES: Record<SpeciesSlug, string> = {
  'ball-python': 'Frozen/thawed small rat, taken on the first strike.',
  'leopard-gecko': 'Six dubia roaches dusted with calcium + D3.',
  'crested-gecko': 'Crested gecko diet (fruit blend), fresh bowl.',
  'corn-snake': 'Frozen/thawed hopper mouse, eaten overnight.',
  'bearded-dragon': 'Dusted crickets and a salad of collard greens.',
};

/**
 * Care history per animal, newest first, as days before 2026-11-15. The WEIGHT entry carries the
 * animal's current weight, so the log and the record agree.
 */
export const CARE_PATTERN: { kind: CareKind; daysAgo: number; notes?: string }[] = [
  { kind: 'FEEDING', daysAgo: 2 },
  { kind: 'WEIGHT', daysAgo: 5, notes: 'Monthly weigh-in.' },
  { kind: 'SHED', daysAgo: 12, notes: 'Complete shed in one piece.' },
  { kind: 'FEEDING', daysAgo: 9 },
];

/** Opening stock of the 12 catalog products, by sku: seedId(`product:${sku}`). */
export const STOCK: { sku: string; onHand: number }[] = [
  { sku: 'TR-HEAT-100', onHand: 40 },
  { sku: 'TR-UVB-T5', onHand: 25 },
  { sku: 'TR-THERM-DIG', onHand: 18 },
  { sku: 'TR-HYGRO', onHand: 60 },
  { sku: 'TR-HIDE-M', onHand: 35 },
  { sku: 'TR-SUB-COCO', onHand: 80 },
  { sku: 'TR-TANK-120', onHand: 6 },
  { sku: 'TR-BOWL-L', onHand: 45 },
  { sku: 'TR-MIST', onHand: 8 },
  { sku: 'TR-MICE-F', onHand: 120 },
  { sku: 'TR-CALC-D3', onHand: 70 },
  { sku: 'TR-TONGS', onHand: 90 },
];
