import { GraphQLScalarType, Kind } from 'graphql';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function toDate(value: unknown, what: string): Date {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new TypeError(`${what} must be an ISO-8601 string`);
  return date;
}

/** An instant, as an ISO-8601 string in UTC. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, ISO-8601 in UTC (2026-11-22T10:00:00.000Z).',
  serialize: (value) => toDate(value, 'DateTime').toISOString(),
  parseValue: (value) => toDate(value, 'DateTime'),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('DateTime must be a string');
    return toDate(ast.value, 'DateTime');
  },
});

/** A calendar date without time zone, YYYY-MM-DD. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date, YYYY-MM-DD.',
  serialize: (value) => {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    if (typeof value === 'string' && ISO_DATE.test(value.slice(0, 10))) return value.slice(0, 10);
    throw new TypeError('Date must be YYYY-MM-DD');
  },
  parseValue: (value) => {
    if (typeof value !== 'string' || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value)))
      throw new TypeError('Date must be YYYY-MM-DD');
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING || !ISO_DATE.test(ast.value)) throw new TypeError('Date must be YYYY-MM-DD');
    return ast.value;
  },
});
