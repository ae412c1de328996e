/**
 * A small scripted server speaking the Anthropic Messages API (streamed SSE), for driving the real
 * Claude Code CLI in tests without an LLM. The reply is chosen from the last user message:
 *   - a `tool_result` block → a text reply "tool said: <result>" (ends the turn)
 *   - "WRITE <abs path> <content…>" → a tool_use of Write {file_path, content}
 *   - "BASH <command>" → a tool_use of Bash {command}
 *   - "SLOW <n>" → n text chunks 300 ms apart (for interrupts)
 *   - anything else → "echo: <prompt>"
 * Every request body is recorded in `requests`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Block = { type: 'text'; text: string; delayMs?: number; chunks?: number } | { type: 'tool_use'; name: string; input: Record<string, unknown> };

interface MessagesBody {
  model?: string;
  stream?: boolean;
  messages?: Array<{ role: string; content: string | Array<Record<string, unknown>> }>;
}

export interface FakeAnthropic {
  url: string;
  requests: MessagesBody[];
  close(): Promise<void>;
}

function lastUserContent(body: MessagesBody): Array<Record<string, unknown>> {
  const users = (body.messages ?? []).filter((m) => m.role === 'user');
  const last = users[users.length - 1];
  if (!last) return [];
  return typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content;
}

function textOf(blocks: Array<Record<string, unknown>>): string {
  // Claude Code prepends <system-reminder> blocks; the prompt is the last plain text block.
  const texts = blocks.filter((b) => b.type === 'text' && typeof b.text === 'string' && !(b.text as string).startsWith('<system-reminder>'));
  return String(texts[texts.length - 1]?.text ?? '').trim();
}

export function scriptReply(body: MessagesBody): Block[] {
  const content = lastUserContent(body);
  const toolResult = content.find((b) => b.type === 'tool_result');
  if (toolResult) {
    const c = toolResult.content;
    const text = typeof c === 'string' ? c : Array.isArray(c) ? c.map((x: { text?: string }) => x.text ?? '').join('') : '';
    return [{ type: 'text', text: `tool said: ${text.slice(0, 200)}${toolResult.is_error ? ' (error)' : ''}` }];
  }
  const prompt = textOf(content);
  let m = /^WRITE (\S+) ([\s\S]*)$/.exec(prompt);
  if (m) return [{ type: 'text', text: 'Writing the file.' }, { type: 'tool_use', name: 'Write', input: { file_path: m[1], content: m[2] } }];
  m = /^BASH ([\s\S]+)$/.exec(prompt);
  if (m) return [{ type: 'tool_use', name: 'Bash', input: { command: m[1], description: 'run a command' } }];
  m = /^SLOW (\d+)/.exec(prompt);
  if (m) return [{ type: 'text', text: 'tick ', chunks: Number(m[1]), delayMs: 300 }];
  return [{ type: 'text', text: `echo: ${prompt}` }];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function streamReply(res: ServerResponse, model: string, blocks: Block[]): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const id = `msg_${Math.random().toString(36).slice(2)}`;
  send('message_start', {
    type: 'message_start',
    message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } },
  });
  let index = 0;
  let stop = 'end_turn';
  for (const block of blocks) {
    if (block.type === 'text') {
      send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      const n = block.chunks ?? 1;
      for (let i = 0; i < n; i += 1) {
        if (res.destroyed) return;
        send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } });
        if (block.delayMs) await sleep(block.delayMs);
      }
    } else {
      stop = 'tool_use';
      send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: `toolu_${Math.random().toString(36).slice(2)}`, name: block.name, input: {} } });
      send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } });
    }
    send('content_block_stop', { type: 'content_block_stop', index });
    index += 1;
  }
  send('message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 20 } });
  send('message_stop', { type: 'message_stop' });
  res.end();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startFakeAnthropic(): Promise<FakeAnthropic> {
  const requests: MessagesBody[] = [];
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const raw = await readBody(req);
    if (req.method === 'POST' && url.pathname === '/v1/messages/count_tokens') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ input_tokens: 10 }));
      return;
    }
    if (req.method !== 'POST' || url.pathname !== '/v1/messages') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'not found' } }));
      return;
    }
    let body: MessagesBody = {};
    try {
      body = JSON.parse(raw) as MessagesBody;
    } catch {
      // fall through with an empty body
    }
    requests.push(body);
    const blocks = scriptReply(body);
    const model = body.model ?? 'claude-test';
    if (body.stream) {
      await streamReply(res, model, blocks);
      return;
    }
    const content = blocks.map((b) => (b.type === 'text' ? { type: 'text', text: b.text.repeat(b.chunks ?? 1) } : { type: 'tool_use', id: 'toolu_x', name: b.name, input: b.input }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({ id: 'msg_x', type: 'message', role: 'assistant', model, content, stop_reason: blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn', stop_sequence: null, usage: { input_tokens: 12, output_tokens: 20 } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
