/**
 * Drop a client's connection from under it, as a network failure would: its socket closes,
 * the server closes the connection's envs, and the client reconnects on its next request.
 * Deterministic, unlike waiting for a short idle timeout (which a busy machine can trigger
 * at any other moment of a test too).
 */
import type { FactRecallClient } from '../../protocol/client/client.ts';
import { until } from './servers.ts';

export async function dropConnection(client: FactRecallClient): Promise<void> {
  const generation = client.generation;
  // The wire is private: tests reach it here only, to end the connection without closing the client.
  (client as unknown as { wire?: { close(): void } }).wire?.close();
  await until(() => !client.isCurrent(generation), 5_000);
}
