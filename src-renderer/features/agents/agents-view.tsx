/**
 * The Agents view: pick an agent (unavailable ones say why), start and stop sessions, and chat.
 * The chat follows the session's SSE stream (replayed from the start, then live, resumed with
 * Last-Event-ID): text streams in, tool calls are collapsible steps with input and output,
 * permission prompts offer allow once / always / reject, the queue shows waiting messages with
 * guide and remove, and the active run can be cancelled or interrupted. Usage and cost at the top.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useReducer, useRef, useState } from 'react';
import { agentsApi, type Session } from '../../../src-runtime/contract/agents.js';
import { subscribeSse } from '../../../src-runtime/client/index.js';
import { api, currentConnection } from '../../api/client.js';
import type { WorkspaceViewProps } from '../../app/views.js';
import { EmptyState, ErrorState, Spinner } from '../../ui/states.js';
import { useToasts } from '../../ui/toasts.js';
import { emptyChat, reduceChat, type ChatItem, type ChatState } from './chat-model.js';
import { agentCatalogQuery, queueQuery, sessionsQuery, useAnswerPermission, useCreateSession, useRunAction, useSendMessage, useStopSession } from './queries.js';

export default function AgentsView({ workspace }: WorkspaceViewProps) {
  const ws = workspace.id;
  const catalog = useQuery(agentCatalogQuery(ws));
  const sessions = useQuery(sessionsQuery(ws));
  const create = useCreateSession(ws);
  const stop = useStopSession(ws);
  const toasts = useToasts();
  const [agent, setAgent] = useState<string>('');
  const [selected, setSelected] = useState<string | undefined>();
  const available = catalog.data?.agents.filter((a) => a.available) ?? [];
  useEffect(() => {
    if (!agent && available[0]) setAgent(available[0].name);
  }, [agent, available]);
  useEffect(() => {
    if (!selected && sessions.data?.sessions[0]) setSelected(sessions.data.sessions[0].id);
  }, [selected, sessions.data]);
  const session = sessions.data?.sessions.find((s) => s.id === selected);

  return (
    <div className="split" style={{ gridTemplateColumns: 'minmax(240px, 300px) 1fr' }}>
      <aside className="sidebar" aria-label="Agent sessions">
        <div className="commit-box">
          {!workspace.trusted && <p className="pill pill-warn">Trust the workspace to start agent sessions.</p>}
          <label htmlFor="agent-picker" style={{ fontWeight: 600, fontSize: 12 }}>
            Agent
          </label>
          {catalog.isPending && <Spinner label="Detecting agents" />}
          {catalog.error && <ErrorState error={catalog.error} title="Cannot list agents" />}
          {catalog.data && (
            <>
              <select id="agent-picker" className="select" value={agent} onChange={(e) => setAgent(e.target.value)}>
                {catalog.data.agents.map((a) => (
                  <option key={a.name} value={a.name} disabled={!a.available}>
                    {a.name}
                    {a.version ? ` ${a.version}` : ''}
                    {a.available ? '' : ` — unavailable: ${a.unavailable_reason ?? 'unknown reason'}`}
                  </option>
                ))}
              </select>
              {catalog.data.agents.some((a) => !a.available) && (
                <details>
                  <summary className="muted" style={{ fontSize: 12 }}>
                    Why some agents are unavailable
                  </summary>
                  <ul style={{ fontSize: 12, paddingLeft: 16 }}>
                    {catalog.data.agents
                      .filter((a) => !a.available)
                      .map((a) => (
                        <li key={a.name}>
                          <strong>{a.name}</strong>: {a.unavailable_reason}
                        </li>
                      ))}
                  </ul>
                </details>
              )}
            </>
          )}
          <button
            type="button"
            className="button button-primary"
            disabled={!agent || create.isPending || !workspace.trusted}
            onClick={() =>
              create.mutate(agent, {
                onSuccess: ({ session: s }) => setSelected(s.id),
                onError: (e) => toasts.error('Could not start a session', e),
              })
            }
          >
            {create.isPending ? 'Starting…' : 'New session'}
          </button>
        </div>
        <ul className="list content" aria-label="Sessions">
          {sessions.data?.sessions.length === 0 && <li className="muted section">No sessions yet.</li>}
          {sessions.data?.sessions.map((s) => (
            <li key={s.id}>
              <button type="button" className={s.id === selected ? 'list-item selected' : 'list-item'} aria-current={s.id === selected ? 'true' : undefined} onClick={() => setSelected(s.id)}>
                <span className="grow">
                  {s.agent_name} <span className="muted mono">{s.id.slice(-6)}</span>
                </span>
                <SessionState session={s} />
              </button>
            </li>
          ))}
        </ul>
      </aside>
      {session ? (
        <ChatPanel key={session.id} session={session} onStop={() => stop.mutate(session.id, { onError: (e) => toasts.error('Could not stop the session', e) })} />
      ) : (
        <EmptyState title="No session selected">Pick an agent and start a session to chat with it in this workspace.</EmptyState>
      )}
    </div>
  );
}

function SessionState({ session }: { session: Session }) {
  const cls = session.state === 'failed' ? 'pill pill-danger' : session.state === 'running' || session.state === 'starting' ? 'pill pill-warn' : session.state === 'idle' ? 'pill pill-ok' : 'pill';
  return (
    <span className={cls} data-testid="session-state">
      {session.state}
    </span>
  );
}

function useSessionChat(sessionId: string): ChatState {
  const [state, dispatch] = useReducer(reduceChat, emptyChat);
  useEffect(() => {
    const sub = subscribeSse({
      url: api().url(agentsApi.events, { params: { id: sessionId } }),
      token: currentConnection().token,
      onEvent: (e) => dispatch(e),
      onEnd: () => true,
    });
    return () => sub.close();
  }, [sessionId]);
  return state;
}

function ChatPanel({ session, onStop }: { session: Session; onStop: () => void }) {
  const chat = useSessionChat(session.id);
  const queue = useQuery(queueQuery(session.id));
  const send = useSendMessage(session.id);
  const runAction = useRunAction(session.id);
  const toasts = useToasts();
  const [text, setText] = useState('');
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    if (stick.current && scroller.current) scroller.current.scrollTop = scroller.current.scrollHeight;
  }, [chat.items]);
  const active = chat.activeRunId ?? session.active_run_id;
  const stopped = session.state === 'stopped' || session.state === 'failed';

  const submit = (interrupt = false) => {
    const content = text.trim();
    if (!content) return;
    // Clear at once: text typed while the request is under way is the next message, and clearing
    // on success would wipe it. A failed send puts the message back unless something new was typed.
    setText('');
    send.mutate(
      { content, interrupt },
      {
        onError: (e) => {
          setText((current) => current || content);
          toasts.error('Could not send the message', e);
        },
      },
    );
  };
  const act = (runId: string, action: 'cancel' | 'guide' | 'dequeue') => runAction.mutate({ runId, action }, { onError: (e) => toasts.error(`Could not ${action}`, e) });

  return (
    <section className="panel" aria-label={`Chat with ${session.agent_name}`}>
      <div className="editor-toolbar">
        <span style={{ flex: 1 }}>
          <strong>{session.agent_name}</strong> · <SessionState session={session} />
          {session.activity.current_tool && <span> · running {session.activity.current_tool}</span>}
          {session.failure && <span className="invalid"> · {session.failure.summary}</span>}
        </span>
        <span data-testid="usage" title="Tokens and cost reported by the agent in this session">
          {chat.usage.input_tokens !== undefined ? `${chat.usage.input_tokens.toLocaleString()} in · ${(chat.usage.output_tokens ?? 0).toLocaleString()} out` : 'no usage yet'}
          {chat.usage.cost_usd ? ` · $${chat.usage.cost_usd.toFixed(4)}` : ''}
        </span>
        {active && (
          <button type="button" className="button button-small button-danger" onClick={() => act(active, 'cancel')}>
            Cancel run
          </button>
        )}
        {!stopped && (
          <button type="button" className="button button-small" onClick={onStop}>
            Stop session
          </button>
        )}
      </div>
      <div
        className="chat"
        ref={scroller}
        role="log"
        aria-label="Conversation"
        aria-live="polite"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {chat.items.length === 0 && <p className="muted">Say what you want done in this workspace.</p>}
        {chat.items.map((item) => (
          <ChatEntry key={item.key} item={item} />
        ))}
        {active && chat.runStatus[active] === 'running' && <Spinner label="Working" />}
      </div>
      {queue.data && queue.data.runs.length > 0 && (
        <div className="queue" aria-label="Queued messages">
          <strong>Queued ({queue.data.runs.length})</strong>
          <ul className="list">
            {queue.data.runs.map((r) => (
              <li key={r.id} className="row" style={{ padding: '2px 0' }}>
                <span className="grow" style={{ flex: 1, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                  {r.prompt}
                </span>
                <button type="button" className="button button-small" title="Steer the running turn with it, or run it next" onClick={() => act(r.id, 'guide')}>
                  Guide
                </button>
                <button type="button" className="button button-small" onClick={() => act(r.id, 'dequeue')}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <form
        className="composer"
        onSubmit={(e) => {
          e.preventDefault();
          submit(false);
        }}
      >
        <label htmlFor="chat-input" className="sr-only">
          Message
        </label>
        <textarea
          id="chat-input"
          className="textarea"
          rows={3}
          disabled={stopped}
          placeholder={stopped ? 'The session has ended; start a new one.' : 'Message the agent (Ctrl+Enter to send)'}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              submit(false);
            }
          }}
        />
        <div className="row">
          <span className="muted" style={{ flex: 1, fontSize: 12 }}>
            {active ? 'A run is active: Send queues the message; Interrupt cancels the run first.' : ''}
          </span>
          {active && (
            <button type="button" className="button" disabled={!text.trim() || send.isPending} onClick={() => submit(true)}>
              Interrupt & send
            </button>
          )}
          <button type="submit" className="button button-primary" disabled={!text.trim() || send.isPending || stopped}>
            {active ? 'Queue' : 'Send'}
          </button>
        </div>
      </form>
    </section>
  );
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2);
}

function ChatEntry({ item }: { item: ChatItem }) {
  switch (item.kind) {
    case 'user':
      return <div className="msg msg-user">{item.text}</div>;
    case 'text':
      return (
        <div className="msg msg-agent" data-testid="agent-text">
          {item.text}
        </div>
      );
    case 'thinking':
      return (
        <details className="step">
          <summary className="muted">Thinking</summary>
          <pre>{item.text}</pre>
        </details>
      );
    case 'tool': {
      const input = item.input as Record<string, unknown> | undefined;
      const summary = input && typeof input === 'object' ? String(input.file_path ?? input.command ?? input.path ?? input.pattern ?? '') : '';
      return (
        <details className="step" data-testid="tool-step">
          <summary>
            <span className="mono">{item.tool}</span>
            <span className="muted mono" style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', flex: 1 }}>
              {summary}
            </span>
            <span className={item.status === 'failed' || item.status === 'error' ? 'pill pill-danger' : item.output !== undefined ? 'pill pill-ok' : 'pill pill-warn'}>
              {item.status ?? (item.output !== undefined ? 'done' : 'running')}
            </span>
          </summary>
          <FileChange input={input} />
          <pre aria-label="Tool input">{show(item.input)}</pre>
          {item.output !== undefined && <pre aria-label="Tool output">{show(item.output)}</pre>}
        </details>
      );
    }
    case 'permission':
      return <PermissionPrompt item={item} />;
    case 'error':
      return (
        <p className="invalid" role="alert">
          {item.text}
        </p>
      );
    case 'end':
      return (
        <p className="muted" style={{ fontSize: 12 }}>
          Run {item.status}
          {item.stopReason ? ` (${item.stopReason})` : ''}
        </p>
      );
  }
}

/** What a file-editing tool call changes (Edit: old → new text; Write: the new content), as diff lines. */
function FileChange({ input }: { input: Record<string, unknown> | undefined }) {
  if (!input || typeof input !== 'object' || typeof input.file_path !== 'string') return null;
  const removed = typeof input.old_string === 'string' ? input.old_string.split('\n') : [];
  const added = typeof input.new_string === 'string' ? input.new_string.split('\n') : typeof input.content === 'string' ? input.content.split('\n') : [];
  if (removed.length === 0 && added.length === 0) return null;
  const shown = (lines: string[]) => lines.slice(0, 200);
  return (
    <div className="diff-host" aria-label={`Changes to ${input.file_path}`} style={{ maxHeight: 260, borderTop: '1px solid var(--border)' }}>
      <div className="diff-file-header">{input.file_path}</div>
      {shown(removed).map((l, i) => (
        <div key={`d${i}`} className="diff-code diff-code-delete">
          - {l}
        </div>
      ))}
      {shown(added).map((l, i) => (
        <div key={`a${i}`} className="diff-code diff-code-insert">
          + {l}
        </div>
      ))}
    </div>
  );
}

