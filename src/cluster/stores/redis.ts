/**
 * A `ClusterStore` on Redis, with the official `redis` client (loaded when the store is
 * created). A space is one hash, `<prefix><space>`, whose fields are the keys and whose values
 * are `<revision>:<value>`; revisions come from a counter, `<prefix><space>:rev`, so a key
 * deleted and created again never reuses one. Conditional writes are Lua scripts, atomic on
 * the server.
 *
 * The client reconnects by itself; while Redis is away, calls fail at once (nothing queues),
 * and cluster supervisors retry what they were doing.
 */
import { CinderError } from '../../errors.ts'
import { type ClusterStore, type Revision, type StoredEntry, storeError } from '../store.ts'

/** Options of `startRedisStore`. */
export interface RedisStoreOptions {
  /** Where Redis listens. Default `redis://127.0.0.1:6379`. */
  readonly url?: string
  /** Prefix of the hash names. Default `cinder:cluster:`. */
  readonly prefix?: string
  /** Timeout of one connect attempt, in ms. Default 5000. */
  readonly connectTimeout?: number
}

/** The part of the `redis` client the store uses. */
interface RedisClient {
  on(event: 'error', listener: (err: Error) => void): unknown
  connect(): Promise<unknown>
  hGet(key: string, field: string): Promise<string | null>
  hGetAll(key: string): Promise<Record<string, string>>
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
  close(): Promise<void>
  destroy(): void
}

// KEYS[1] the hash, KEYS[2] its revision counter; ARGV[1] the field.
const CREATE = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return false end
local rev = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], ARGV[1], rev .. ':' .. ARGV[2])
return rev`
const UPDATE = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur or string.match(cur, '^(%d+):') ~= ARGV[3] then return false end
local rev = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], ARGV[1], rev .. ':' .. ARGV[2])
return rev`
const DELETE = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return 0 end
if ARGV[2] ~= '' and string.match(cur, '^(%d+):') ~= ARGV[2] then return 0 end
return redis.call('HDEL', KEYS[1], ARGV[1])`

// KEYS[1] the value's own key: expiring values live outside the hashes, so Redis expires them.
const TAKE = `
local value = redis.call('GET', KEYS[1])
if value then redis.call('DEL', KEYS[1]) end
return value`
const PUT_EXPIRING = `redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1`

/** Connects a Redis cluster store; rejects with CINDER_ERR_CLUSTER_STORE if Redis does not answer. */
export async function startRedisStore(options: RedisStoreOptions = {}): Promise<ClusterStore> {
  const {
    url = 'redis://127.0.0.1:6379',
    prefix = 'cinder:cluster:',
    connectTimeout = 5000,
  } = options
  const { createClient } = (await import('redis')) as unknown as {
    createClient(options: object): RedisClient
  }
  let connected = false
  const client = createClient({
    url,
    name: 'cinder-cluster-store',
    disableOfflineQueue: true,
    socket: {
      connectTimeout,
      // The first attempt fails fast so a wrong URL shows at once; later ones retry forever.
      reconnectStrategy: (retries: number, cause: Error) =>
        connected ? Math.min(50 * 2 ** Math.min(retries, 10), 2000) : cause,
    },
  })
  client.on('error', () => {}) // calls fail meanwhile; the client reconnects by itself
  try {
    await client.connect()
  } catch (err) {
    client.destroy()
    throw new CinderError(
      'CINDER_ERR_CLUSTER_STORE',
      `expected Redis to answer at ${url} for the cluster store, got: ${(err as Error).message}`,
      { cause: err },
    )
  }
  connected = true
  return redisStore(client, prefix)
}

function redisStore(client: RedisClient, prefix: string): ClusterStore {
  const keys = (space: string) => [`${prefix}${space}`, `${prefix}${space}:rev`]
  const attempt = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (err) {
      throw storeError('redis', what, err)
    }
  }
  const revisionOf = (reply: unknown): Revision | undefined =>
    reply === null || reply === undefined ? undefined : String(reply)
  return {
    kind: 'redis',
    get: (space, key) =>
      attempt(`read ${key}`, async () => {
        const held = await client.hGet(`${prefix}${space}`, key)
        return held === null ? undefined : parse(key, held)
      }),
    list: (space) =>
      attempt(`list ${space}`, async () => {
        const all = await client.hGetAll(`${prefix}${space}`)
        return Object.entries(all).map(([key, held]) => parse(key, held))
      }),
    create: (space, key, value) =>
      attempt(`create ${key}`, async () =>
        revisionOf(await client.eval(CREATE, { keys: keys(space), arguments: [key, value] })),
      ),
    update: (space, key, value, revision) =>
      attempt(`update ${key}`, async () =>
        revisionOf(
          await client.eval(UPDATE, { keys: keys(space), arguments: [key, value, revision] }),
        ),
      ),
    delete: (space, key, revision) =>
      attempt(`delete ${key}`, async () => {
        const args = [key, revision ?? '']
        return Number(await client.eval(DELETE, { keys: keys(space), arguments: args })) === 1
      }),
    putExpiring: (space, key, value, ttl) =>
      attempt(`put ${key}`, async () => {
        const args = [value, String(Math.max(1, Math.ceil(ttl)))]
        await client.eval(PUT_EXPIRING, { keys: [`${prefix}${space}:x:${key}`], arguments: args })
      }),
    takeExpiring: (space, key) =>
      attempt(`take ${key}`, async () => {
        const held = await client.eval(TAKE, {
          keys: [`${prefix}${space}:x:${key}`],
          arguments: [],
        })
        return typeof held === 'string' ? held : undefined
      }),
    async close() {
      try {
        await client.close()
      } catch {
        client.destroy()
      }
    },
  }
}

function parse(key: string, held: string): StoredEntry {
  const colon = held.indexOf(':')
  return { key, revision: held.slice(0, colon), value: held.slice(colon + 1) }
}
