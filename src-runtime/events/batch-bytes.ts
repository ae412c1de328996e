/**
 * Encoding a pump's batch once for every client of the tick. A publish fans out synchronously and
 * the pumps of one stream flush the same messages one after the other: the first write encodes
 * them, the others get the same bytes. (A string written to a socket is encoded into a fresh
 * buffer per socket: twenty clients, twenty copies of every batch.)
 */

interface Encoded<T> {
  messages: string[];
  bytes: T;
}

const sameMessages = (a: string[], b: string[]) => a.length === b.length && a.every((m, i) => m === b[i]);

let joined: Encoded<Buffer> | undefined;
let each: Encoded<Buffer[]> | undefined;

/** The batch as one buffer (an SSE chunk). */
export function joinedBytes(messages: string[]): Buffer {
  if (joined && sameMessages(joined.messages, messages)) return joined.bytes;
  const bytes = Buffer.from(messages.length === 1 ? messages[0]! : messages.join(''), 'utf8');
  joined = { messages, bytes };
  return bytes;
}

/** Each message of the batch as its own buffer (one WebSocket frame each). */
export function eachBytes(messages: string[]): Buffer[] {
  if (each && sameMessages(each.messages, messages)) return each.bytes;
  const bytes = messages.map((m) => Buffer.from(m, 'utf8'));
  each = { messages, bytes };
  return bytes;
}
