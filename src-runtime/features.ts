/**
 * The features the runtime is composed of, in start order. Each one is a RuntimeFeature
 * (src-runtime/feature.ts) living in its own folder. Files first (version control keeps its
 * watcher alive), apps before scripts (apps reap the process groups a killed runtime left, then
 * record the new ones), agents last (they run the apps' actions). They stop in reverse order.
 */
import type { RuntimeFeature } from './feature.js';
import { filesFeature } from './files/feature.js';
import { versionControlFeature } from './git/feature.js';
import { appsFeature } from './apps/feature.js';
import { scriptsFeature } from './scripts/feature.js';
import { openspecFeature } from './openspec/feature.js';
import { settingsFeature } from './settings/feature.js';
import { agentsFeature } from './agents/feature.js';

export const features: RuntimeFeature[] = [filesFeature, versionControlFeature, appsFeature, scriptsFeature, openspecFeature, settingsFeature, agentsFeature];
