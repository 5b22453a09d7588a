export { closeClient } from './close-client';
export { allMet } from './expectations';
export { type KeyValueRunOptions, runKeyValue } from './key-value-run';
export { type KeyValueScenarioOptions, runKeyValueScenario } from './key-value-scenario';
export { type ReauthLog, logReauths } from './reauth-log';
export { reconnectStrategy } from './reconnect-strategy';
export { durationSec, runMain, withTarget } from './run-main';
export {
  azureAuthority,
  azureTarget,
  EMULATOR_TOKEN_LIFETIME_SEC,
  type GatewayStats,
  emulatorAuthority,
  requireEnv,
  type Target,
} from './target';
export { type ClientSecretTarget, startClientSecretTarget } from './client-secret-target';
export { type TokenLog, logTokens } from './token-log';
export { type KeyValueClient, runTraffic, type TrafficOptions, type TrafficResult } from './traffic';
export { whoAmI } from './who-am-i';
