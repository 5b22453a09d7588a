/** Closes a client (or cluster) that may never have connected, or may have given up reconnecting. */
export async function closeClient(client: {
  isOpen: boolean;
  close(): Promise<unknown>;
  destroy(): unknown;
}): Promise<void> {
  if (!client.isOpen) return;
  try {
    await client.close();
  } catch {
    if (client.isOpen) client.destroy();
  }
}
