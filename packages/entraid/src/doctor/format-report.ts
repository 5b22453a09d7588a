import type { DoctorReport, StepResult } from './types';

const MARKS = { pass: '✓', fail: '✗', skipped: '–' } as const;

/** One step as text: `✓ title: detail`, and on failure `    cause: …` / `    fix: …` lines. */
export function formatStep(step: StepResult): string {
  const lines = [`${MARKS[step.status]} ${step.title}: ${step.detail}`];
  if (step.status === 'fail') {
    if (step.cause) lines.push(`    cause: ${step.cause}`);
    if (step.fix) lines.push(`    fix:   ${step.fix}`);
    if (step.code) lines.push(`    code:  ${step.code}`);
  }
  return lines.join('\n');
}

/** The closing line. */
export function formatSummary(report: DoctorReport): string {
  const failed = report.steps.find((step) => step.status === 'fail');
  return failed
    ? `authx doctor: failed at "${failed.title}" (${failed.code})`
    : 'authx doctor: all checks passed';
}

/** The whole report as JSON (for `--json`). */
export function formatJson(report: DoctorReport): string {
  return JSON.stringify(report, null, 2);
}
