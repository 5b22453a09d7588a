/** heapUsed once repeated full collections no longer change it by more than 0.1 % (needs --expose-gc). */
export async function settledHeapUsed(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  let previous = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 12; round++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const used = process.memoryUsage().heapUsed;
    if (Math.abs(previous - used) < used * 0.001) return used;
    previous = used;
  }
  return previous;
}
