import { describe, expect, it } from 'vitest';
import { hooksSchema, mcpConfigSchema } from '../../../src-runtime/contract/agents.js';
import { hooksToRows, mcpToRows, rowsToHooks, rowsToMcp } from './agent-settings-forms.js';

describe('settings forms ⇄ Claude Code JSON', () => {
  it('round-trips hooks, grouping commands by event and matcher', () => {
    const hooks = {
      PostToolUse: [{ matcher: 'Write|Edit', hooks: [{ type: 'command' as const, command: 'prettier -w', timeout: 30 }, { type: 'command' as const, command: 'eslint --fix' }] }],
      Stop: [{ hooks: [{ type: 'command' as const, command: 'notify-send done' }] }],
    };
    const rows = hooksToRows(hooks);
    expect(rows).toHaveLength(3);
    const back = rowsToHooks(rows);
    expect(back).toEqual(hooks);
    expect(hooksSchema.safeParse(back).success).toBe(true);
  });

  it('round-trips MCP servers and keeps fields the form does not show', () => {
    const mcp = {
      mcpServers: {
        fs: { type: 'stdio' as const, command: 'npx', args: ['-y', 'server-fs'], env: { ROOT: '/w' } },
        remote: { type: 'http' as const, url: 'https://mcp.example.com', headers: { Authorization: 'Bearer x' } },
      },
    };
    const back = rowsToMcp(mcpToRows(mcp), mcp);
    expect(back).toEqual(mcp);
    expect(mcpConfigSchema.safeParse(back).success).toBe(true);
  });
});
