/** `1234567` → `1,234,567`; NaN and undefined → `–`. */
export function integer(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return Math.round(value).toLocaleString('en-US');
}

export function fixed(value: number | undefined, digits: number): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value.toFixed(digits);
}

export function kib(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '–';
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

export function ms(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return `${Math.round(value)} ms`;
}
