/**
 * Supervisor: a process (trapping exits) that starts children from specs in
 * order, restarts them by strategy within a restart intensity, and stops them
 * in reverse order.
 *
 * Children exit → the EXIT message reaches `handleInfo` → restart by strategy:
 * - `one_for_one`: only that child;
 * - `one_for_all`: stop the others (reverse order), start all again in order;
 * - `rest_for_one`: stop the children started after it, restart it and them.
 * More than `maxRestarts` restarts within `maxSeconds` and the supervisor
 * stops its children and exits with `{ shutdown: 'reached_max_restart_intensity' }`,
 * handing the problem to its own supervisor (escalation).
 * A start function that throws during a restart counts as a restart and is
 * retried through the mailbox until it works or the intensity is reached.
 */
import { CinderError, describe } from '../errors.ts'
import { getLogger } from '../logger.ts'
import { processRestart, supervisorIntensity } from '../telemetry/index.ts'
import {
  type Behaviour,
  type ExitMessage,
  isNormalExit,
  noreply,
  reply,
  stop,
} from './behaviour.ts'
import {
  type ChildSpec,
  type ChildType,
  checkChildSpec,
  type FullSpec,
  type RestartType,
} from './child-spec.ts'
import { getClock } from './clock.ts'
import { Pid } from './pid.ts'
import {
  adopt,
  call,
  formatReason,
  isAlive,
  type ProcessTarget,
  self,
  send,
  spawn,
} from './process.ts'
import { shutdownChild } from './shutdown.ts'

/** How a supervisor reacts to a child that stopped and must be restarted. */
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one'

/** Restart intensity: more than `maxRestarts` within `maxSeconds` escalates. OTP defaults: 3 in 5 s. */
export interface IntensityOptions {
  readonly maxRestarts?: number
  readonly maxSeconds?: number
}

/** Options of `startSupervisor`. */
export interface SupervisorOptions extends IntensityOptions {
  /** Default `'one_for_one'`. */
  readonly strategy?: Strategy
  /** Register the supervisor under this name. */
  readonly name?: string
  /** Link to the calling process (set by `supervisorSpec`). */
  readonly link?: boolean
}

/** One row of `whichChildren`. `pid` is undefined while the child is not running. */
export interface ChildInfo {
  readonly id: string
  readonly pid: Pid | undefined
  readonly type: ChildType
  readonly restart: RestartType
}

/** What `countChildren` reports. */
export interface ChildCounts {
  /** Child specs held (running or not). */
  readonly specs: number
  /** Children running now. */
  readonly active: number
  readonly supervisors: number
  readonly workers: number
}

/** The exit reason of a supervisor that gave up. */
export const MAX_RESTART_INTENSITY = { shutdown: 'reached_max_restart_intensity' } as const

// ---------------------------------------------------------------------------
// The request protocol shared with DynamicSupervisor

/** @internal */
export type SupervisorRequest =
  | { readonly op: 'which' }
  | { readonly op: 'count' }
  | { readonly op: 'start'; readonly spec: unknown }
  | { readonly op: 'restart'; readonly id: string }
  | { readonly op: 'terminate'; readonly child: string | Pid }
  | { readonly op: 'delete'; readonly id: string }

/** @internal Marks a request as a supervisor's (so user messages cannot be mistaken for one). */
export class Request {
  readonly body: SupervisorRequest
  constructor(body: SupervisorRequest) {
    this.body = body
  }
}

/** @internal An error carried back in a reply, thrown again by the client function. */
export class Failure {
  readonly error: CinderError
  constructor(error: CinderError) {
    this.error = error
  }
}

/** @internal A restart that failed and is retried through the mailbox. */
export class Retry {
  readonly key: string | Pid
  constructor(key: string | Pid) {
    this.key = key
  }
}

async function ask<T>(sup: ProcessTarget, body: SupervisorRequest): Promise<T> {
  const out = await call(sup, new Request(body), Number.POSITIVE_INFINITY)
  if (out instanceof Failure) throw out.error
  return out as T
}

