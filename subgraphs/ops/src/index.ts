import { runSubgraph } from '@terrarium/kit';
import { createOpsSubgraph } from './subgraph.js';

await runSubgraph('ops', createOpsSubgraph);
