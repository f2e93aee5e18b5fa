import { seedId } from '@terrarium/subgraph-kit/seed-id';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Demo data per the seed canon: reviews of most products and of every breeder by the demo users,
 * a few posts with comments, and follows. Ids come from seedId(), so they match what ops and
 * products seed. Idempotent: every insert skips rows that exist, and the rating aggregates grow
 * only by the reviews this run actually inserted.
 */

const USERS = ['admin', 'breeder', 'keeper', 'desert', 'scales'] as const;
type DemoUser = (typeof USERS)[number];
const user = (name: DemoUser) => seedId(`user:${name}@terrarium.test`);

/** Fixed timestamps keep the demo identical on every machine: day n after 2026-01-05 09:00 UTC. */
const day = (n: number, hour = 9) => new Date(Date.UTC(2026, 0, 5 + n, hour)).toISOString();

type ReviewSeed = [subject: string, author: DemoUser, rating: number, body: string];

const PRODUCT_REVIEWS: ReviewSeed[] = [
  [
    'TR-HEAT-100',
    'keeper',
    5,
    'Keeps the warm side of my ball python tub at 31 °C all night without any light. Silent, and it has run for months on the thermostat.',
  ],
  [
    'TR-HEAT-100',
    'admin',
    4,
    'Does exactly what it says. Use a guard: the ceramic gets hot enough to burn a curious snake.',
  ],
  [
    'TR-HEAT-100',
    'desert',
    4,
    'We run a dozen of these in the bearded dragon room for night heat. Two years in, one replaced.',
  ],
  [
    'TR-UVB-T5',
    'keeper',
    5,
    'My bearded dragon basks under it every morning. Much stronger than the compact bulb it replaced.',
  ],
  [
    'TR-UVB-T5',
    'scales',
    4,
    'Good output for desert species. Mark the date on it and replace it yearly even if it still lights.',
  ],
  [
    'TR-THERM-DIG',
    'keeper',
    4,
    'Easy to set and the probe reads within half a degree of my other thermometer. The display could be brighter.',
  ],
  [
    'TR-THERM-DIG',
    'admin',
    5,
    'The single most important piece of equipment in any heated enclosure. This one has never overshot.',
  ],
  [
    'TR-THERM-DIG',
    'breeder',
    5,
    'Every rack at Sunset Reptiles runs on these. Reliable, and the night drop setting is handy.',
  ],
  [
    'TR-HYGRO',
    'keeper',
    3,
    'Works, but it lags a few minutes after misting. Fine for trends, not for spot checks.',
  ],
  [
    'TR-HYGRO',
    'admin',
    4,
    'Accurate enough after a salt calibration. Cheap enough to put one in every enclosure.',
  ],
  [
    'TR-HIDE-M',
    'keeper',
    5,
    'My leopard gecko moved in the first night. Natural cork, no sharp edges, easy to rinse.',
  ],
  [
    'TR-HIDE-M',
    'breeder',
    4,
    'Good sizes for juvenile ball pythons. Pieces vary a little, which is part of the charm.',
  ],
  [
    'TR-SUB-COCO',
    'keeper',
    4,
    'Holds humidity well for my crested gecko. Rinse it first: the first soak is very dusty.',
  ],
  [
    'TR-SUB-COCO',
    'scales',
    3,
    'Fine substrate, but the bricks are smaller than the 8 L on the label once expanded.',
  ],
  [
    'TR-TANK-120',
    'keeper',
    5,
    'Front-opening doors make feeding and cleaning so much easier. Arrived well packed.',
  ],
  ['TR-TANK-120', 'admin', 4, 'Solid glass and a good mesh top. Assembly needs two people.'],
  [
    'TR-TANK-120',
    'desert',
    5,
    'Perfect size for an adult bearded dragon with room for a proper temperature gradient.',
  ],
  ['TR-MIST', 'keeper', 3, 'Works well once set up, but the pump is louder than I hoped in a bedroom.'],
  ['TR-MIST', 'breeder', 4, 'Saves us an hour a day in the crested gecko room. Clean the nozzles monthly.'],
  ['TR-MICE-F', 'keeper', 4, 'Consistent sizes and well frozen on arrival. Thaw in the fridge overnight.'],
  ['TR-MICE-F', 'desert', 5, 'The only feeders our corn snakes never refuse.'],
  ['TR-CALC-D3', 'keeper', 5, 'Fine powder that sticks to insects well. My gecko has had no bone problems.'],
  ['TR-CALC-D3', 'admin', 4, 'Good supplement. Alternate with plain calcium to avoid overdoing the D3.'],
  ['TR-CALC-D3', 'scales', 5, 'What we dust every feeder with at Scales & Tails.'],
];

