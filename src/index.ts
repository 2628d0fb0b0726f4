/**
 * Cinder's public API. Applications import from the package root only;
 * everything not re-exported here is internal.
 */

/** Channels. */
export * from './channel/index.ts'
/** The Endpoint: HTTP server, sockets, PubSub and supervision tree in one. */
export * from './endpoint/index.ts'
/** Errors with stable codes (`CINDER_ERR_*`). */
export * from './errors.ts'
/** HTTP: Conn, plugs, Router, controllers. */
export * from './http/index.ts'
/** LiveView. */
export * from './live/index.ts'
/** Presence on a replicated delta-CRDT Tracker. */
export * from './presence/index.ts'
/** Processes, supervisors, registries, timers and the clock. */
export * from './process/index.ts'
/** PubSub and its adapters (local, redis, nats). */
export * from './pubsub/index.ts'
/** Sockets, serializers and transports. */
export * from './socket/index.ts'
/** The ETS-like in-memory Table. */
export * from './table/index.ts'
/** Signed and encrypted tokens, byte-compatible with Phoenix.Token. */
export * from './token/index.ts'
/** The wire protocol: messages, serializers, the connection interface. */
export * from './wire/index.ts'
