import type {
  ApolloServerPlugin,
  BaseContext,
  GraphQLExperimentalFormattedIncrementalDeferResultAlpha2,
  GraphQLExperimentalFormattedSubsequentIncrementalExecutionResultAlpha2,
} from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql/index.js';
import type { SubsequentPayload } from './incremental.js';

/** Apollo Server's `formatError` (the gateway's masking), applied to the errors of later parts too. */
export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * How the fast path's deferred parts reach the client. Apollo Server lets an executor return one
 * result only, but it writes any response whose body a plugin turned into `kind: 'incremental'`
 * as `multipart/mixed; boundary="-"; deferSpec=20220824` (runHttpQuery), parts as they come. So
 * the executor answers the first part and leaves the rest here (`later`), and this plugin's
 * willSendResponse, after every check and Apollo's own formatting of the first part, makes the
 * response incremental: first `{data, errors?, hasNext: true}`, then the parts, each with its
 * errors formatted as Apollo formats the first part's.
 */
export interface IncrementalDelivery {
  /** Install in Apollo Server before the plugins that read the response body (cache headers). */
  readonly plugin: ApolloServerPlugin<BaseContext>;
  /** Whether a request may be answered in parts: the plugin is installed and the client reads the format. */
  accepts(accept: string | undefined): boolean;
  /** The rest of the answer of the operation with this context (Apollo's contextValue). */
  later(context: object, subsequent: AsyncIterable<SubsequentPayload>): void;
}

export function createIncrementalDelivery(options: { formatError: FormatError }): IncrementalDelivery {
  const { formatError } = options;
  const pending = new WeakMap<object, AsyncIterable<SubsequentPayload>>();
  let installed = false;

  const formatErrors = (errors: readonly Error[]): GraphQLFormattedError[] =>
    errors.map((error) => {
      const graphQLError =
        error instanceof GraphQLError ? error : new GraphQLError(error.message, { originalError: error });
      const formatted = graphQLError.toJSON();
      // As Apollo Server's normalizeAndFormatErrors: every error has a code.
      const extensions = {
        ...formatted.extensions,
        code: formatted.extensions?.['code'] ?? 'INTERNAL_SERVER_ERROR',
      };
      return formatError({ ...formatted, extensions }, graphQLError);
    });

  async function* format(
    subsequent: AsyncIterable<SubsequentPayload>,
  ): AsyncGenerator<GraphQLExperimentalFormattedSubsequentIncrementalExecutionResultAlpha2> {
    for await (const payload of subsequent) {
      if (!payload.incremental) {
        yield { hasNext: payload.hasNext };
        continue;
      }
      const incremental = payload.incremental.map(
        (item): GraphQLExperimentalFormattedIncrementalDeferResultAlpha2 => ({
          ...(item.errors ? { errors: formatErrors(item.errors) } : {}),
          data: item.data,
          path: item.path,
          ...(item.label === undefined ? {} : { label: item.label }),
          ...(item.extensions
            ? {
                extensions: {
                  valueCompletion: item.extensions.valueCompletion.map((error) => error.toJSON()),
                },
              }
            : {}),
        }),
      );
      yield { incremental, hasNext: payload.hasNext };
    }
  }

  return {
    plugin: {
      async serverWillStart() {
        installed = true;
      },
      async requestDidStart() {
        return {
          async willSendResponse({ contextValue, response }) {
            const subsequent = pending.get(contextValue);
            if (!subsequent) return;
            pending.delete(contextValue);
            if (response.body?.kind !== 'single') return;
            response.body = {
              kind: 'incremental',
              initialResult: { ...response.body.singleResult, hasNext: true },
              subsequentResults: format(subsequent),
            };
          },
        };
      },
    },
    accepts: (accept) => installed && prefersDeferSpec(accept),
    later(context, subsequent) {
      pending.set(context, subsequent);
    },
  };
}

/**
 * Whether the Accept header asks for the 2022-08-24 incremental format (what Apollo Client 3.7+
 * sends: `multipart/mixed;deferSpec=20220824,application/json`) more than the newer
 * `incrementalSpec=v0.2` one, which this gateway does not write: Apollo Server then picks the
 * same format (it refuses a multipart answer the client did not ask for). Otherwise the client
 * gets the whole answer in one JSON response.
 */
export function prefersDeferSpec(accept: string | undefined): boolean {
  if (!accept) return false;
  let deferSpec = 0;
  let incrementalSpec = 0;
  for (const range of accept.split(',')) {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    if (type !== 'multipart/mixed') continue;
    let quality = 1;
    let spec: 'defer' | 'incremental' | null = null;
    for (const parameter of parameters) {
      const [name, value = ''] = parameter.split('=').map((part) => part.trim().replace(/^"|"$/g, ''));
      if (name === 'q') quality = Number(value);
      if (name === 'deferspec' && value === '20220824') spec = 'defer';
      if (name === 'incrementalspec' && value === 'v0.2') spec = 'incremental';
    }
    if (!(quality > 0)) continue;
    if (spec === 'defer') deferSpec = Math.max(deferSpec, quality);
    if (spec === 'incremental') incrementalSpec = Math.max(incrementalSpec, quality);
  }
  return deferSpec > 0 && (incrementalSpec === 0 || deferSpec > incrementalSpec);
}
