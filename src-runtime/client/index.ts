/**
 * The runtime client's public entry: typed HTTP calls on the contract, SSE with resume, and the
 * WebSocket helpers. Used by the renderer, scripts and tests.
 */
export { ApiError } from '../contract/errors.js';
export { RuntimeClient, createClient, buildPath, buildQuery, errorFromResponse } from './http.js';
export type { CallArgs, ClientOptions, FetchLike } from './http.js';
export { subscribeSse } from './sse.js';
export type { SseOptions, SseSubscription } from './sse.js';
export { connectEventSocket, socketUrl } from './ws.js';
export type { ConnectionState, EventSocket, EventSocketOptions, WebSocketCtor, WebSocketLike } from './ws.js';
