import { parseInput, poolNameSchema, proxyIdSchema, sessionIdSchema } from '@leasehold/core';

/** The pool name and proxy id most calls take, validated (a ValidationError names the field). */
export function poolAndProxy(pool: string, proxyId: string): [string, string] {
  return [parseInput(poolNameSchema, pool, 'pool'), parseInput(proxyIdSchema, proxyId, 'proxyId')];
}

/** The pool name and session id of the session calls, validated. */
export function poolAndSession(pool: string, sessionId: string): [string, string] {
  return [
    parseInput(poolNameSchema, pool, 'pool'),
    parseInput(sessionIdSchema, sessionId, 'sessionId'),
  ];
}
