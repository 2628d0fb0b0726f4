/**
 * The connection supervisor of one socket mount: what Phoenix's socket pool
 * supervisor is to its transports, a DynamicSupervisor kept lean.
 *
 * How this works:
 * - Every connection process tells its supervisor that it started (the
 *   connection itself is the message); the supervisor links it. Connections
 *   are `temporary` children: one that stops is forgotten, never restarted
 *   (its client reconnects). No child spec, id or closure per connection:
 *   one Map entry.
 * - The supervisor traps exits, so a connection that stops, crashes or is
 *   killed reaches it as an EXIT message. A killed connection ran no
 *   `terminate`, so the supervisor runs its cleanup (close the transport
 *   with 1011, stop its channels); nothing else is touched.
 * - Stopping the supervisor stops every connection at once with
 *   `'shutdown'` (close code 1012), waits up to `shutdown` ms on the runtime
 *   clock and kills what is left.
 * - `connectionPids(pid)` lists the connections (the drainer uses it).
 */
import {
  type Behaviour,
  call,
  type ExitMessage,
  exit,
  getClock,
  link,
  noreply,
  onExit,
  type Pid,
  reply,
  spawn,
} from '../process/index.ts'
import { SocketConnection } from './connection.ts'

/** Options of `startConnectionSupervisor`. */
export interface ConnectionSupervisorOptions {
  /** How long stopping waits for the connections before killing them. Default 5000 ms. */
  readonly shutdown?: number
  /** Link to the calling process (when started as a supervisor's child). */
  readonly link?: boolean
}

interface State {
  readonly children: Map<Pid, SocketConnection>
  readonly shutdown: number
}

const WHICH: unique symbol = Symbol('cinder.socket.which')

const connectionSupervisor: Behaviour<State, number> = {
  name: 'socket supervisor',
  init: (shutdown) => ({ children: new Map(), shutdown }),

  handleCall(request, _from, state) {
    if (request !== WHICH) return reply(undefined, state)
    return reply([...state.children.keys()], state)
  },

  handleInfo(message, state) {
    if (message instanceof SocketConnection) {
      adopt(message, state)
      return noreply(state)
    }
    const exited = message as Partial<ExitMessage>
    if (exited.type === 'EXIT' && exited.pid !== undefined) {
      const child = state.children.get(exited.pid)
      if (child !== undefined) {
        state.children.delete(exited.pid)
        child.exited(exited.reason)
      }
    }
    return noreply(state)
  },

  terminate(_reason, state) {
    return stopAll(state)
  },
}

function adopt(connection: SocketConnection, state: State): void {
  const pid = connection.pid
  if (pid === undefined) return
  try {
    link(pid)
  } catch {
    // It stopped before it could be adopted: its own terminate cleaned up.
    return
  }
  state.children.set(pid, connection)
}

/** Stops every connection with 'shutdown'; kills (and cleans up) those still up after the wait. */
function stopAll({ children, shutdown }: State): Promise<void> {
  const entries = [...children]
  children.clear()
  if (entries.length === 0) return Promise.resolve()
  return new Promise((resolve) => {
    const clock = getClock()
    let left = entries.length
    const timer = clock.setTimeout(() => {
      for (const [pid, connection] of entries) {
        exit(pid, 'kill')
        connection.exited('killed')
      }
      resolve()
    }, shutdown)
    const stopped = (): void => {
      if (--left > 0) return
      clock.clearTimeout(timer)
      resolve()
    }
    for (const [pid] of entries) {
      onExit(pid, stopped)
      exit(pid, 'shutdown')
    }
  })
}

/** Starts a connection supervisor (the endpoint starts one per socket mount). */
export function startConnectionSupervisor(options: ConnectionSupervisorOptions = {}): Promise<Pid> {
  return spawn(connectionSupervisor, options.shutdown ?? 5000, {
    trapExit: true,
    ...(options.link === true ? { link: true } : {}),
  })
}

/** The connection processes a connection supervisor runs now. */
export function connectionPids(supervisor: Pid): Promise<Pid[]> {
  return call<Pid[]>(supervisor, WHICH)
}
