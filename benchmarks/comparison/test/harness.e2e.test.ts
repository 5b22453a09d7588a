import { type BenchEnv, startBenchEnv } from '../src/bench-env';
import { GatewayRecorder } from '../src/gateway-recorder';
import { runPlan } from '../src/run-plan';
import { reconnectScenario } from '../src/scenarios/reconnect-scenario';
import { rotationScenario } from '../src/scenarios/rotation-scenario';
import type { WorkerHandle } from '../src/worker-handle';

// The harness end to end, shortened: real emulator, real workers, both libraries. It pins the
// differences the benchmark exists to show, so a broken harness cannot print a plausible table.
describe('comparison harness (emulator + one worker per contender)', () => {
  let env: BenchEnv;
  let recorder: GatewayRecorder;
  let authx: WorkerHandle;
  let redisEntraid: WorkerHandle;
  const plan = { ...runPlan(['--quick']), rotationRunMs: 4500, reconnectRefreshes: 1 };

  beforeAll(async () => {
    env = await startBenchEnv(3);
    recorder = new GatewayRecorder(env.local);
    [authx, redisEntraid] = await Promise.all([env.startWorker('authx'), env.startWorker('redis-entraid')]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([authx?.stop(), redisEntraid?.stop()]);
    recorder?.stop();
    await env?.stop();
  });

  it('counts one AUTH per refresh for authx and one per leaked subscription for @redis/entraid after 3 kills', async () => {
    const [ours, reference] = await Promise.all([
      reconnectScenario(env, recorder, plan, authx),
      reconnectScenario(env, recorder, plan, redisEntraid),
    ]);
    expect(ours).toMatchObject({ authsPerRefreshBeforeKills: 1, authsPerRefreshAfterKills: 1, kills: 3 });
    expect(reference).toMatchObject({
      authsPerRefreshBeforeKills: 1,
      authsPerRefreshAfterKills: 4,
      kills: 3,
    });
  }, 60_000);

  it('sees the RESP2 subscriber evicted at token expiry with @redis/entraid and never with authx', async () => {
    const ours = await rotationScenario(recorder, plan, authx);
    const reference = await rotationScenario(recorder, plan, redisEntraid);
    expect(ours).toMatchObject({ messagesLost: 0, subscriberEvictions: 0, loadCommandsFailed: 0 });
    expect(ours.rotations).toBeGreaterThanOrEqual(1);
    expect(ours.published).toBeGreaterThan(100);
    expect(reference.subscriberEvictions).toBeGreaterThanOrEqual(1);
    expect(reference.timeline.subscriberEvictionsMs).toHaveLength(reference.subscriberEvictions);
  }, 60_000);
});
