/**
 * The community subgraph as a library: its factory builds the server from a config without listening
 * (tests, and `main.ts`, which starts it). Importing this entry starts nothing.
 */
export { createCommunitySubgraph } from './subgraph.js';
