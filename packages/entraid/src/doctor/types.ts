/** The Entra ID flows the doctor can run (the factory's app-only flows). */
export type DoctorFlow = 'client-secret' | 'client-certificate' | 'managed-identity';

export const DOCTOR_FLOWS: readonly DoctorFlow[] = [
  'client-secret',
  'client-certificate',
  'managed-identity',
];

/**
 * What the doctor was asked to check, as given (flags, else `AZURE_*` environment variables);
 * nothing is validated yet — that is the first step's job.
 */
export interface DoctorInput {
  /** `--flow`; inferred from what is given when absent (secret → client-secret, certificate → client-certificate, else managed-identity). */
  flow?: string;
  /** `--client-id` / `AZURE_CLIENT_ID`: the app registration (for managed identity: a user-assigned identity's client id). */
  clientId?: string;
  /** `--tenant-id` / `AZURE_TENANT_ID`. */
  tenantId?: string;
  /** `--client-secret` / `AZURE_CLIENT_SECRET` (the environment variable is the safer choice). */
  clientSecret?: string;
  /** `--certificate-path` / `AZURE_CLIENT_CERTIFICATE_PATH`: PEM with the certificate and its private key. */
  certificatePath?: string;
  /** `--certificate-password` / `AZURE_CLIENT_CERTIFICATE_PASSWORD`: passphrase of an encrypted key. */
  certificatePassword?: string;
  /** `--mi-client-id`: client id of a user-assigned managed identity (else `AZURE_CLIENT_ID` with the managed-identity flow). */
  managedIdentityClientId?: string;
  /** `--authority`: a full authority URL (`https://login.microsoftonline.com/<tenant>`). */
  authority?: string;
  /** `--authority-host` / `AZURE_AUTHORITY_HOST`: login host; the tenant is appended. */
  authorityHost?: string;
  /** `--scope` / `AZURE_REDIS_SCOPE`; default `https://redis.azure.com/.default`. */
  scope?: string;
  /** `--redis-url` / `REDIS_URL`: `rediss://host:port` (or `redis://`). */
  redisUrl?: string;
  /** `--ca-file` / `AUTHX_CA_FILE`: extra PEM CA(s) trusted for the authority and Redis TLS. */
  caFile?: string;
  /** `--timeout-ms`: bound of each network step, ms; default 10000. */
  timeoutMs?: string | number;
}

/** Where each input value came from, for messages that name the option to fix. */
export type InputSource = Partial<Record<keyof DoctorInput, string>>;

/** A validated configuration. */
export interface DoctorConfig {
  flow: DoctorFlow;
  clientId: string | undefined;
  tenantId: string | undefined;
  clientSecret: string | undefined;
  certificatePath: string | undefined;
  certificatePassword: string | undefined;
  managedIdentityClientId: string | undefined;
  /** Authority URL (not for managed identity). */
  authority: string | undefined;
  scope: string;
  redisUrl: URL;
  /** Extra CA PEM text (from `caFile`), if any. */
  caPem: string | undefined;
  timeoutMs: number;
}

export type StepId = 'configuration' | 'token' | 'clock' | 'redis' | 'auth' | 'ping';

/** One line of the report. */
export interface StepResult {
  id: StepId;
  /** `pass`, `fail`, or `skipped` (an earlier step failed). */
  status: 'pass' | 'fail' | 'skipped';
  /** Short title, e.g. `token acquired`. */
  title: string;
  /** What was found (pass) or what went wrong (fail); never a token or secret. */
  detail: string;
  /** Stable code of the diagnosis on failure, e.g. `AUTH_NO_ACCESS_POLICY`. */
  code?: string;
  /** The likely cause (on failure). */
  cause?: string;
  /** What to do about it (on failure). */
  fix?: string;
  /** Machine-readable facts (claims, timings, plan); never a token or secret. */
  data?: Record<string, unknown>;
}

/** The doctor's result. */
export interface DoctorReport {
  /** True when every step passed (exit code 0). */
  ok: boolean;
  steps: StepResult[];
}

export function pass(id: StepId, title: string, detail: string, data?: Record<string, unknown>): StepResult {
  return { id, status: 'pass', title, detail, ...(data ? { data } : {}) };
}

export function fail(
  id: StepId,
  title: string,
  diagnosis: { code: string; detail: string; cause: string; fix: string; data?: Record<string, unknown> },
): StepResult {
  return { id, status: 'fail', title, ...diagnosis };
}
