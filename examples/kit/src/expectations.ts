/** Prints `not met: <name>` for each unmet expectation; true when all are met. */
export function allMet(expectations: Record<string, boolean>): boolean {
  const unmet = Object.keys(expectations).filter((name) => !expectations[name]);
  for (const name of unmet) console.log(`not met: ${name}`);
  return unmet.length === 0;
}
