// Entry of a contender's child process: one process per contender and scenario, because MSAL keeps
// managed identity state process-wide and a leaked refresh loop must not outlive its scenario.
import type { WorkerConfig, WorkerReply, WorkerRequest } from '../protocol';
import { type ClientKit, createClientKit } from './client-kit';
import { OpenConnections } from './connections';
import { ErrorTally } from './error-tally';
import { rotationRun } from './rotation-run';

let kit: ClientKit | undefined;
let connections: OpenConnections | undefined;
const errors = new ErrorTally();

function requireKit(): { kit: ClientKit; connections: OpenConnections } {
  if (!kit || !connections) throw new Error('worker not initialised');
  return { kit, connections };
}

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.type) {
    case 'init': {
      const config: WorkerConfig = request.config;
      kit = createClientKit(config, errors.onClientError);
      connections = new OpenConnections(kit);
      return null;
    }
    case 'rotation-run':
      return rotationRun(requireKit().kit, request.options, errors);
    case 'open':
      return requireKit().connections.open(request.connections, request.measureHeap);
    case 'ping-all':
      return requireKit().connections.pingAll();
    case 'throughput':
      return requireKit().connections.throughput(request.durationMs, request.batch);
    case 'close':
      requireKit().connections.close();
      return { clientErrors: errors.count, errorSamples: errors.samples() };
    case 'shutdown':
      connections?.close();
      kit?.dispose();
      // Exit explicitly: a leaked refresh loop (a finding of this benchmark) would keep us alive.
      setTimeout(() => process.exit(0), 50);
      return null;
  }
}

process.on('message', (request: WorkerRequest) => {
  handle(request).then(
    (value) => send({ id: request.id, ok: true, value }),
    (error: unknown) =>
      send({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
// The parent went away: nothing left to measure for.
process.on('disconnect', () => process.exit(0));

function send(message: WorkerReply | { type: 'ready' }): void {
  process.send?.(message);
}

send({ type: 'ready' });
