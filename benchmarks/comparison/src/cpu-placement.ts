import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * Where the processes of a run are placed. On a 2-core machine the scheduler moves each process
 * between the cores as it likes, and a worker that happens to share a core with the gateway for a
 * whole run measures a few per cent slower in every round: a bias that alternating rounds cannot
 * cancel, since the processes live for the whole run. Pinned, every worker gets the same core and
 * the parent (emulator, gateway) and redis-server the other, so the contenders are measured alike.
 */
export function pinProcesses(serverPids: readonly number[], workerPids: readonly number[]): string {
  if (process.platform !== 'linux') return 'not pinned (not Linux)';
  const cpus = availableParallelism();
  if (cpus < 2) return 'not pinned (1 CPU)';
  const pin = (cpu: number, pid: number) =>
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
  try {
    for (const pid of [process.pid, ...serverPids]) pin(0, pid);
    for (const pid of workerPids) pin(1, pid);
  } catch (error) {
    return `not pinned (taskset: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
  return `pinned: emulator, gateway and redis-server on CPU 0, every worker on CPU 1 (of ${cpus})`;
}
