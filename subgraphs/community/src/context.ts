import type { SubgraphContext } from '@terrarium/subgraph-kit/context';
import type { Loaders } from './loaders/index.js';

export type Context = SubgraphContext<Loaders>;
