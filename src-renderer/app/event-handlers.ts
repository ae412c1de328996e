/** Every feature's event → query-cache handlers, for the one event socket. */
import type { EventHandlers } from '../api/event-socket.js';
import { fileEventHandlers } from '../features/files/queries.js';
import { agentEventHandlers } from '../features/agents/queries.js';
import { appEventHandlers } from '../features/apps/queries.js';
import { gitEventHandlers } from '../features/git/queries.js';
import { systemEventHandlers } from '../features/system/queries.js';
import { workspaceEventHandlers } from '../features/workspaces/queries.js';

export const eventHandlers: EventHandlers[] = [systemEventHandlers, workspaceEventHandlers, fileEventHandlers, gitEventHandlers, appEventHandlers, agentEventHandlers];
