/**
 * DynamicSupervisor: starts children on demand (one game room, one
 * connection each), restarts them one for one within a restart intensity,
 * and stops them all, concurrently, when it stops.
 */
import { CinderError, describe } from '../errors.ts'
import {
  type Behaviour,
  type ExitMessage,
  isNormalExit,
  noreply,
  reply,
  stop,
} from './behaviour.ts'
import { checkChildSpec, type FullSpec } from './child-spec.ts'
import type { Pid } from './pid.ts'
import { self, send, spawn } from './process.ts'
import { shutdownChild } from './shutdown.ts'
import {
  Failure,
  Intensity,
  type IntensityOptions,
  logStartFailure,
  MAX_RESTART_INTENSITY,
  noChild,
  Request,
  Retry,
  reportGiveUp,
  reportRestart,
  type SupervisorRequest,
  startFromSpec,
} from './supervisor.ts'

/** Options of `startDynamicSupervisor`. */
export interface DynamicSupervisorOptions extends IntensityOptions {
  /** At most this many children at once (`CINDER_ERR_MAX_CHILDREN` beyond). Default: no limit. */
  readonly maxChildren?: number
  readonly name?: string
  readonly link?: boolean
}

interface DynArgs {
  readonly maxChildren: number
  readonly intensity: Intensity
}

interface DynState {
  /** pid → spec, in start order. */
  readonly children: Map<Pid, FullSpec>
  /** Specs whose restart failed, waiting for a retry. */
  readonly pending: Map<string, FullSpec>
  readonly maxChildren: number
  readonly intensity: Intensity
  readonly label: string
  nextId: number
}

const dynamicSupervisor: Behaviour<DynState, DynArgs> = {
  name: 'dynamic supervisor',

  init: ({ maxChildren, intensity }) => ({
    children: new Map(),
    pending: new Map(),
    maxChildren,
    intensity,
    label: `dynamic supervisor ${self()}`,
    nextId: 1,
  }),

  async handleCall(request, _from, state) {
    if (!(request instanceof Request)) {
      return reply(
        new Failure(
          new CinderError(
            'CINDER_ERR_PROCESS_BAD_ARG',
            `${state.label} only answers its own requests (startChild, whichChildren, …); got ${describe(request)}`,
          ),
        ),
        state,
      )
    }
    return reply(await answer(state, request.body), state)
  },

  async handleInfo(message, state) {
    if (message instanceof Retry) {
      const spec = state.pending.get(message.key as string)
      if (spec === undefined) return noreply(state)
      state.pending.delete(spec.id)
      return restart(state, spec, 'retry')
    }
    const exit = message as ExitMessage
    if (exit?.type !== 'EXIT') return noreply(state)
    const spec = state.children.get(exit.pid)
    if (spec === undefined) return noreply(state)
    state.children.delete(exit.pid)
    if (spec.restart === 'temporary') return noreply(state)
    if (spec.restart === 'transient' && isNormalExit(exit.reason)) return noreply(state)
    return restart(state, spec, exit.reason)
  },

  async terminate(_reason, state) {
    const running = [...state.children]
    state.children.clear()
    await Promise.all(running.map(([pid, spec]) => shutdownChild(pid, spec.shutdown, state.label)))
  },
}

async function restart(state: DynState, spec: FullSpec, reason: unknown) {
  if (!state.intensity.record()) {
    reportGiveUp(state.label, state.intensity)
    return stop(MAX_RESTART_INTENSITY, state)
  }
  reportRestart('one_for_one', [spec.id], reason)
  try {
    state.children.set(await startFromSpec(spec, state.label), spec)
  } catch (err) {
    logStartFailure(state.label, err)
    state.pending.set(spec.id, spec)
    send(self(), new Retry(spec.id))
  }
  return noreply(state)
}

async function answer(state: DynState, body: SupervisorRequest): Promise<unknown> {
  switch (body.op) {
    case 'which':
      return [...state.children].map(([pid, spec]) => ({
        id: spec.id,
        pid,
        type: spec.type,
        restart: spec.restart,
      }))
    case 'count': {
      let supervisors = 0
      for (const spec of state.children.values()) if (spec.type === 'supervisor') supervisors++
      return {
        specs: state.children.size,
        active: state.children.size,
        supervisors,
        workers: state.children.size - supervisors,
      }
    }
    case 'start': {
      if (state.children.size >= state.maxChildren) {
        return new Failure(
          new CinderError(
            'CINDER_ERR_MAX_CHILDREN',
            `${state.label} already runs its maximum of ${state.maxChildren} children`,
          ),
        )
      }
      let spec: FullSpec
      try {
        spec = checkChildSpec(body.spec, `startChild(${state.label})`, `child-${state.nextId++}`)
      } catch (err) {
        return new Failure(err as CinderError)
      }
      try {
        const pid = await startFromSpec(spec, state.label)
        state.children.set(pid, spec)
        return pid
      } catch (err) {
        return new Failure(err as CinderError)
      }
    }
    case 'terminate': {
      const pid = body.child
      const spec = typeof pid === 'string' ? undefined : state.children.get(pid)
      if (spec === undefined || typeof pid === 'string')
        return new Failure(noChild(state.label, pid))
      state.children.delete(pid)
      await shutdownChild(pid, spec.shutdown, state.label)
      return undefined
    }
    default:
      return new Failure(
        new CinderError(
          'CINDER_ERR_PROCESS_BAD_ARG',
          `${state.label} does not support ${body.op}Child: its children have no fixed specs (use terminateChild with a pid)`,
        ),
      )
  }
}

/**
 * Starts a DynamicSupervisor with no children; add them with `startChild`.
 *
 * @example
 * const rooms = await startDynamicSupervisor({ name: 'rooms', maxChildren: 1000 })
 * const room = await startChild(rooms, childSpec('room', roomBehaviour, { id: 7 }, { restart: 'transient' }))
 */
export function startDynamicSupervisor(options: DynamicSupervisorOptions = {}): Promise<Pid> {
  const { maxChildren = Number.POSITIVE_INFINITY, name, link } = options
  let intensity: Intensity
  try {
    if (!(maxChildren >= 0)) {
      throw new CinderError(
        'CINDER_ERR_PROCESS_BAD_ARG',
        `startDynamicSupervisor: maxChildren must be a number >= 0; got ${describe(maxChildren)}`,
      )
    }
    intensity = new Intensity(options, 'startDynamicSupervisor')
  } catch (err) {
    return Promise.reject(err)
  }
  return spawn(
    dynamicSupervisor,
    { maxChildren, intensity },
    {
      trapExit: true,
      ...(name === undefined ? {} : { name }),
      ...(link === undefined ? {} : { link }),
    },
  )
}
