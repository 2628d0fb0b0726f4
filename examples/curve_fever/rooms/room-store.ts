/**
 * Where rooms save their state, as a part of the tree: the cluster's engine (Redis, or NATS
 * key-value; memory on one node) connected when the tree starts and closed when it stops, so
 * a restart of the part reconnects. The rooms' supervisor is built with this object, before
 * anything connects; every call goes to the connection of the moment.
 */
import {
  type ChildSpec,
  CinderError,
  type ClusterStore,
  createMemoryStore,
  spawn,
  startNatsStore,
  startRedisStore,
} from 'cinder'

/** Which engine: a Redis URL, NATS servers, or this process's memory. */
export type StoreEngine =
  | { readonly redis: string }
  | { readonly nats: string }
  | { readonly memory: true }

export class RoomStore implements ClusterStore {
  readonly #engine: StoreEngine
  /** Memory lives as long as this object: a restart of the part must not forget the rooms. */
  readonly #memory = createMemoryStore()
  #store: ClusterStore | undefined

  constructor(engine: StoreEngine) {
    this.#engine = engine
  }

  get kind(): string {
    return 'redis' in this.#engine ? 'redis' : 'nats' in this.#engine ? 'nats' : 'memory'
  }

  childSpec(): ChildSpec {
    return {
      id: 'room store',
      start: () =>
        spawn(
          {
            name: `room store (${this.kind})`,
            init: async () => {
              await this.#connect()
              return null
            },
            terminate: () => this.close(),
          },
          null,
          { link: true },
        ),
    }
  }

  get(space: string, key: string) {
    return this.#current().get(space, key)
  }

  list(space: string) {
    return this.#current().list(space)
  }

  create(space: string, key: string, value: string) {
    return this.#current().create(space, key, value)
  }

  update(space: string, key: string, value: string, revision: string) {
    return this.#current().update(space, key, value, revision)
  }

  delete(space: string, key: string, revision?: string) {
    return this.#current().delete(space, key, revision)
  }

  async close(): Promise<void> {
    const store = this.#store
    this.#store = undefined
    if (store !== undefined && store !== this.#memory) await store.close()
  }

  async #connect(): Promise<void> {
    const engine = this.#engine
    if ('redis' in engine) this.#store = await startRedisStore({ url: engine.redis })
    else if ('nats' in engine) this.#store = await startNatsStore({ servers: engine.nats })
    else this.#store = this.#memory
  }

  #current(): ClusterStore {
    if (this.#store !== undefined) return this.#store
    throw new CinderError(
      'CINDER_ERR_CLUSTER_STORE',
      `the rooms' ${this.kind} store is not connected (its part of the tree is not running)`,
    )
  }
}
