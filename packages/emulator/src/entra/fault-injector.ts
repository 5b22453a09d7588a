import { invalidOption } from './emulator-error';
import type { EntraEndpoint } from './request-log';

const ENDPOINTS: readonly EntraEndpoint[] = ['token', 'mi', 'discovery', 'jwks', 'authorize'];

/** A planned failure of the next matching requests. */
export interface FaultSpec {
  /** Which endpoint family fails. */
  endpoint: EntraEndpoint;
  /** How many matching requests it affects; default 1 (`Infinity` for all until cleared). */
  times?: number;
  /** Only token requests with this `grant_type`; default any. */
  grantType?: string;
  /**
   * HTTP status to answer; default 503 unless `hang`, `reset` or only `delayMs` is given
   * (a lone `delayMs` delays the real answer).
   */
  status?: number;
  /** Body: a string is sent verbatim (e.g. HTML), anything else as JSON; default an Entra-shaped error for the endpoint. */
  body?: unknown;
  /** Extra response headers, e.g. `{ 'Retry-After': '5' }`. */
  headers?: Record<string, string>;
  /** Delay before answering (or before failing), ms; default 0. */
  delayMs?: number;
  /** Never answer; the connection stays open until the client gives up or the emulator stops. */
  hang?: boolean;
  /** Destroy the connection without an answer (the client sees ECONNRESET). */
  reset?: boolean;
}

/** A fault as applied to one request. */
export interface ActiveFault {
  readonly spec: FaultSpec;
  /** The status to answer, or undefined to answer normally after `delayMs`. */
  readonly status: number | undefined;
}

/** A handle on an injected fault. */
export interface InjectedFault {
  /** Requests still to be affected. */
  readonly remaining: number;
  /** Requests affected so far. */
  readonly hits: number;
  /** Withdraws this fault. */
  cancel(): void;
}

/** Planned failures, consumed in injection order by matching requests. */
export class FaultInjector {
  readonly #faults: { spec: FaultSpec; remaining: number; hits: number }[] = [];

  inject(spec: FaultSpec): InjectedFault {
    if (!ENDPOINTS.includes(spec?.endpoint)) {
      invalidOption('fault.endpoint', `one of ${ENDPOINTS.map((e) => `'${e}'`).join(', ')}`, spec?.endpoint);
    }
    const times = spec.times ?? 1;
    if (typeof times !== 'number' || !(times >= 1) || (Number.isFinite(times) && !Number.isInteger(times))) {
      invalidOption('fault.times', 'an integer ≥ 1 or Infinity', times);
    }
    if (
      spec.status !== undefined &&
      (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 599)
    ) {
      invalidOption('fault.status', 'an HTTP status 100–599', spec.status);
    }
    if (spec.delayMs !== undefined && !(Number.isFinite(spec.delayMs) && spec.delayMs >= 0)) {
      invalidOption('fault.delayMs', 'a number of milliseconds ≥ 0', spec.delayMs);
    }
    const entry = { spec: { ...spec }, remaining: times, hits: 0 };
    this.#faults.push(entry);
    const faults = this.#faults;
    return {
      get remaining() {
        return entry.remaining;
      },
      get hits() {
        return entry.hits;
      },
      cancel() {
        const index = faults.indexOf(entry);
        if (index >= 0) faults.splice(index, 1);
      },
    };
  }

  /** Removes every fault. */
  clear(): void {
    this.#faults.length = 0;
  }

  /** Takes the first fault matching a request, if any. */
  take(endpoint: EntraEndpoint, grantType: string | undefined): ActiveFault | undefined {
    const index = this.#faults.findIndex(
      (fault) =>
        fault.spec.endpoint === endpoint &&
        (fault.spec.grantType === undefined || fault.spec.grantType === grantType),
    );
    if (index < 0) return undefined;
    const fault = this.#faults[index]!;
    fault.remaining--;
    fault.hits++;
    if (fault.remaining <= 0) this.#faults.splice(index, 1);
    const { spec } = fault;
    const delayOnly = spec.delayMs !== undefined && spec.status === undefined && spec.body === undefined;
    const status = spec.hang || spec.reset || delayOnly ? undefined : (spec.status ?? 503);
    return { spec, status };
  }
}
