/**
 * Where the process registry keeps its group records: the `processes` section of the store. Older
 * runtimes kept them in the apps section (`apps.groups`); those are moved over on first read, so
 * a runtime killed before an upgrade still has its groups ended by the upgraded one.
 */
import type { GroupRecord, GroupRecordStore } from '../platform/process-records.js';
import type { Store } from './db.js';

interface ProcessesSection {
  groups: GroupRecord[];
}

export function groupRecordStore(store: Store): GroupRecordStore {
  const section = store.section<ProcessesSection>('processes', () => ({ groups: [] }));
  section.groups ??= [];
  const legacy = store.data.sections.apps as { groups?: GroupRecord[] } | undefined;
  if (legacy?.groups?.length) {
    section.groups.push(...legacy.groups.filter((g) => !section.groups.some((s) => s.pid === g.pid)));
    legacy.groups = [];
    store.touch();
  }
  return {
    read: () => section.groups,
    write: (groups) => {
      section.groups = groups;
      store.touch();
    },
  };
}
