/**
 * One LongPoll session: the `TransportConnection` a socket connection writes
 * through when its client polls over HTTP (Phoenix's `LongPoll.Server`
 * without a process of its own: the socket connection is the process).
 *
 * Frames the connection pushes are buffered. A waiting poll (a GET held on
 * this node, or one relayed from another node) takes them all at once; with
 * no poll waiting they wait for the next one. The transport's sweep answers
 * a poll that waited a whole window with 204 and closes a session nobody
 * polled for 1.5 windows. Frames waiting for a poll are capped (`maxQueued`
 * characters): a client that does not poll fast enough for what it is sent
 * is closed with 1008 `slow consumer` instead of growing the buffer.
 */
import { traffic } from '../traffic.ts'
import type { Frame, TransportConnection } from '../transport.ts'

/** The JSON body of every LongPoll answer (the HTTP status is always 200). */
export interface LongPollBody {
  readonly status: number
  readonly token?: string
  readonly messages?: readonly string[]
}

/** A poll waiting for frames: answers its client once. */
export interface WaitingPoll {
  /** When the poll ends empty-handed (204), on the runtime clock. */
  readonly expires: number
  answer(body: LongPollBody): void
}

/** What a session needs from its transport. */
export interface SessionOwner {
  /** A frame the JSON body cannot carry (binary) was dropped. */
  dropped(session: LongPollSession, frame: Frame): void
  /** The session has frames for its waiting poll (flushed once per turn). */
  ready(session: LongPollSession): void
  /** The session ended (`close`, expiry): tell the handler. */
  ended(session: LongPollSession, code: number, reason: string): void
  /** Frames waiting for a poll passed the cap: the owner logs and closes the session. */
  overflowed(session: LongPollSession, queued: number): void
  /** The most characters of frames a session may hold for its next poll. */
  readonly maxQueued: number
}

export class LongPollSession implements TransportConnection {
  readonly id: string
  readonly token: string
  readonly owner: SessionOwner
  /** The handler's state for this connection. */
  state: unknown = undefined
  /** Runtime-clock time of the last request for this session. */
  lastSeen: number
  poll: WaitingPoll | undefined = undefined
  closed = false
  /** Queued for the transport's flush this turn. */
  flushing = false
  #buffer: string[] = []
  /** Characters in `#buffer`. */
  #queued = 0

  constructor(id: string, token: string, owner: SessionOwner, now: number) {
    this.id = id
    this.token = token
    this.owner = owner
    this.lastSeen = now
  }

  /** TransportConnection: queues a frame for the next poll. */
  push(frame: Frame): void {
    if (this.closed) return
    if (typeof frame !== 'string') {
      this.owner.dropped(this, frame)
      return
    }
    this.#buffer.push(frame)
    this.#queued += frame.length
    traffic.longpoll.framesOut++
    traffic.longpoll.bytesOut += frame.length
    if (this.#queued > this.owner.maxQueued) {
      this.owner.overflowed(this, this.#queued)
      return
    }
    if (this.poll !== undefined && !this.flushing) this.owner.ready(this)
  }

  /** TransportConnection: ends the session; a waiting poll learns it is gone (410). */
  close(code: number, reason: string): void {
    if (this.closed) return
    this.closed = true
    this.#buffer = []
    this.#queued = 0
    this.take()?.answer({ status: 410 })
    this.owner.ended(this, code, reason)
  }

  /** A new poll: answered at once when frames are waiting, else held. */
  wait(poll: WaitingPoll, now: number): void {
    this.lastSeen = now
    this.take()?.answer(this.#empty())
    if (this.#buffer.length > 0) {
      poll.answer(this.#flush())
      return
    }
    this.poll = poll
  }

  /** The transport's flush: hands buffered frames to the waiting poll. */
  flush(): void {
    this.flushing = false
    if (this.#buffer.length === 0) return
    this.take()?.answer(this.#flush())
  }

  /** The sweep: a poll that waited its window ends with 204. */
  expire(now: number): void {
    const poll = this.poll
    if (poll !== undefined && now >= poll.expires) {
      this.poll = undefined
      this.lastSeen = now
      poll.answer(this.#empty())
    }
  }

  /** Removes the waiting poll (e.g. its client went away) and returns it. */
  take(): WaitingPoll | undefined {
    const poll = this.poll
    this.poll = undefined
    return poll
  }

  #flush(): LongPollBody {
    const messages = this.#buffer
    this.#buffer = []
    this.#queued = 0
    return { status: 200, token: this.token, messages }
  }

  #empty(): LongPollBody {
    return { status: 204, token: this.token, messages: [] }
  }
}
