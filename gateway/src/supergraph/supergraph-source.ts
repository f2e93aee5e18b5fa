import type { ApolloGateway } from '@apollo/gateway';
import type { Logger } from 'pino';
import { SupergraphGeneration } from './generation.js';

export type GenerationListener = (generation: SupergraphGeneration) => void;

export interface SupergraphSource {
  /** The supergraph being served, once loaded. */
  readonly current: SupergraphGeneration | null;
  /** Called with each new generation (the first load and every hot reload), in registration order. */
  onGeneration(listener: GenerationListener): void;
}

/**
 * Builds one SupergraphGeneration per supergraph Apollo Gateway loads or hot-reloads (it has
 * validated the SDL and swapped its schema before it notifies) and hands it to every part that
 * plans. Create it before the gateway loads, so the first supergraph is seen.
 */
export function createSupergraphSource(gateway: ApolloGateway, logger: Logger): SupergraphSource {
  const listeners: GenerationListener[] = [];
  let current: SupergraphGeneration | null = null;
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
    const generation = new SupergraphGeneration(coreSupergraphSdl, apiSchema);
    current = generation;
    for (const listener of listeners) {
      try {
        listener(generation);
      } catch (err) {
        logger.error({ err }, 'a part of the gateway failed to take the new supergraph');
      }
    }
  });
  return {
    get current() {
      return current;
    },
    onGeneration(listener) {
      listeners.push(listener);
    },
  };
}
