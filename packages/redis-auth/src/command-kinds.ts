// One home for both bindings: the classification lives in @authx/token-core's binding core.
export { blockingTimeoutMs, type CommandKind, commandKind } from '@authx/token-core';
