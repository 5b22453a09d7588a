import { createRedactor } from '../redact';
import { checkAuth } from './step-auth';
import { checkClock } from './step-clock';
import { checkConfiguration } from './step-configuration';
import { checkPingAndPlan } from './step-ping';
import { checkRedisReachable } from './step-redis';
import { acquireToken } from './step-token';
import type { DoctorInput, DoctorReport, InputSource, StepId, StepResult } from './types';

/** Options of {@link runDoctor}. */
export interface RunDoctorOptions {
  /** Where each input came from (`--client-id`, `AZURE_CLIENT_ID`), for messages; default: flag names. */
  source?: InputSource;
  /** Reads the clock (tests); default `Date.now`. */
  now?: () => number;
  /** Called with each step's result as soon as it is known (the CLI prints as it goes). */
  onStep?: (step: StepResult) => void;
}

const TITLES: Record<StepId, string> = {
  configuration: 'configuration valid',
  token: 'token acquired',
  clock: 'clock in sync',
  redis: 'redis reachable',
  auth: 'AUTH accepted',
  ping: 'PING and refresh plan',
};

const ORDER: StepId[] = ['configuration', 'token', 'clock', 'redis', 'auth', 'ping'];

/**
 * Runs the chain an application goes through — configuration, token, clock, network, AUTH, PING —
 * stopping at the first failure (later steps are reported as skipped). The report never contains
 * the token or a secret: every text is also passed through a redactor holding them.
 */
export async function runDoctor(input: DoctorInput, options: RunDoctorOptions = {}): Promise<DoctorReport> {
  const now = options.now ?? Date.now;
  const steps: StepResult[] = [];
  const secrets: (string | undefined)[] = [input.clientSecret, input.certificatePassword];
  const record = (step: StepResult): boolean => {
    const safe = redactStep(step, secrets);
    steps.push(safe);
    options.onStep?.(safe);
    return step.status === 'pass';
  };
  const finish = (): DoctorReport => {
    for (const id of ORDER.slice(steps.length)) {
      const skipped: StepResult = {
        id,
        status: 'skipped',
        title: TITLES[id],
        detail: 'skipped: an earlier step failed',
      };
      steps.push(skipped);
      options.onStep?.(skipped);
    }
    return { ok: steps.every((step) => step.status === 'pass'), steps };
  };

  const configuration = checkConfiguration(input, options.source ?? {});
  if (!record(configuration.result) || !configuration.config || !configuration.provider) return finish();
  const config = configuration.config;

  const token = await acquireToken(config, configuration.provider, now);
  secrets.push(token.accessToken);
  if (!record(token.result)) return finish();
  if (!record(checkClock(token, config.flow, now))) return finish();

  const redis = await checkRedisReachable(config);
  if (!record(redis.result) || !redis.connection) return finish();
  try {
    if (!record(await checkAuth(config, redis.connection, token, now))) return finish();
    record(await checkPingAndPlan(config, redis.connection, token, now));
  } finally {
    redis.connection.close();
  }
  return finish();
}

function redactStep(step: StepResult, secrets: readonly (string | undefined)[]): StepResult {
  const redact = createRedactor(secrets);
  return JSON.parse(redact(JSON.stringify(step))) as StepResult;
}
