/** The settings sections besides the runtime config: hooks and MCP servers (Claude Code formats). */
import type { ComponentType } from 'react';
import type { Workspace } from '../../../src-runtime/contract/workspaces.js';
import { HooksSettings, McpSettings } from './agent-settings-forms.js';

export interface SettingsSection {
  key: string;
  label: string;
  Component: ComponentType<{ workspace: Workspace | undefined }>;
}

export const settingsSections: SettingsSection[] = [
  { key: 'hooks', label: 'Hooks', Component: HooksSettings },
  { key: 'mcp', label: 'MCP servers', Component: McpSettings },
];
