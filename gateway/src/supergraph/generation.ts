import { Supergraph, type Schema } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import type { GraphQLSchema } from 'graphql/index.js';

/**
 * One supergraph, built once for every part of the gateway that plans: the federation
 * `Supergraph` and a public `QueryPlanner` from @apollo/query-planner, built as Apollo Gateway
 * builds its own (`Supergraph.build(sdl)`, `new QueryPlanner(supergraph)` with the gateway's
 * planner config, which Terrarium leaves at its defaults), so both plan alike. The fast path
 * and the subscriptions share it; a hot reload makes a new one.
 */
export class SupergraphGeneration {
  readonly supergraph: Supergraph;
  readonly planner: QueryPlanner;
  /** The API schema as a federation Schema (what `operationFromDocument` takes). */
  readonly apiSchema: Schema;
  private graphQLSupergraphSchema: GraphQLSchema | null = null;
  private incrementalPlanner: QueryPlanner | null = null;

  constructor(
    readonly coreSupergraphSdl: string,
    /** The API schema Apollo Gateway serves (the object Apollo Server validates against, and its plugins see). */
    readonly schema: GraphQLSchema,
  ) {
    this.supergraph = Supergraph.build(coreSupergraphSdl);
    this.planner = new QueryPlanner(this.supergraph);
    this.apiSchema = this.supergraph.apiSchema();
  }

  /**
   * A second planner with `incrementalDelivery.enableDefer`, for operations a client asked to
   * receive in parts (the fast path's @defer). Built on first use (about 0.7 s and a second query
   * graph for the platform's supergraph), so a gateway that never sees @defer never pays for it.
   * The default planner (above) strips @defer, as Apollo Gateway's does.
   */
  get deferPlanner(): QueryPlanner {
    this.incrementalPlanner ??= new QueryPlanner(this.supergraph, {
      incrementalDelivery: { enableDefer: true },
    });
    return this.incrementalPlanner;
  }

  /** The supergraph schema (join directives and @inaccessible types included) in graphql-js form. */
  get supergraphSchema(): GraphQLSchema {
    this.graphQLSupergraphSchema ??= this.supergraph.schema.toGraphQLJSSchema();
    return this.graphQLSupergraphSchema;
  }

  /** Subgraph names and the URLs the supergraph gives them. */
  subgraphs(): readonly { name: string; url: string }[] {
    return this.supergraph.subgraphsMetadata();
  }
}
