import { runSubgraph } from '@terrarium/kit';
import { createProductsSubgraph } from './subgraph.js';

await runSubgraph('products', createProductsSubgraph);
