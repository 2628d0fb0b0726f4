/**
 * A `ClusterStore` on NATS JetStream key-value, with the official `nats` client (loaded when
 * the store is created). A space is one bucket, `<prefix>_<space>` (created on first use, one
 * revision kept per key); keys are stored base64url-encoded, as key-value keys allow only a few
 * characters. Revisions are the bucket's sequence numbers, which JetStream checks on every
 * conditional write, and never reuses.
 *
 * JetStream must be enabled on the server (`nats-server --jetstream`).
 */
import { CinderError } from '../../errors.ts'
import { type ClusterStore, type Revision, type StoredEntry, storeError } from '../store.ts'

/** Options of `startNatsStore`. */
export interface NatsStoreOptions {
  /** NATS servers, as `nats://host:port` (one or a list). Default `nats://127.0.0.1:4222`. */
  readonly servers?: string | string[]
  /** First part of the bucket names. Default `cinder_cluster`. */
  readonly bucketPrefix?: string
  /** Timeout of the first connect, in ms. Default 5000. */
  readonly connectTimeout?: number
  /** Extra options handed to the client's `connect` (user, pass, token, tls …). */
  readonly connectOptions?: Record<string, unknown>
  /** Options of the buckets it creates (`replicas`, `storage` …), beyond `history: 1`. */
  readonly bucketOptions?: Record<string, unknown>
}

/** The parts of the `nats` client the store uses. */
interface KvEntry {
  readonly value: Uint8Array
  readonly revision: number
  readonly operation: 'PUT' | 'DEL' | 'PURGE'
}
interface Kv {
  get(key: string): Promise<KvEntry | null>
  create(key: string, value: string): Promise<number>
  put(key: string, value: string): Promise<number>
  update(key: string, value: string, version: number): Promise<number>
  delete(key: string, options?: { previousSeq: number }): Promise<void>
  keys(): Promise<AsyncIterable<string>>
}
interface NatsConnection {
  jetstream(): { views: { kv(name: string, options: object): Promise<Kv> } }
  close(): Promise<void>
}

/** JetStream's "wrong last sequence": another write came first. */
const WRONG_LAST_SEQUENCE = 10071

/** Connects a NATS key-value cluster store; rejects with CINDER_ERR_CLUSTER_STORE if NATS does not answer. */
export async function startNatsStore(options: NatsStoreOptions = {}): Promise<ClusterStore> {
  const {
    servers = 'nats://127.0.0.1:4222',
    bucketPrefix = 'cinder_cluster',
    connectTimeout = 5000,
    connectOptions = {},
    bucketOptions = {},
  } = options
  const { connect } = (await import('nats')) as unknown as {
    connect(options: object): Promise<NatsConnection>
  }
  let nc: NatsConnection
  try {
    nc = await connect({
      ...connectOptions,
      servers,
      name: 'cinder-cluster-store',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      timeout: connectTimeout,
    })
  } catch (err) {
    throw new CinderError(
      'CINDER_ERR_CLUSTER_STORE',
      `expected NATS to answer at ${String(servers)} for the cluster store, got: ${(err as Error).message}`,
      { cause: err },
    )
  }
  const js = nc.jetstream()
  const buckets = new Map<string, Promise<Kv>>()
  const bucket = (space: string, extra: object = {}): Promise<Kv> => {
    let kv = buckets.get(space)
    if (kv === undefined) {
      const options = { ...bucketOptions, ...extra, history: 1 }
      kv = js.views.kv(bucketName(bucketPrefix, space), options)
      kv.catch(() => buckets.delete(space)) // try again next time
      buckets.set(space, kv)
    }
    return kv
  }
  // Expiring values: a bucket of their own per space, whose max age is the first ttl asked for.
  const expiring = (space: string, ttl = 0): Promise<Kv> =>
    bucket(`${space}:x`, ttl > 0 ? { ttl: Math.ceil(ttl) } : {})
  return natsStore(nc, bucket, expiring)
}

function natsStore(
  nc: NatsConnection,
  bucket: (space: string) => Promise<Kv>,
  expiring: (space: string, ttl?: number) => Promise<Kv>,
): ClusterStore {
  const attempt = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (err) {
      throw storeError('nats', what, err)
    }
  }
  const get = async (kv: Kv, key: string): Promise<StoredEntry | undefined> => {
    const held = await kv.get(encodeKey(key))
    if (held === null || held.operation !== 'PUT') return undefined
    return { key, value: decoder.decode(held.value), revision: String(held.revision) }
  }
  return {
    kind: 'nats',
    get: (space, key) => attempt(`read ${key}`, async () => get(await bucket(space), key)),
    list: (space) =>
      attempt(`list ${space}`, async () => {
        const kv = await bucket(space)
        const keys: string[] = []
        for await (const key of await kv.keys()) keys.push(decodeKey(key))
        const entries = await Promise.all(keys.map((key) => get(kv, key)))
        return entries.filter((entry): entry is StoredEntry => entry !== undefined)
      }),
    create: (space, key, value) =>
      attempt(`create ${key}`, async () =>
        conditional(async () => (await bucket(space)).create(encodeKey(key), value)),
      ),
    update: (space, key, value, revision) =>
      attempt(`update ${key}`, async () =>
        conditional(async () =>
          (await bucket(space)).update(encodeKey(key), value, Number(revision)),
        ),
      ),
    delete: (space, key, revision) =>
      attempt(`delete ${key}`, async () => {
        const kv = await bucket(space)
        if ((await get(kv, key)) === undefined) return false
        const options = revision === undefined ? undefined : { previousSeq: Number(revision) }
        const deleted = await conditional(async () => {
          await kv.delete(encodeKey(key), options)
          return 1
        })
        return deleted !== undefined
      }),
    putExpiring: (space, key, value, ttl) =>
      attempt(`put ${key}`, async () => {
        await (await expiring(space, ttl)).put(encodeKey(key), value)
      }),
    takeExpiring: (space, key) =>
      attempt(`take ${key}`, async () => {
        const kv = await expiring(space)
        const held = await get(kv, key)
        if (held === undefined) return undefined
        // Deleting at the revision read: of two takers, one deletes and the other gets nothing.
        const taken = await conditional(async () => {
          await kv.delete(encodeKey(key), { previousSeq: Number(held.revision) })
          return 1
        })
        return taken === undefined ? undefined : held.value
      }),
    async close() {
      await nc.close()
    },
  }
}

const decoder = new TextDecoder()

/** A conditional write: its new revision, or undefined when another write came first. */
async function conditional(write: () => Promise<number>): Promise<Revision | undefined> {
  try {
    return String(await write())
  } catch (err) {
    const code = (err as { api_error?: { err_code?: number } }).api_error?.err_code
    if (code === WRONG_LAST_SEQUENCE) return undefined
    throw err
  }
}

/** Key-value keys allow `[-/_=.A-Za-z0-9]`: any key becomes base64url, which fits. */
function encodeKey(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url')
}

function decodeKey(key: string): string {
  return Buffer.from(key, 'base64url').toString('utf8')
}

/** Bucket names allow `[-_A-Za-z0-9]`: other characters become `-HH`. */
function bucketName(prefix: string, space: string): string {
  const escaped = Array.from(Buffer.from(space, 'utf8'), (byte) => {
    const char = String.fromCharCode(byte)
    return /[A-Za-z0-9_]/.test(char) ? char : `-${byte.toString(16).padStart(2, '0')}`
  }).join('')
  return `${prefix}_${escaped}`
}
