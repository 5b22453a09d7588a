export * from './entra';
export { findFreePort } from './free-port';
export * from './gateway';
export {
  type RedisServer,
  type RedisServerOptions,
  RedisServerStartError,
  startRedisServer,
} from './redis-server';
