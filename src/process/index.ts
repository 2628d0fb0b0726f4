// Public API of process/ (re-exported from src/index.ts). See docs/processes.md.

export type { Logger, LogMeta } from '../logger.ts'
export { consoleLogger, getLogger, setLogger } from '../logger.ts'
export type { Application, ApplicationOptions } from './application.ts'
export { runApplication } from './application.ts'
export type {
  Behaviour,
  CallOutcome,
  CastOutcome,
  DownMessage,
  ExitMessage,
  ExitReason,
  From,
  InitContext,
  MaybePromise,
  NoReply,
  Reply,
  Stop,
} from './behaviour.ts'
export { isNormalExit, noreply, reply, stop } from './behaviour.ts'
export type { ChildSpec, ChildType, RestartType, Shutdown, WorkerOptions } from './child-spec.ts'
export { childSpec } from './child-spec.ts'
export type { Clock, TimerHandle } from './clock.ts'
export { getClock, realClock, setClock, TestClock } from './clock.ts'
export type { DynamicSupervisorOptions } from './dynamic-supervisor.ts'
export { startDynamicSupervisor } from './dynamic-supervisor.ts'
export { type ProcessInfo, processes, processInfo } from './introspect.ts'
export { nodeName, Pid, Ref, setNodeName } from './pid.ts'
export type { ExitHook, ExitListener } from './proc.ts'
export type { ProcessTarget, SpawnOptions } from './process.ts'
export {
  call,
  cast,
  currentPid,
  demonitor,
  exit,
  isAlive,
  link,
  monitor,
  onExit,
  processCount,
  register,
  registeredNames,
  replyTo,
  self,
  send,
  spawn,
  stopProcess,
  trapExits,
  unlink,
  unregister,
  whereis,
} from './process.ts'
export type { RegistryEntry, RegistryKeys, RegistryOptions } from './registry.ts'
export { Registry } from './registry.ts'
export type {
  ChildCounts,
  ChildInfo,
  IntensityOptions,
  Strategy,
  SupervisorOptions,
} from './supervisor.ts'
export {
  countChildren,
  deleteChild,
  MAX_RESTART_INTENSITY,
  restartChild,
  startChild,
  startSupervisor,
  supervisorSpec,
  terminateChild,
  whichChildren,
} from './supervisor.ts'
export { cancelTimer, sendAfter, TimerRef } from './timers.ts'
