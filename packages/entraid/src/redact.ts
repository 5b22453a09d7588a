const JWT_PATTERN = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const PEM_PATTERN = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g;
const MIN_SECRET_CHARS = 4;

/** Removes the given secrets, anything JWT-shaped and PEM blocks from a text (log line, error message). */
export type Redactor = (text: string) => string;

export function createRedactor(secrets: ReadonlyArray<string | undefined>): Redactor {
  const known = secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_CHARS);
  return (text) => {
    let out = text.replace(PEM_PATTERN, '[redacted PEM]').replace(JWT_PATTERN, '[redacted token]');
    for (const secret of known) out = out.split(secret).join('[redacted]');
    return out;
  };
}
