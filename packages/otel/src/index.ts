export { AUTHX_METRICS } from './metric-names';
export { type AuthxMetrics, type AuthxMetricsOptions, registerAuthxMetrics } from './register-metrics';
export { CHANNELS as AUTHX_DIAGNOSTICS_CHANNELS } from './channels';
