/** The endpoint families faults and log entries refer to. */
export type EntraEndpoint = 'token' | 'authorize' | 'discovery' | 'jwks' | 'mi';

/** One request the emulator received. Holds no secret: paths only, no query or body. */
export interface RequestLogEntry {
  readonly endpoint: EntraEndpoint | 'other';
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Tenant segment of the path, when it has one. */
  readonly tenant: string | undefined;
  /** `grant_type` of token requests. */
  readonly grantType: string | undefined;
  /** `client_id` of token/authorize requests; MI client id / object id / resource id of MI requests. */
  readonly clientId: string | undefined;
  /** `app-service` or `imds` for MI requests. */
  readonly managedIdentitySource: 'app-service' | 'imds' | undefined;
  /** HTTP status sent; `null` when the connection was reset or closed before a response. */
  readonly status: number | null;
  /** Whether an injected fault handled (or delayed) this request. */
  readonly faulted: boolean;
  /** When the request arrived, epoch ms. */
  readonly timeMs: number;
}

/** An append-only log of requests, for assertions in tests. */
export class RequestLog {
  readonly #entries: RequestLogEntry[] = [];

  add(entry: RequestLogEntry): void {
    this.#entries.push(Object.freeze(entry));
  }

  /** A snapshot of all entries, oldest first. */
  get entries(): readonly RequestLogEntry[] {
    return [...this.#entries];
  }

  clear(): void {
    this.#entries.length = 0;
  }
}
