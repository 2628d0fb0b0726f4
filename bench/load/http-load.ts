/**
 * What the HTTP scenarios share: the load (autocannon, run in this process,
 * for a time or for a number of requests) and the check that a server of
 * bench/peers/http-hello.ts answers what it should before it is measured.
 */
import { requireBenchDependency } from '../peers/bench-package.ts'
import type { HttpServerKind } from '../peers/http-hello.ts'

/** The servers of the HTTP scenarios, in the order their tables list them. */
export const HTTP_KINDS: readonly HttpServerKind[] = [
  'raw',
  'raw-headers',
  'fastify',
  'cinder-api',
  'cinder-browser',
]

export const httpLabels: Record<HttpServerKind, string> = {
  raw: 'raw `node:http`',
  'raw-headers': 'raw `node:http` + Phoenix headers',
  fastify: 'Fastify',
  'cinder-api': 'Cinder `:api`',
  'cinder-browser': 'Cinder `:browser`',
}

/** The part of autocannon's result the scenarios read. */
export interface AutocannonResult {
  readonly requests: { readonly average: number; readonly total: number }
  readonly latency: { readonly p50: number; readonly p99: number }
  readonly non2xx: number
  readonly errors: number
  readonly timeouts: number
}

/** How long a load lasts: `seconds`, or until `requests` have been answered. */
export type LoadLength = { readonly seconds: number } | { readonly requests: number }

type Autocannon = (
  options: {
    url: string
    connections: number
    duration?: number
    amount?: number
    pipelining: number
    headers?: Record<string, string>
  },
  done: (error: Error | null, result: AutocannonResult) => void,
) => unknown

/** `GET url` over `connections` kept-alive connections, no pipelining. */
export function load(
  url: string,
  connections: number,
  length: LoadLength,
  headers: Record<string, string>,
): Promise<AutocannonResult> {
  const autocannon = requireBenchDependency('autocannon') as Autocannon
  const until = 'seconds' in length ? { duration: length.seconds } : { amount: length.requests }
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, pipelining: 1, headers, ...until }, (error, result) =>
      error === null ? resolve(result) : reject(error),
    )
  })
}

/** Checks the server answers what it should, and returns the headers later requests carry. */
export async function prepare(kind: HttpServerKind, url: string): Promise<Record<string, string>> {
  const accept = kind === 'cinder-browser' ? 'text/html' : 'application/json'
  const response = await fetch(url, { headers: { accept } })
  const body = await response.text()
  if (response.status !== 200) throw new Error(`${kind}: GET /hello answered ${response.status}`)
  if (kind === 'cinder-browser') {
    if (!body.includes('name="csrf-token"')) throw new Error(`${kind}: no CSRF token in the page`)
    const cookie = response.headers.get('set-cookie')?.split(';')[0]
    if (cookie === undefined) throw new Error(`${kind}: no session cookie`)
    return { accept, cookie }
  }
  if (JSON.parse(body).hello !== 'world') throw new Error(`${kind}: unexpected body ${body}`)
  return { accept }
}

/** Failed requests in a result: non-2xx answers, errors and timeouts. */
export const failures = (result: AutocannonResult): number =>
  result.non2xx + result.errors + result.timeouts
