/**
 * Thrown while preparing an operation the fast path does not execute (schema introspection, a
 * plan with @defer or @fromContext rewrites, ...): such operations run through stock Apollo
 * Gateway's executor instead, with the same answers, only slower.
 */
export class UnsupportedOperation extends Error {}
