// One home for both bindings: the default expiry resolver lives in @authx/token-core's binding core.
export { jwtExpiresAtMs } from '@authx/token-core';
