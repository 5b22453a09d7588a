import { parseDemoArgs, USAGE } from './args';
import { startOtel } from './otel';
import { DemoScenario } from './scenario';
import { lostMessages } from './stats';
import { LiveView, renderLines, renderPlain } from './view';

const VIEW_INTERVAL_MS = 250;
const PLAIN_INTERVAL_MS = 5000;

async function main(): Promise<number> {
  let args: ReturnType<typeof parseDemoArgs>;
  try {
    args = parseDemoArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    console.log(USAGE);
    return 0;
  }
  const { durationSec } = args;
  console.log(
    `Starting the embedded emulator (Entra ID + token-checking Redis gateway + redis-server), ` +
      `tokens of ${args.tokenLifetimeSec}s, ${args.clients} load clients, a RESP2 subscriber and a publisher…`,
  );
  // Before the scenario starts, so the first token request is counted too.
  const otel = args.otel ? startOtel() : undefined;
  const scenario = await DemoScenario.start(args);
  const { stats } = scenario;
  scenario.run();

  const tty = process.stdout.isTTY === true;
  const view = new LiveView(process.stdout);
  let lastPlainMs = 0;
  const tick = setInterval(
    () => {
      const now = Date.now();
      if (tty) view.draw(renderLines(stats, now, durationSec));
      else if (now - lastPlainMs >= PLAIN_INTERVAL_MS) {
        lastPlainMs = now;
        console.log(renderPlain(stats, now, durationSec));
      }
    },
    tty ? VIEW_INTERVAL_MS : 1000,
  );
  let interrupted = false;
  const deadline = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, durationSec * 1000);
    process.once('SIGINT', () => {
      interrupted = true;
      clearTimeout(timer);
      resolve();
    });
  });
  await deadline;
  clearInterval(tick);
  await scenario.stop();
  if (tty) view.draw(renderLines(stats, Date.now(), durationSec));
  if (otel) {
    console.log(['', 'OpenTelemetry metrics (@authx/otel):', ...(await otel.report())].join('\n'));
    await otel.stop();
  }

  const lost = lostMessages(stats);
  const ok = stats.commandsFailed === 0 && lost === 0 && stats.evictions === 0 && stats.tokens >= 2;
  console.log(
    [
      '',
      `Summary (${durationSec}s${interrupted ? ', interrupted' : ''}):`,
      `  tokens acquired             ${stats.tokens}`,
      `  connections re-authenticated ${stats.connectionsReauthenticated} (RESP2 subscriber moved ${stats.pubsubRotations}×)`,
      `  commands ok / failed        ${stats.commandsOk} / ${stats.commandsFailed}`,
      `  messages published / delivered / lost / duplicates  ${stats.published} / ${stats.delivered} / ${lost} / ${stats.duplicates}`,
      `  evictions                   ${stats.evictions}`,
      ok
        ? '  result: OK — every connection kept working across every token rotation'
        : `  result: FAILED${stats.lastError ? ` (last error: ${stats.lastError})` : ''}${stats.tokens < 2 ? ' (fewer than 2 tokens: run longer)' : ''}`,
    ].join('\n'),
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
