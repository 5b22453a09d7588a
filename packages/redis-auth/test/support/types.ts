import type { RedisClientType } from 'redis';

/** A node-redis client of any RESP version (tests run the same code on RESP2 and RESP3). */
export type AnyClient = RedisClientType<any, any, any, any, any>;
