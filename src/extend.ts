/**
 * `cinder/extend`: everything public beyond the application API of the
 * package root, for authors of PubSub adapters, transports, serializers,
 * trackers and other integrations, and for the less common options and
 * result types. The root (`cinder`) re-exports the everyday subset; what is
 * in neither is internal and may change without notice.
 */
export * from './channel/index.ts'
export * from './cluster/index.ts'
export * from './dashboard/index.ts'
export * from './endpoint/index.ts'
export { CinderError, describe, ERROR_CODES, type ErrorCode } from './errors.ts'
export * from './http/index.ts'
export * from './live/index.ts'
export * from './metrics/index.ts'
export * from './presence/index.ts'
export * from './process/index.ts'
export * from './pubsub/index.ts'
export * from './socket/index.ts'
export * from './table/index.ts'
export * as telemetry from './telemetry/index.ts'
export * from './token/index.ts'
export * from './wire/index.ts'
