// Entry of a contender's child process. Each contender runs in its own process because MSAL keeps
// managed identity state process-wide; each scenario gets a fresh provider inside it.
import type { WorkerConfig, WorkerReply, WorkerRequest } from '../protocol';
import { AuthTraceRecorder } from './auth-trace';
import { type ClientKit, createClientKit } from './client-kit';
import { coldStart } from './cold-start';
import { OpenConnections } from './connections';
import { ErrorTally } from './error-tally';
import { rotationRun } from './rotation-run';

interface Scenario {
  readonly kit: ClientKit;
  readonly connections: OpenConnections;
  readonly errors: ErrorTally;
}

let config: WorkerConfig | undefined;
let scenario: Scenario | undefined;
const authTrace = new AuthTraceRecorder();

function current(): Scenario {
  if (!scenario) throw new Error('no scenario begun');
  return scenario;
}

function endScenario(): void {
  scenario?.connections.close();
  scenario?.kit.dispose();
  scenario = undefined;
}

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.type) {
    case 'init':
      config = request.config;
      return null;
    case 'begin': {
      if (!config) throw new Error('worker not initialised');
      endScenario();
      const errors = new ErrorTally();
      const kit = await createClientKit(config, errors.onClientError);
      kit.onCredentialsUpdated?.(() => authTrace.credentialsUpdated());
      scenario = { kit, connections: new OpenConnections(kit), errors };
      return null;
    }
    case 'end': {
      const { errors } = current();
      endScenario();
      return { clientErrors: errors.count, errorSamples: errors.samples() };
    }
    case 'rotation-run':
      return rotationRun(current().kit, request.options, current().errors);
    case 'open':
      return current().connections.open(request.connections, request.measureHeap);
    case 'ping-all':
      return current().connections.pingAll();
    case 'ping-floor':
      return current().connections.pingFloor();
    case 'trace-auth':
      if (request.on) {
        authTrace.start();
        return null;
      }
      return authTrace.stop();
    case 'throughput':
      return current().connections.throughput(request.slice);
    case 'cold-start':
      if (!config) throw new Error('worker not initialised');
      // Its own fresh provider, with nothing else open in the worker.
      endScenario();
      return coldStart(config, request.connections, request.warm);
    case 'shutdown':
      endScenario();
      // Exit explicitly: a leaked timer or socket must not keep the worker alive.
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
// @redis/entraid 6.1.0 throws from its re-authentication error callback ("TokenManager is not
// running but received an error") when an AUTH fails after its refresh loop was stopped — e.g. a
// connection the gateway evicted because its token expired during a 5,000-connection fan-out.
// That throw escapes node-redis' promise handler: count it as a client error of the scenario
// instead of losing the worker (and the run). Anything else still ends the worker.
process.on('uncaughtException', (error) => {
  if (config?.contender === 'redis-entraid' && /TokenManager is not running/.test(error.message)) {
    scenario?.errors.onClientError(error);
    return;
  }
  console.error(error);
  process.exit(1);
});

// The parent went away: nothing left to measure for.
process.on('disconnect', () => process.exit(0));

function send(message: WorkerReply | { type: 'ready' }): void {
  process.send?.(message);
}

send({ type: 'ready' });
