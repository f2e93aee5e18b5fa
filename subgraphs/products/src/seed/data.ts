/** The demo catalog of the seed canon (BRIEF): categories by slug, products by SKU, EUR cents. */

export interface SeedCategory {
  slug: string;
  name: string;
  parent: string | null;
}

export interface SeedProduct {
  sku: string;
  name: string;
  category: string;
  /** EUR cents. */
  price: number;
  description: string;
}

export const SEED_CATEGORIES: readonly SeedCategory[] = [
  { slug: 'supplies', name: 'Supplies', parent: null },
  { slug: 'heating-lighting', name: 'Heating & Lighting', parent: 'supplies' },
  { slug: 'habitat', name: 'Habitat', parent: 'supplies' },
  { slug: 'feeding', name: 'Feeding', parent: 'supplies' },
  { slug: 'monitoring', name: 'Monitoring', parent: 'supplies' },
];

export const SEED_PRODUCTS: readonly SeedProduct[] = [
  {
    sku: 'TR-HEAT-100',
    name: 'Ceramic Heat Emitter 100W',
    category: 'heating-lighting',
    price: 2499,
    description:
      'Infrared heat without visible light, for day and night use. Screws into any E27 porcelain socket; always run it on a thermostat and behind a guard. Rated for 10,000 hours.',
  },
  {
    sku: 'TR-UVB-T5',
    name: 'T5 HO UVB Tube 12%',
    category: 'heating-lighting',
    price: 3499,
    description:
      'High-output T5 fluorescent tube with 12% UVB for desert species such as bearded dragons. Mount it inside the enclosure with a reflector and replace it every 12 months as UVB output fades.',
  },
  {
    sku: 'TR-THERM-DIG',
    name: 'Digital Thermostat',
    category: 'monitoring',
    price: 4499,
    description:
      'Pulse-proportional thermostat for heat mats and ceramic emitters, up to 600W. Day and night set points, high-temperature alarm and a probe on a 3 m cable.',
  },
  {
    sku: 'TR-HYGRO',
    name: 'Digital Hygrometer',
    category: 'monitoring',
    price: 1299,
    description:
      'Reads humidity and temperature with a remote probe, with minimum and maximum memory. Tropical enclosures for crested geckos and ball pythons need 60-80% humidity.',
  },
  {
    sku: 'TR-HIDE-M',
    name: 'Cork Bark Hide Medium',
    category: 'habitat',
    price: 1599,
    description:
      'Natural cork bark tube, about 25 cm long: a hide for geckos and young snakes that holds humidity and is easy to clean. Every piece is unique.',
  },
  {
    sku: 'TR-SUB-COCO',
    name: 'Coconut Fiber Substrate 8L',
    category: 'habitat',
    price: 899,
    description:
      'Compressed coconut fiber brick that expands to 8 litres. Holds moisture for tropical species and suits bioactive setups; soak it in warm water before use.',
  },
  {
    sku: 'TR-TANK-120',
    name: 'Glass Terrarium 120x60x60',
    category: 'habitat',
    price: 34900,
    description:
      'Front-opening glass terrarium, 120 x 60 x 60 cm, with lockable doors, a mesh top for ventilation and a raised base for a substrate heater. Suits an adult bearded dragon or corn snake.',
  },
  {
    sku: 'TR-BOWL-L',
    name: 'Water Bowl Large',
    category: 'habitat',
    price: 1199,
    description:
      'Heavy resin water bowl with a natural rock look, 1.2 litres. Large enough for a ball python to soak in and too heavy to tip over.',
  },
  {
    sku: 'TR-MIST',
    name: 'Automatic Misting System',
    category: 'habitat',
    price: 8999,
    description:
      'Programmable misting pump with a 4 litre tank and two nozzles for rainforest terrariums. Up to eight misting cycles a day keep humidity steady for geckos and frogs.',
  },
  {
    sku: 'TR-MICE-F',
    name: 'Frozen Feeder Mice 10-pack',
    category: 'feeding',
    price: 1499,
    description:
      'Ten frozen adult mice, 20-25 g each, for corn snakes and young ball pythons. Thaw in the fridge, warm to body temperature and feed with tongs; never refreeze.',
  },
  {
    sku: 'TR-CALC-D3',
    name: 'Calcium + D3 Supplement',
    category: 'feeding',
    price: 999,
    description:
      'Fine calcium carbonate powder with vitamin D3 for dusting insects. Prevents metabolic bone disease in leopard geckos and bearded dragons; 100 g tub.',
  },
  {
    sku: 'TR-TONGS',
    name: 'Feeding Tongs 30cm',
    category: 'feeding',
    price: 1099,
    description:
      'Stainless steel feeding tongs, 30 cm, with soft tips. Keep your hand out of strike range when offering thawed mice to snakes.',
  },
];
