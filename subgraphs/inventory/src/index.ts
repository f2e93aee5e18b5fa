import { runSubgraph } from '@terrarium/kit';
import { createInventorySubgraph } from './subgraph.js';

await runSubgraph('inventory', createInventorySubgraph);
