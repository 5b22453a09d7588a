import { once } from 'node:events';
import { selfTest } from './self-test';
import { startTarget } from './target';
import { startWebApp } from './web-app';

/** How long the self-test uses Redis as the user, in seconds (EXAMPLE_DURATION_SEC overrides). */
const DURATION_SEC = Number(process.env.EXAMPLE_DURATION_SEC ?? 8);
const SELF_TEST = process.argv.includes('--self-test');

async function main(): Promise<boolean> {
  const target = await startTarget(process.env);
  try {
    if (SELF_TEST && target.mode === 'azure')
      throw new Error('--self-test needs the emulator: unset REDIS_URL');
    console.log(`mode: ${target.mode}, redis: ${target.redisUrl}`);
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
      if (SELF_TEST) return await selfTest(app, target, DURATION_SEC * 1000);
      console.log(`open ${app.url}/login in a browser; Ctrl+C stops`);
      await once(process, 'SIGINT');
      return true;
    } finally {
      await app.stop();
    }
  } finally {
    await target.stop();
  }
}

main().then(
  (ok) => {
    console.log(ok ? 'result: ok' : 'result: FAILED');
    process.exitCode = ok ? 0 : 1;
  },
  (error: unknown) => {
    console.error('result: FAILED', error);
    process.exitCode = 1;
  },
);
