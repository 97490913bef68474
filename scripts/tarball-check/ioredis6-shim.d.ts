// ioredis 6.1's own typings import `redis-errors`, which ships no types: with library checks
// on (skipLibCheck false), a TypeScript user of ioredis 6 needs this one line too, with or
// without Leasehold. It says nothing about Leasehold's typings, which are what types.mts checks.
declare module 'redis-errors';