const ORGANIZATION_REVIEWS: ReviewSeed[] = [
  [
    'sunset-reptiles',
    'keeper',
    5,
    'My ball python arrived healthy, feeding and with a full care sheet. Bea answered every question.',
  ],
  [
    'sunset-reptiles',
    'admin',
    4,
    'Careful packaging and honest morph descriptions. Shipping took a day longer than quoted.',
  ],
  ['sunset-reptiles', 'desert', 4, 'Traded a pair with them: clean animals and accurate records.'],
  [
    'scales-and-tails',
    'keeper',
    4,
    'Lovely crested gecko, exactly as pictured. Communication was a bit slow.',
  ],
  ['scales-and-tails', 'admin', 5, 'Consistently well-started juveniles with feeding logs. A model breeder.'],
  [
    'scales-and-tails',
    'breeder',
    4,
    'Good people to work with at shows, and their animals are always in great condition.',
  ],
  [
    'desert-morphs',
    'keeper',
    5,
    'My bearded dragon came with her hatch date, parents and weight history. Outstanding.',
  ],
  ['desert-morphs', 'admin', 4, 'Healthy animals and clear genetics. Prices on the high side.'],
  ['desert-morphs', 'scales', 5, 'Dez knows leopard gecko genetics better than anyone I have met.'],
];

interface PostSeed {
  key: string;
  author: DemoUser;
  title: string;
  body: string;
  comments: [author: DemoUser, body: string][];
}

const POSTS: PostSeed[] = [
  {
    key: 'first-ball-python-setup',
    author: 'keeper',
    title: 'Setting up my first ball python enclosure',
    body: 'A 120 cm glass terrarium, ceramic heat emitter on a thermostat, two cork hides and coco substrate. Warm side 31 °C, cool side 26 °C, humidity around 60%. Anything I missed?',
    comments: [
      [
        'breeder',
        'Looks great. Add a second hide on the warm side so he never has to choose between feeling safe and being warm.',
      ],
      ['admin', 'Put the thermostat probe where the snake actually sits, not on the glass.'],
      ['keeper', 'Thanks both! Second hide ordered.'],
    ],
  },
  {
    key: 'leopard-gecko-stuck-shed',
    author: 'desert',
    title: 'Stuck shed on a leopard gecko: what worked for us',
    body: 'A humid hide with damp moss, a 10-minute lukewarm soak and a cotton bud for the toes. Check the toes after every shed: stuck rings can cost a toe.',
    comments: [
      ['keeper', 'The humid hide fixed it for mine within two sheds. Thank you!'],
      ['scales', 'Same routine here. Raising the humidity a few days before the shed helps too.'],
    ],
  },
  {
    key: 'crested-gecko-pairing-season',
    author: 'breeder',
    title: 'Crested gecko pairing season at Sunset Reptiles',
    body: 'We introduce pairs in late winter after a short cool-down, and give every female a deep laying box. First eggs usually arrive four weeks later.',
    comments: [
      ['keeper', 'How long do the eggs incubate at room temperature?'],
      ['desert', 'Around 60 to 90 days at 22-24 °C in our experience.'],
    ],
  },
];

const FOLLOWS: [follower: DemoUser, type: 'USER' | 'ORGANIZATION', target: string][] = [
  ['keeper', 'ORGANIZATION', 'sunset-reptiles'],
  ['keeper', 'ORGANIZATION', 'desert-morphs'],
  ['keeper', 'USER', 'breeder'],
  ['keeper', 'USER', 'desert'],
  ['admin', 'ORGANIZATION', 'scales-and-tails'],
  ['breeder', 'USER', 'keeper'],
  ['desert', 'ORGANIZATION', 'sunset-reptiles'],
  ['scales', 'USER', 'keeper'],
  ['scales', 'ORGANIZATION', 'desert-morphs'],
];

