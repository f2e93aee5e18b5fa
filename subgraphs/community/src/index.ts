import { runSubgraph } from '@terrarium/kit';
import { createCommunitySubgraph } from './subgraph.js';

await runSubgraph('community', createCommunitySubgraph);
