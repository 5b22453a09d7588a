#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET } from './entra/defaults';
import { startEmulator } from './emulator';
import {
  type CloudCommand,
  parseCliArgs,
  type StartCommand,
  type TokenCommand,
  USAGE,
} from './local/cli-args';
import { formatCloudReport, startCloudProfile } from './local/cloud-start';
import { describeCliFailure } from './local/cli-errors';
import { buildCliReport, formatCliReport } from './local/cli-report';
import { requestClientCredentialsToken } from './local/token-request';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Starts everything, prints what a client needs, and stops everything on SIGINT / SIGTERM (exit 0). */
async function runStart(command: StartCommand): Promise<void> {
  let stopRequested = false;
  let stopNow: (() => void) | undefined;
  const onSignal = () => {
    // A second signal while stopping: give up waiting.
    if (stopRequested) process.exit(130);
    stopRequested = true;
    stopNow?.();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);

  const azure = await startEmulator(command.options);
  const stop = async () => {
    await azure.stop();
    process.stderr.write('authx-emulator: stopped\n');
    process.exit(0);
  };
  try {
    const token = await azure.issueAccessToken();
    const report = buildCliReport(azure, token);
    process.stdout.write(command.json ? `${JSON.stringify(report)}\n` : formatCliReport(report));
  } catch (error) {
    await azure.stop();
    throw error;
  }
  if (stopRequested) await stop();
  stopNow = () => void stop();
}

/** Starts another cloud's cache (AWS or Google), prints what a client needs, runs until a signal. */
async function runCloud(command: CloudCommand): Promise<void> {
  let stopRequested = false;
  let stopNow: (() => void) | undefined;
  const onSignal = () => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    stopNow?.();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  const cloud = await startCloudProfile(command.options);
  const stop = async () => {
    await cloud.stop();
    process.stderr.write('authx-emulator: stopped\n');
    process.exit(0);
  };
  process.stdout.write(command.json ? `${JSON.stringify(cloud.report)}\n` : formatCloudReport(cloud.report));
  if (stopRequested) await stop();
  stopNow = () => void stop();
}

/** Gets a token from a running emulator and prints it (only the token, for `$(…)`), or JSON. */
async function runToken(command: TokenCommand): Promise<void> {
  const token = await requestClientCredentialsToken({
    authority: command.authority,
    caPem: readFileSync(command.caPath, 'utf8'),
    clientId: command.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: command.clientSecret ?? DEFAULT_CLIENT_SECRET,
    scope: command.scope ?? 'https://redis.azure.com/.default',
  });
  process.stdout.write(command.json ? `${JSON.stringify(token)}\n` : `${token.accessToken}\n`);
}

async function main(argv: readonly string[]): Promise<void> {
  try {
    const command = parseCliArgs(argv);
    if (command.command === 'help') process.stdout.write(`${USAGE}\n`);
    else if (command.command === 'token') await runToken(command);
    else if (command.command === 'cloud') await runCloud(command);
    else await runStart(command);
  } catch (error) {
    const { message, exitCode } = describeCliFailure(error);
    process.stderr.write(`authx-emulator: ${message}\n`);
    process.exit(exitCode);
  }
}

void main(process.argv.slice(2));
