/** Settings: the runtime configuration, and (when the runtime has them) hooks and MCP servers. */
import { useState } from 'react';
import type { Workspace } from '../../../src-runtime/contract/workspaces.js';
import { Tabs } from '../../ui/tabs.js';
import { RuntimeConfigForm } from './runtime-config-form.js';
import { settingsSections } from './sections.js';

export default function SettingsView({ workspace }: { workspace: Workspace | undefined }) {
  const items = [{ key: 'runtime', label: 'Runtime' }, ...settingsSections.map((s) => ({ key: s.key, label: s.label }))];
  const [tab, setTab] = useState('runtime');
  const section = settingsSections.find((s) => s.key === tab);
  return (
    <div className="panel">
      <Tabs items={items} value={tab} onChange={setTab} label="Settings sections" />
      <div className="content section">
        {tab === 'runtime' && <RuntimeConfigForm />}
        {section && <section.Component workspace={workspace} />}
      </div>
    </div>
  );
}
