/**
 * The ACL user the connection runs as (the token's `oid`); Azure may not allow ACL WHOAMI, then
 * `identity` (e.g. `the service principal`) stands in for it.
 */
export async function whoAmI(
  client: { sendCommand(args: string[]): Promise<unknown> },
  identity: string,
): Promise<string> {
  try {
    return String(await client.sendCommand(['ACL', 'WHOAMI']));
  } catch {
    return `${identity} (ACL WHOAMI not available)`;
  }
}
