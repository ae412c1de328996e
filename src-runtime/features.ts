/**
 * The features the runtime is composed of, in start order. Each one is a RuntimeFeature
 * (src-runtime/feature.ts) living in its own folder.
 */
import type { RuntimeFeature } from './feature.js';
import { filesFeature } from './files/feature.js';
import { versionControlFeature } from './git/feature.js';
import { appsFeature } from './apps/feature.js';
import { agentsFeature } from './agents/feature.js';

export const features: RuntimeFeature[] = [];
features.push(filesFeature);
features.push(versionControlFeature);
features.push(appsFeature);
features.push(agentsFeature);
