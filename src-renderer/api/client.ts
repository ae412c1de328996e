/**
 * The renderer's one RuntimeClient, plus small helpers to call routes from query functions.
 * Set once at start-up (setConnection) before the app renders.
 */
import { createClient, type RuntimeClient } from '../../src-runtime/client/index.js';
import type { Connection } from './connection.js';

let client: RuntimeClient | undefined;
let connection: Connection = { baseUrl: '', token: null };

export function setConnection(next: Connection): void {
  connection = next;
  client = createClient({ baseUrl: next.baseUrl, token: () => connection.token });
}

export function api(): RuntimeClient {
  if (!client) setConnection(connection);
  return client as RuntimeClient;
}

export function currentConnection(): Connection {
  return connection;
}