const OPTION_LABEL = { allow_once: 'Allow once', allow_always: 'Always allow', reject_once: 'Reject', reject_always: 'Always reject' } as const;

function PermissionPrompt({ item }: { item: Extract<ChatItem, { kind: 'permission' }> }) {
  const answer = useAnswerPermission();
  const toasts = useToasts();
  const chosen = item.options.find((o) => o.option_id === item.optionId);
  return (
    <div className="permission" role="group" aria-label={`Permission request for ${item.tool}`} data-testid="permission-prompt">
      <div>
        The agent wants to use <strong className="mono">{item.tool}</strong>
      </div>
      <pre className="json-view" style={{ margin: '6px 0' }}>
        {show(item.input)}
      </pre>
      {item.outcome ? (
        <p className="muted" data-testid="permission-outcome">
          {item.outcome === 'resolved' ? `Answered: ${chosen ? (OPTION_LABEL[chosen.kind] ?? chosen.name) : item.optionId}` : item.outcome.replace('_', ' ')}
        </p>
      ) : (
        <div className="row">
          {item.options.map((o) => (
            <button
              key={o.option_id}
              type="button"
              className={o.kind.startsWith('allow') ? 'button button-primary button-small' : 'button button-small'}
              disabled={answer.isPending}
              onClick={() => answer.mutate({ runId: item.runId, requestId: item.requestId, optionId: o.option_id }, { onError: (e) => toasts.error('Could not answer', e) })}
            >
              {OPTION_LABEL[o.kind] ?? o.name}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
