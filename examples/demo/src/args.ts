import { parseArgs } from 'node:util';

export interface DemoArgs {
  /** How long the scenario runs, in seconds. Default 60. */
  durationSec: number;
  /** How many clients run SET/GET load. Default 4. */
  clients: number;
  /** Lifetime of each emulator token, in seconds. Default 6. */
  tokenLifetimeSec: number;
  /** Record the authx OpenTelemetry metrics (`@authx/otel`) and print them at the end. Default false. */
  otel: boolean;
}

const USAGE = `usage: pnpm demo [--duration <seconds>] [--clients <n>] [--token-lifetime <seconds>] [--otel]

  --duration         how long the scenario runs (default 60)
  --clients          clients running SET/GET load (default 4)
  --token-lifetime   lifetime of each Entra ID token from the emulator (default 6)
  --otel             record the OpenTelemetry metrics of @authx/otel and print them at the end`;

function positive(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > max) {
    throw new Error(`--${name} must be a number > 0 and <= ${max} (got "${raw}")`);
  }
  return value;
}

export function parseDemoArgs(argv: string[]): DemoArgs | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      clients: { type: 'string' },
      'token-lifetime': { type: 'string' },
      otel: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  return {
    durationSec: positive('duration', values.duration, 60, 24 * 3600),
    clients: Math.round(positive('clients', values.clients, 4, 200)),
    tokenLifetimeSec: positive('token-lifetime', values['token-lifetime'], 6, 3600),
    otel: values.otel === true,
  };
}

export { USAGE };
