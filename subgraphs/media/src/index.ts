import { runSubgraph } from '@terrarium/kit';
import { createMediaSubgraph } from './subgraph.js';

await runSubgraph('media', createMediaSubgraph);
