/** Collections until heapUsed changes by less than this fraction between two of them. */
const STABLE_FRACTION = 0.002;
const MAX_ROUNDS = 12;
/** Pause between collections, so closing sockets and finished timers release what they hold. */
const PAUSE_MS = 50;

/** heapUsed once repeated full garbage collections no longer change it (the worker runs with --expose-gc). */
export async function settledHeapUsed(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc: heap figures need a forced collection');
  let previous = Number.POSITIVE_INFINITY;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    const used = process.memoryUsage().heapUsed;
    if (Math.abs(previous - used) < used * STABLE_FRACTION) return used;
    previous = used;
  }
  return previous;
}
