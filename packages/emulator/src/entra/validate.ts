import { invalidOption } from './emulator-error';

/** A lifetime in seconds: finite and > 0 (fractions allowed). */
export function validateLifetimeSec(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    invalidOption(option, 'a finite number of seconds > 0', value);
  }
  return value;
}

/** A TCP port: an integer 0–65535 (0 = a free port). */
export function validatePort(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    invalidOption(option, 'an integer 0–65535 (0 = a free port)', value);
  }
  return value;
}
