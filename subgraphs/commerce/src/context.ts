import type { SubgraphContext } from '@terrarium/kit';
import type { Loaders } from './loaders/index.js';

export type Context = SubgraphContext<Loaders>;
