import diagnosticsChannel from 'node:diagnostics_channel';
import { PerformanceObserver } from 'node:perf_hooks';

/** Epoch ms with sub-millisecond resolution (comparable with the parent's Date.now()). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** When the worker sent its AUTH commands and when their replies arrived (epoch ms). */
export interface AuthTrace {
  readonly sentMs: readonly number[];
  readonly repliedMs: readonly number[];
  /** authx only: when the binding announced the new credentials (`credentialsUpdated`). */
  readonly credentialsMs: readonly number[];
  /**
   * Per burst of AUTHs: when the synchronous pass that sent them ended (a microtask queued at
   * its first AUTH), and when node-redis' writes, scheduled with setImmediate during that pass,
   * were all done (a setImmediate queued after them).
   */
  readonly passEndedMs: readonly number[];
  readonly writtenMs: readonly number[];
  /** Garbage collections while tracing: [start (epoch ms), duration ms]. */
  readonly gc: ReadonlyArray<readonly [number, number]>;
}

type CommandContext = { command?: string; sentMs?: number };

/**
 * Records every AUTH command node-redis sends in this worker, through node-redis' own tracing
 * channel (`node-redis:command`): the same probe for every contender, and nothing of it runs
 * unless started. Only for the fan-out probe: tracing wraps every command in a traced promise.
 */
export class AuthTraceRecorder {
  readonly #sent: number[] = [];
  readonly #replied: number[] = [];
  readonly #credentials: number[] = [];
  readonly #passEnded: number[] = [];
  readonly #written: number[] = [];
  #inPass = false;
  readonly #gc: Array<[number, number]> = [];
  readonly #gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      this.#gc.push([performance.timeOrigin + entry.startTime, entry.duration]);
    }
  });
  readonly #handlers = {
    start: (message: unknown) => {
      const context = message as CommandContext;
      if (context.command !== 'AUTH') return;
      this.#sent.push(nowMs());
      if (this.#inPass) return;
      this.#inPass = true;
      queueMicrotask(() => {
        this.#inPass = false;
        this.#passEnded.push(nowMs());
        setImmediate(() => this.#written.push(nowMs()));
      });
    },
    asyncEnd: (message: unknown) => {
      const context = message as CommandContext;
      if (context.command === 'AUTH') this.#replied.push(nowMs());
    },
    end: () => undefined,
    asyncStart: () => undefined,
    error: () => undefined,
  };
  #channel: diagnosticsChannel.TracingChannel<unknown, object> | undefined;

  start(): void {
    this.#channel = diagnosticsChannel.tracingChannel('node-redis:command');
    this.#channel.subscribe(this.#handlers);
    this.#gcObserver.observe({ entryTypes: ['gc'] });
  }

  /** The binding's `credentialsUpdated` (authx only) arrived now. */
  credentialsUpdated(): void {
    if (this.#channel) this.#credentials.push(nowMs());
  }

  stop(): AuthTrace {
    this.#channel?.unsubscribe(this.#handlers);
    this.#channel = undefined;
    this.#gcObserver.disconnect();
    return {
      gc: this.#gc.splice(0),
      sentMs: this.#sent.splice(0),
      repliedMs: this.#replied.splice(0),
      credentialsMs: this.#credentials.splice(0),
      passEndedMs: this.#passEnded.splice(0),
      writtenMs: this.#written.splice(0),
    };
  }
}