/** Starts a child from `spec` under `sup` (added to a Supervisor's specs; any id under a DynamicSupervisor). */
export function startChild(sup: ProcessTarget, spec: ChildSpec): Promise<Pid> {
  return ask(sup, { op: 'start', spec })
}

/** Stops a child (by id under a Supervisor, by pid under either); a Supervisor keeps its spec. */
export function terminateChild(sup: ProcessTarget, child: string | Pid): Promise<void> {
  return ask(sup, { op: 'terminate', child })
}

/** Starts again a child of a Supervisor that is not running (`CINDER_ERR_CHILD_RUNNING` otherwise). */
export function restartChild(sup: ProcessTarget, id: string): Promise<Pid> {
  return ask(sup, { op: 'restart', id })
}

/** Removes the spec of a child that is not running. */
export function deleteChild(sup: ProcessTarget, id: string): Promise<void> {
  return ask(sup, { op: 'delete', id })
}

/** The children of a Supervisor or DynamicSupervisor, in start order. */
export function whichChildren(sup: ProcessTarget): Promise<ChildInfo[]> {
  return ask(sup, { op: 'which' })
}

/** Counts of the children of a Supervisor or DynamicSupervisor. */
export function countChildren(sup: ProcessTarget): Promise<ChildCounts> {
  return ask(sup, { op: 'count' })
}

// ---------------------------------------------------------------------------
// Helpers shared with DynamicSupervisor

/** @internal Restart timestamps within the period; false when the intensity is exceeded. */
export class Intensity {
  readonly #max: number
  readonly #periodMs: number
  #stamps: number[] = []

  constructor(options: IntensityOptions, where: string) {
    const { maxRestarts = 3, maxSeconds = 5 } = options
    if (!(Number.isInteger(maxRestarts) && maxRestarts >= 0) || !(maxSeconds > 0)) {
      throw new CinderError(
        'CINDER_ERR_PROCESS_BAD_ARG',
        `${where} expects maxRestarts (an integer >= 0) and maxSeconds (> 0); got ${describe({ maxRestarts, maxSeconds })}`,
      )
    }
    this.#max = maxRestarts
    this.#periodMs = maxSeconds * 1000
  }

