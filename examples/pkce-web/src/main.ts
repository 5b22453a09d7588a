import { once } from 'node:events';
import { durationSec, runMain, withTarget } from '@example/kit';
import { selfTest } from './self-test';
import { startTarget, type Target } from './target';
import { startWebApp } from './web-app';

const SELF_TEST = process.argv.includes('--self-test');

async function runScenario(target: Target): Promise<boolean> {
  if (SELF_TEST && target.mode === 'azure')
    throw new Error('--self-test needs the emulator: unset REDIS_URL');
  console.log(`mode: ${target.mode}, redis: ${target.redisUrl}`);
  // The flow lives in web-app.ts: a public client signs each user in (authorization code + PKCE).
  const app = await startWebApp({
    registration: {
      clientId: target.clientId,
      authorityConfig: target.authorityConfig,
      ...(target.msalConfig ? { msalConfig: target.msalConfig } : {}),
    },
    redisUrl: target.redisUrl,
    port: SELF_TEST ? 0 : Number(process.env.PORT ?? 3000),
  });
  try {
    // The self-test uses Redis as the signed-in user for EXAMPLE_DURATION_SEC (default 8) seconds.
    if (SELF_TEST) return await selfTest(app, target, durationSec() * 1000);
    console.log(`open ${app.url}/login in a browser; Ctrl+C stops`);
    await once(process, 'SIGINT');
    return true;
  } finally {
    await app.stop();
  }
}

runMain(() => withTarget(() => startTarget(process.env), runScenario));
