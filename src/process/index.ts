// Public API of process/ (re-exported from src/index.ts). See docs/processes.md.

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
export type { Clock, TimerHandle } from './clock.ts'
export { getClock, realClock, setClock, TestClock } from './clock.ts'
export type { Logger, LogMeta } from './logger.ts'
export { consoleLogger, getLogger, setLogger } from './logger.ts'
export { nodeName, Pid, Ref, setNodeName } from './pid.ts'
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
export { cancelTimer, sendAfter, TimerRef } from './timers.ts'
