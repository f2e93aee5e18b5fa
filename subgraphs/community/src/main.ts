#!/usr/bin/env node
// Starts the community subgraph from the environment (the package's bin). Importing the package's
// entry (index.ts) builds nothing and listens on nothing; this file is the only one that starts it.
import { runSubgraph } from '@terrarium/subgraph-kit/run';
import { createCommunitySubgraph } from './subgraph.js';

await runSubgraph('community', createCommunitySubgraph);
