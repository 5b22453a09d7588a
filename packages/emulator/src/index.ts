export * from './entra';
export { findFreePort } from './free-port';
export * from './gateway';
export {
  type RedisServer,
  type RedisServerOptions,
  RedisServerStartError,
  startRedisServer,
} from './redis-server';
export { startEmulator } from './emulator';
export type { LocalAzureRedis, LocalMsalConfig } from './local/local-azure-redis-api';
export { LocalAzureRedisError, LocalAzureRedisErrorCode } from './local/local-azure-redis-error';
export {
  DEFAULT_CLUSTER_MASTERS,
  type LocalAzureRedisOptions,
  type LocalGatewayOptions,
} from './local/options';