const placeholders = (rows: number, row: string) => Array.from({ length: rows }, () => row).join(', ');

async function seedReviews(em: EntityManager): Promise<void> {
  const rows = [
    ...PRODUCT_REVIEWS.map(([sku, author, rating, body], i) => [
      seedId(`review:${author}:product:${sku}`),
      user(author),
      seedId(`product:${sku}`),
      null,
      rating,
      body,
      day(i),
    ]),
    ...ORGANIZATION_REVIEWS.map(([slug, author, rating, body], i) => [
      seedId(`review:${author}:org:${slug}`),
      user(author),
      null,
      seedId(`org:${slug}`),
      rating,
      body,
      day(i * 2 + 1, 15),
    ]),
  ];
  // Aggregates grow by exactly the reviews inserted now (none on a second start).
  await em.execute(
    `with inserted as (
       insert into review (id, author_id, product_id, organization_id, rating, body, created_at, updated_at)
       select id, author_id, product_id, organization_id, rating, body, created_at, created_at
       from (values ${placeholders(rows.length, '(?::uuid, ?::uuid, ?::uuid, ?::uuid, ?::smallint, ?, ?::timestamptz)')})
         as v(id, author_id, product_id, organization_id, rating, body, created_at)
       on conflict do nothing
       returning product_id, organization_id, rating
     )
     insert into rating_aggregate as a (subject_type, subject_id, review_count, rating_sum)
     select case when product_id is not null then 'PRODUCT' else 'ORGANIZATION' end, coalesce(product_id, organization_id), count(*), sum(rating)
     from inserted
     group by 1, 2
     on conflict (subject_type, subject_id) do update
       set review_count = a.review_count + excluded.review_count, rating_sum = a.rating_sum + excluded.rating_sum, updated_at = now()`,
    rows.flat(),
    'run',
  );
}

async function seedPosts(em: EntityManager): Promise<void> {
  const posts = POSTS.map((post, i) => [
    seedId(`post:${post.key}`),
    user(post.author),
    post.title,
    post.body,
    day(i * 3, 18),
  ]);
  await em.execute(
    `insert into post (id, author_id, title, body, created_at, updated_at)
     select id, author_id, title, body, created_at, created_at
     from (values ${placeholders(posts.length, '(?::uuid, ?::uuid, ?, ?, ?::timestamptz)')}) as v(id, author_id, title, body, created_at)
     on conflict (id) do nothing`,
    posts.flat(),
    'run',
  );
  const comments = POSTS.flatMap((post, i) =>
    post.comments.map(([author, body], n) => [
      seedId(`comment:${post.key}:${n + 1}`),
      seedId(`post:${post.key}`),
      user(author),
      body,
      day(i * 3 + n + 1, 20),
    ]),
  );
  await em.execute(
    `insert into comment (id, post_id, author_id, body, created_at)
     select * from (values ${placeholders(comments.length, '(?::uuid, ?::uuid, ?::uuid, ?, ?::timestamptz)')}) as v(id, post_id, author_id, body, created_at)
     on conflict (id) do nothing`,
    comments.flat(),
    'run',
  );
}

async function seedFollows(em: EntityManager): Promise<void> {
  const rows = FOLLOWS.map(([follower, type, target], i) => [
    user(follower),
    type,
    type === 'USER' ? user(target as DemoUser) : seedId(`org:${target}`),
    day(i),
  ]);
  await em.execute(
    `insert into follow (follower_id, target_type, target_id, created_at)
     select * from (values ${placeholders(rows.length, '(?::uuid, ?, ?::uuid, ?::timestamptz)')}) as v(follower_id, target_type, target_id, created_at)
     on conflict do nothing`,
    rows.flat(),
    'run',
  );
}

export async function seed(em: EntityManager): Promise<void> {
  await seedReviews(em);
  await seedPosts(em);
  await seedFollows(em);
}

/** For tests: what the seed holds. */
export const SEED = { PRODUCT_REVIEWS, ORGANIZATION_REVIEWS, POSTS, FOLLOWS, USERS };
