import { MANAGED_IDENTITY_ENV_VARS } from '@authx/emulator';

/**
 * Sets environment variables for this test file (clearing every managed-identity selector first)
 * and returns a function restoring the previous values: jest reuses worker processes across files.
 */
export function setTestEnv(
  vars: Record<string, string>,
  clear: readonly string[] = MANAGED_IDENTITY_ENV_VARS,
): () => void {
  const names = [...new Set([...clear, ...Object.keys(vars)])];
  const saved = new Map(names.map((name) => [name, process.env[name]]));
  for (const name of clear) delete process.env[name];
  Object.assign(process.env, vars);
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
