#!/usr/bin/env node
import { DOCTOR_USAGE, formatJson, formatStep, formatSummary, parseDoctorArgs, runDoctor } from './doctor';

/** `authx-doctor`: parses flags and environment, runs the doctor, prints, sets the exit code. */
async function main(): Promise<number> {
  const parsed = parseDoctorArgs(process.argv.slice(2), process.env);
  if (parsed.kind === 'help') {
    process.stdout.write(`${DOCTOR_USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`authx-doctor: ${parsed.message}\n`);
    return 2;
  }
  const report = await runDoctor(parsed.input, {
    source: parsed.source,
    onStep: parsed.json ? undefined : (step) => process.stdout.write(`${formatStep(step)}\n`),
  });
  process.stdout.write(parsed.json ? `${formatJson(report)}\n` : `${formatSummary(report)}\n`);
  return report.ok ? 0 : 1;
}

// Exit once stdout is flushed: idle keep-alive sockets of the HTTP clients must not hold the process.
function exit(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main().then(exit, (error: unknown) => {
  // The name only: a message could quote a secret.
  process.stderr.write(`authx-doctor: unexpected error: ${error instanceof Error ? error.name : 'error'}\n`);
  exit(3);
});
