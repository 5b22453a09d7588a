import { createDisposable, type Disposable } from './disposable';

/** The subscribe side of an event emitter: `on(name, listener)` returns a Disposable that removes the listener. */
export interface TypedEvents<E extends object> {
  on<K extends keyof E & string>(name: K, listener: (payload: E[K]) => void): Disposable;
}

/**
 * A minimal synchronous event emitter with typed payloads. A listener that throws does not stop
 * the others: the error goes to `onListenerError`.
 */
export class TypedEventEmitter<E extends object> implements TypedEvents<E> {
  readonly #listeners = new Map<keyof E, Set<(payload: never) => void>>();
  readonly #onListenerError: (error: unknown, name: string) => void;

  constructor(onListenerError: (error: unknown, name: string) => void = () => {}) {
    this.#onListenerError = onListenerError;
  }

  on<K extends keyof E & string>(name: K, listener: (payload: E[K]) => void): Disposable {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    // Wrapped so the same function registered twice is two registrations, each removed by its own Disposable.
    const entry = (payload: E[K]) => listener(payload);
    set.add(entry as (payload: never) => void);
    return createDisposable(() => {
      set.delete(entry as (payload: never) => void);
      if (set.size === 0 && this.#listeners.get(name) === set) this.#listeners.delete(name);
    });
  }

  emit<K extends keyof E & string>(name: K, payload: E[K]): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (payload: E[K]) => void)(payload);
      } catch (error) {
        this.#onListenerError(error, name);
      }
    }
  }

  listenerCount(name: keyof E & string): number {
    return this.#listeners.get(name)?.size ?? 0;
  }
}
