export {
  type BindingHealth as RedisAuthHealth,
  computeBindingHealth as computeHealth,
  type HealthCredentials,
} from '@authx/token-core';
