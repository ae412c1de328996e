/** Extra settings sections (hooks, MCP servers), added when their routes exist. */
import type { ComponentType } from 'react';
import type { Workspace } from '../../../src-runtime/contract/workspaces.js';

export interface SettingsSection {
  key: string;
  label: string;
  Component: ComponentType<{ workspace: Workspace | undefined }>;
}

export const settingsSections: SettingsSection[] = [];
