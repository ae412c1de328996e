/**
 * Every event type of the wire, collected from the features' contracts into one list (the
 * features define their events next to their routes). The OpenAPI document publishes it under
 * `x-events`, and a test checks that the runtime publishes no type missing from it.
 */
import { agentEvents, sessionStatusEvent } from './agents.js';
import { appsEvents } from './apps.js';
import { foundationEvents, type EventDef } from './events.js';
import { filesEvents } from './files.js';
import { gitEvents } from './git.js';

export const eventCatalog: EventDef[] = [...foundationEvents, ...filesEvents, ...gitEvents, ...appsEvents, sessionStatusEvent, ...agentEvents];

export const knownEventTypes: ReadonlySet<string> = new Set(eventCatalog.map((e) => e.type));
