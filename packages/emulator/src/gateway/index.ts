export {
  type AccessPolicy,
  type AccessPolicyAssignment,
  BUILT_IN_ACCESS_POLICIES,
  DATA_CONTRIBUTOR,
  DATA_OWNER,
  DATA_READER,
} from './access-policies';
export type { BackendAddress } from './admin-connection';
export type { GatewayClock } from './clock';
export { GatewayError, GatewayOptionError, GatewayStartError } from './errors';
export type { AuthCommand, AuthRefusal, EvictionReason, GatewayConnectionInfo } from './connection-types';
export {
  DEFAULT_REDIS_AUDIENCES,
  type GatewayTlsOptions,
  type RedisGatewayOptions,
  type TokenCheckOptions,
} from './options';
export {
  type AuthFailedEvent,
  type AuthLogEntry,
  type AuthOkEvent,
  type ConnectionFilter,
  type EvictedEvent,
  type RedisGateway,
  type RedisGatewayEvents,
  type RedisGatewayStats,
  startRedisGateway,
} from './redis-gateway';
export type { AuthFailureReason, JwksSource, Principal, ValidationResult } from './token-validator';
export {
  type RedisClusterGateway,
  type RedisClusterGatewayEvents,
  type RedisClusterGatewayOptions,
  startRedisClusterGateway,
} from './cluster-gateway';