  /** The restarts allowed within the period, and the period in seconds. */
  get limits(): { maxRestarts: number; maxSeconds: number } {
    return { maxRestarts: this.#max, maxSeconds: this.#periodMs / 1000 }
  }

  /** Records a restart now; false when that makes more than maxRestarts within the period. */
  record(): boolean {
    const now = getClock().now()
    this.#stamps = this.#stamps.filter((t) => now - t < this.#periodMs)
    this.#stamps.push(now)
    return this.#stamps.length <= this.#max
  }
}

/** @internal Runs a child's start function and checks what it gave; links the child to the current process. */
export async function startFromSpec(spec: FullSpec, label: string): Promise<Pid> {
  let pid: unknown
  try {
    pid = await spec.start()
  } catch (err) {
    throw new CinderError(
      'CINDER_ERR_START_FAILED',
      `${label}: child ${describe(spec.id)} failed to start: ${err instanceof Error ? err.message : describe(err)}`,
      { cause: err },
    )
  }
  if (!(pid instanceof Pid)) {
    throw new CinderError(
      'CINDER_ERR_BAD_RETURN',
      `${label}: the start function of child ${describe(spec.id)} must resolve to a Pid (e.g. spawn(behaviour, args, { link: true })); got ${describe(pid)}`,
    )
  }
  if (!isAlive(pid)) {
    throw new CinderError(
      'CINDER_ERR_START_FAILED',
      `${label}: child ${describe(spec.id)} (${pid}) stopped before its supervisor could link to it`,
    )
  }
  adopt(pid)
  return pid
}

/** @internal The same error for every "no such child". */
export function noChild(label: string, key: string | Pid): CinderError {
  return new CinderError(
    'CINDER_ERR_NO_CHILD',
    `${label} has no child ${typeof key === 'string' ? describe(key) : key}`,
  )
}

/** @internal Publishes `cinder:process:restart` (when anyone listens). */
export function reportRestart(
  strategy: string,
  children: readonly string[],
  reason: unknown,
): void {
  if (processRestart.hasSubscribers) {
    processRestart.publish({ supervisor: self(), strategy, children, reason })
  }
}

/** @internal Logs and publishes (`cinder:supervisor:intensity`) a supervisor giving up. */
export function reportGiveUp(label: string, intensity: Intensity): void {
  getLogger().error(
    `${label} reached its maximum restart intensity; stopping its children and exiting`,
    { reason: MAX_RESTART_INTENSITY },
  )
  if (supervisorIntensity.hasSubscribers) {
    supervisorIntensity.publish({ supervisor: self(), ...intensity.limits })
  }
}

/** @internal Logs a failed (re)start. */
export function logStartFailure(label: string, err: unknown): void {
  getLogger().error(`${label}: ${formatReason(err)}`, { reason: err })
}

// ---------------------------------------------------------------------------
// The Supervisor behaviour

interface Child {
  spec: FullSpec
  pid: Pid | undefined
}

interface SupArgs {
  readonly specs: FullSpec[]
  readonly strategy: Strategy
  readonly intensity: Intensity
}

interface SupState {
  readonly children: Child[]
  readonly strategy: Strategy
  readonly intensity: Intensity
  readonly label: string
}

function labelOf(): string {
  return `supervisor ${self()}`
}

const supervisor: Behaviour<SupState, SupArgs> = {
  name: 'supervisor',

  async init({ specs, strategy, intensity }) {
    const state: SupState = { children: [], strategy, intensity, label: labelOf() }
    for (const spec of specs) {
      const child: Child = { spec, pid: undefined }
      try {
        child.pid = await startFromSpec(spec, state.label)
      } catch (err) {
        await stopAll(state)
        throw err
      }
      state.children.push(child)
    }
    return state
  },

  async handleCall(request, _from, state) {
    if (!(request instanceof Request))
      return reply(new Failure(unknownRequest(state, request)), state)
    return reply(await answer(state, request.body), state)
  },

  async handleInfo(message, state) {
    if (message instanceof Retry) return retry(state, message.key as string)
    const exit = message as ExitMessage
    if (exit?.type !== 'EXIT') return noreply(state)
    const child = state.children.find((c) => c.pid === exit.pid)
    if (child === undefined) return noreply(state)
    child.pid = undefined
    if (child.spec.restart === 'temporary') {
      remove(state, child)
      return noreply(state)
    }
    if (child.spec.restart === 'transient' && isNormalExit(exit.reason)) return noreply(state)
    return restart(state, child, exit.reason)
  },

  async terminate(_reason, state) {
    await stopAll(state)
  },
}

function unknownRequest(state: SupState, request: unknown): CinderError {
  return new CinderError(
    'CINDER_ERR_PROCESS_BAD_ARG',
    `${state.label} only answers its own requests (startChild, whichChildren, …); got ${describe(request)}`,
  )
}

async function stopAll(state: SupState): Promise<void> {
  for (let i = state.children.length - 1; i >= 0; i--) {
    const child = state.children[i] as Child
    if (child.pid === undefined) continue
    await shutdownChild(child.pid, child.spec.shutdown, state.label)
    child.pid = undefined
  }
}

function remove(state: SupState, child: Child): void {
  const at = state.children.indexOf(child)
  if (at >= 0) state.children.splice(at, 1)
}

async function restart(state: SupState, failed: Child, reason: unknown) {
  if (!state.intensity.record()) return giveUp(state)
  const at = state.children.indexOf(failed)
  const group =
    state.strategy === 'one_for_one'
      ? [failed]
      : state.strategy === 'one_for_all'
        ? [...state.children]
        : state.children.slice(at)
  for (let i = group.length - 1; i >= 0; i--) {
    const child = group[i] as Child
    if (child === failed || child.pid === undefined) continue
    await shutdownChild(child.pid, child.spec.shutdown, state.label)
    child.pid = undefined
    if (child.spec.restart === 'temporary') remove(state, child)
  }
  const ids = group.map((c) => c.spec.id)
  getLogger().info(`${state.label}: restarting ${ids.join(', ')}`, { strategy: state.strategy })
  reportRestart(state.strategy, ids, reason)
  await startGroup(state, group)
  return noreply(state)
}

/** Starts the children of `group` that are not running, in order; on failure, retries later from there. */
async function startGroup(state: SupState, group: Child[]): Promise<void> {
  for (const child of group) {
    if (child.pid !== undefined || !state.children.includes(child)) continue
    try {
      child.pid = await startFromSpec(child.spec, state.label)
    } catch (err) {
      logStartFailure(state.label, err)
      send(self(), new Retry(child.spec.id))
      return
    }
  }
}

async function retry(state: SupState, id: string) {
  const at = state.children.findIndex((c) => c.spec.id === id)
  const child = state.children[at]
  if (child === undefined || child.pid !== undefined) return noreply(state)
  if (!state.intensity.record()) return giveUp(state)
  const group = state.strategy === 'one_for_one' ? [child] : state.children.slice(at)
  await startGroup(state, group)
  return noreply(state)
}

function giveUp(state: SupState) {
  reportGiveUp(state.label, state.intensity)
  return stop(MAX_RESTART_INTENSITY, state)
}

async function answer(state: SupState, body: SupervisorRequest): Promise<unknown> {
  switch (body.op) {
    case 'which':
      return state.children.map((c) => ({
        id: c.spec.id,
        pid: c.pid,
        type: c.spec.type,
        restart: c.spec.restart,
      }))
    case 'count':
      return countOf(state)
    case 'start':
      return await startNew(state, body.spec)
    case 'restart':
      return await restartStopped(state, body.id)
    case 'terminate':
      return await terminate(state, body.child)
    case 'delete':
      return deleteStopped(state, body.id)
  }
}

function countOf(state: SupState): ChildCounts {
  const supervisors = state.children.filter((c) => c.spec.type === 'supervisor').length
  return {
    specs: state.children.length,
    active: state.children.filter((c) => c.pid !== undefined).length,
    supervisors,
    workers: state.children.length - supervisors,
  }
}

async function startNew(state: SupState, raw: unknown): Promise<Pid | undefined | Failure> {
  let spec: FullSpec
  try {
    spec = checkChildSpec(raw, `startChild(${state.label})`)
  } catch (err) {
    return new Failure(err as CinderError)
  }
  if (state.children.some((c) => c.spec.id === spec.id)) {
    return new Failure(
      new CinderError(
        'CINDER_ERR_BAD_CHILD_SPEC',
        `startChild: ${state.label} already has a child with id ${describe(spec.id)}`,
      ),
    )
  }
  const child: Child = { spec, pid: undefined }
  try {
    child.pid = await startFromSpec(spec, state.label)
  } catch (err) {
    return new Failure(err as CinderError)
  }
  state.children.push(child)
  return child.pid
}

async function restartStopped(state: SupState, id: string): Promise<Pid | undefined | Failure> {
  const child = state.children.find((c) => c.spec.id === id)
  if (child === undefined) return new Failure(noChild(state.label, id))
  if (child.pid !== undefined) return new Failure(childRunning('restartChild', state, child))
  try {
    child.pid = await startFromSpec(child.spec, state.label)
  } catch (err) {
    return new Failure(err as CinderError)
  }
  return child.pid
}

async function terminate(state: SupState, key: string | Pid): Promise<Failure | undefined> {
  const child = state.children.find((c) =>
    typeof key === 'string' ? c.spec.id === key : c.pid === key,
  )
  if (child === undefined) return new Failure(noChild(state.label, key))
  if (child.pid !== undefined) {
    await shutdownChild(child.pid, child.spec.shutdown, state.label)
    child.pid = undefined
  }
  if (child.spec.restart === 'temporary') remove(state, child)
  return undefined
}

function deleteStopped(state: SupState, id: string): Failure | undefined {
  const child = state.children.find((c) => c.spec.id === id)
  if (child === undefined) return new Failure(noChild(state.label, id))
  if (child.pid !== undefined) return new Failure(childRunning('deleteChild', state, child))
  remove(state, child)
  return undefined
}

function childRunning(what: string, state: SupState, child: Child): CinderError {
  return new CinderError(
    'CINDER_ERR_CHILD_RUNNING',
    `${what}: child ${describe(child.spec.id)} of ${state.label} is running as ${child.pid}; terminateChild first`,
  )
}

/**
 * Starts a supervisor over `children`, started in order (each must be up
 * before the next starts). Resolves to its pid.
 *
 * Rejects with `CINDER_ERR_BAD_CHILD_SPEC` for a malformed spec or a
 * duplicate id, and `CINDER_ERR_START_FAILED` when a child fails to start
 * (the children already started are stopped again, in reverse order).
 *
 * @example
 * const sup = await startSupervisor(
 *   [childSpec('cache', cache, {}), childSpec('worker', worker, {}, { restart: 'transient' })],
 *   { strategy: 'rest_for_one', maxRestarts: 3, maxSeconds: 5 },
 * )
 */
export function startSupervisor(
  children: readonly ChildSpec[],
  options: SupervisorOptions = {},
): Promise<Pid> {
  let args: SupArgs
  try {
    args = checkSupervisor(children, options)
  } catch (err) {
    return Promise.reject(err)
  }
  const { name, link } = options
  return spawn(supervisor, args, {
    trapExit: true,
    ...(name === undefined ? {} : { name }),
    ...(link === undefined ? {} : { link }),
  })
}

function checkSupervisor(children: readonly ChildSpec[], options: SupervisorOptions): SupArgs {
  if (!Array.isArray(children)) {
    throw new CinderError(
      'CINDER_ERR_BAD_CHILD_SPEC',
      `startSupervisor expects an array of child specs; got ${describe(children)}`,
    )
  }
  const strategy = options.strategy ?? 'one_for_one'
  if (!['one_for_one', 'one_for_all', 'rest_for_one'].includes(strategy)) {
    throw new CinderError(
      'CINDER_ERR_PROCESS_BAD_ARG',
      `startSupervisor: strategy must be 'one_for_one', 'one_for_all' or 'rest_for_one'; got ${describe(strategy)}`,
    )
  }
  const specs = children.map((spec, i) => checkChildSpec(spec, `startSupervisor, child ${i}`))
  const seen = new Set<string>()
  for (const spec of specs) {
    if (seen.has(spec.id)) {
      throw new CinderError(
        'CINDER_ERR_BAD_CHILD_SPEC',
        `startSupervisor: two children have the id ${describe(spec.id)}; ids must be unique`,
      )
    }
    seen.add(spec.id)
  }
  return { specs, strategy, intensity: new Intensity(options, 'startSupervisor') }
}

/** A child spec for a nested supervisor (type 'supervisor', shutdown 'infinity'). */
export function supervisorSpec(
  id: string,
  children: readonly ChildSpec[],
  options: Omit<SupervisorOptions, 'link'> & { readonly restart?: RestartType } = {},
): ChildSpec {
  const { restart, ...rest } = options
  return {
    id,
    type: 'supervisor',
    start: () => startSupervisor(children, { ...rest, link: true }),
    ...(restart === undefined ? {} : { restart }),
  }
}
