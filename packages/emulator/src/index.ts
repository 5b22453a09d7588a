export { findFreePort } from './free-port';
export {
  type RedisServer,
  type RedisServerOptions,
  RedisServerStartError,
  startRedisServer,
} from './redis-server';
