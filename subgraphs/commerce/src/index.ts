import { runSubgraph } from '@terrarium/kit';
import { createCommerceSubgraph } from './subgraph.js';

await runSubgraph('commerce', createCommerceSubgraph);
