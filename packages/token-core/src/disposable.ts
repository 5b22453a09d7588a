/** A resource released by `dispose()`; also usable with `using` (TypeScript 5.2+). */
export interface Disposable {
  dispose(): void;
  [Symbol.dispose](): void;
}

/** Wraps `release` in a Disposable whose `dispose()` runs it at most once. */
export function createDisposable(release: () => void): Disposable {
  let disposed = false;
  const dispose = (): void => {
    if (disposed) return;
    disposed = true;
    release();
  };
  return { dispose, [Symbol.dispose]: dispose };
}
