export { DOCTOR_USAGE, type ParsedDoctorArgs, parseDoctorArgs } from './doctor-args';
export { formatJson, formatStep, formatSummary } from './format-report';
export { type RunDoctorOptions, runDoctor } from './run-doctor';
export { type RefreshPlan, refreshPlan } from './step-ping';
export type { DoctorFlow, DoctorInput, DoctorReport, InputSource, StepId, StepResult } from './types';
