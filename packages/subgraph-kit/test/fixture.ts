import { defineEntity, p, type MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import { parse } from 'graphql';
import { loadSubgraphConfig } from '../src/config.js';
import type { SubgraphContext } from '../src/context.js';
import { createSubgraph } from '../src/subgraph.js';

/** A one-table subgraph that exercises every part of the kit. */
export const Note = defineEntity({
  name: 'Note',
  tableName: 'note',
  properties: {
    id: p.integer().primary().autoincrement(),
    body: p.string(),
  },
});

/** Plain columns of the kinds the by-id loaders map (uuid, text, text[], timestamptz, a nullable one). */
export const Label = defineEntity({
  name: 'Label',
  tableName: 'label',
  properties: {
    id: p.uuid().primary(),
    displayName: p.text(),
    tags: p.array<string>(),
    note: p.text().nullable(),
    createdAt: p.datetime(3),
  },
});

class CreateNotes extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table note (id serial primary key, body text not null)');
  }
}

class CreateLabels extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'create table label (id uuid primary key, display_name text not null, tags text[] not null, note text, created_at timestamptz(3) not null)',
    );
  }
}

const typeDefs = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Note @key(fields: "id") {
    id: ID!
    body: String!
  }
  type Query {
    notes: [Note!]!
    slow(ms: Int!): String!
    whoami: String
    cached(key: String!): String
  }
  type Mutation {
    addNote(body: String!): Note!
    "Adds a note through the subgraph configured as inventory (a sibling's service call)."
    relayNote(body: String!): ID
  }
  type Subscription {
    noteEvents: String!
  }
`);

interface Loaders {
  /** Which createLoaders call built this set: a subscription event must get a new one. */
  generation: number;
}
type Context = SubgraphContext<Loaders>;
let generations = 0;

export async function createNotesSubgraph(schemaName: string, env: NodeJS.ProcessEnv = process.env) {
  const config = loadSubgraphConfig('notes', { ...env, NOTES_DATABASE_SCHEMA: schemaName, NOTES_PORT: '0' });
  return createSubgraph({
    config,
    typeDefs,
    entities: [Note, Label],
    migrations: [
      { name: 'CreateNotes', class: CreateNotes },
      { name: 'CreateLabels', class: CreateLabels },
    ] satisfies MigrationObject[],
    createLoaders: () => ({ generation: ++generations }),
    resolvers: {
      Query: {
        notes: (_: unknown, __: unknown, { em }: Context) => em.find(Note, {}, { orderBy: { id: 'asc' } }),
        slow: async (_: unknown, { ms }: { ms: number }) => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          return `slept ${ms}`;
        },
        whoami: (_: unknown, __: unknown, { caller }: Context) => caller.userId ?? caller.service,
        cached: (_: unknown, { key }: { key: string }, { cache }: Context) =>
          cache.getOrSet(key, 60_000, async () => `computed:${key}`),
      },
      Mutation: {
        addNote: async (_: unknown, { body }: { body: string }, { em, events, entityChanges }: Context) => {
          const note = em.create(Note, { body });
          await em.flush();
          await events.publish('notes', { body });
          entityChanges.changed('Note', String(note.id));
          return note;
        },
        relayNote: async (_: unknown, { body }: { body: string }, { services }: Context) => {
          const result = await services.call<{ addNote: { id: string } }>(
            'inventory',
            'mutation ($body: String!) { addNote(body: $body) { id } }',
            { body },
          );
          return result.data?.addNote.id ?? null;
        },
      },
      Subscription: {
        noteEvents: {
          subscribe: (_: unknown, __: unknown, { events }: Context) => events.subscribe('notes'),
          resolve: (event: { body: string }, _: unknown, { loaders }: Context) =>
            `${event.body}@${loaders.generation}`,
        },
      },
    },
  });
}
