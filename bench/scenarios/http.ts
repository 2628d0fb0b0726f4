/**
 * HTTP throughput: `GET /hello` through Cinder's Endpoint and Router with an
 * `:api`-like pipeline and a `:browser`-like one (cookie session, flash, CSRF
 * token in the page, secure headers), against bare `node:http` (the floor)
 * and Fastify. A second raw server also sends the two headers every Phoenix
 * response carries (`cache-control`, `x-request-id`): not a goal's floor, it
 * shows how much of the gap is Node writing them. Each server runs alone in its own process; autocannon drives
 * it from this process with 100 connections, no pipelining. Rounds rotate the
 * order of the servers and the figure kept is each server's fastest round:
 * this machine's neighbours slow whole rounds down by up to half (one full
 * run's raw rounds: 39.7k, 21.7k, 19.9k req/s), and they only ever slow a
 * server down, so its fastest round is the closest to what it can do.
 *
 * The browser requests carry the session cookie a first request got, as a
 * returning visitor's would: every request verifies the signed cookie and
 * masks a fresh CSRF token; none rewrites the cookie.
 */

import type { HttpFigures } from '../charts/shapes.ts'
import { figure, recordFigures } from '../figures.ts'
import {
  failures,
  HTTP_KINDS as kinds,
  httpLabels as labels,
  load,
  prepare,
} from '../load/http-load.ts'
import { ServerProcess } from '../load/server-process.ts'
import type { HttpServerKind } from '../peers/http-hello.ts'

const QUICK = process.env.BENCH_QUICK === '1'
const CONNECTIONS = 100
const DURATION_S = QUICK ? 4 : 6
const WARMUP_S = QUICK ? 1 : 3
const ROUNDS = QUICK ? 1 : 5

interface Measurement {
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly failures: number
  /** Server CPU time per request, µs. */
  readonly cpuPerRequestUs: number
}

async function measure(kind: HttpServerKind): Promise<Measurement> {
  const server = await ServerProcess.launch(kind, 'peers/http-hello', ['--kind', kind])
  try {
    const url = `http://127.0.0.1:${server.port}/hello`
    const headers = await prepare(kind, url)
    await load(url, CONNECTIONS, { seconds: WARMUP_S }, headers)
    const cpuBefore = await server.cpuUs()
    const result = await load(url, CONNECTIONS, { seconds: DURATION_S }, headers)
    const cpuUs = (await server.cpuUs()) - cpuBefore
    return {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      failures: failures(result),
      cpuPerRequestUs: cpuUs / Math.max(1, result.requests.total),
    }
  } finally {
    await server.stop()
  }
}

function fastest(values: readonly Measurement[]): Measurement {
  return [...values].sort((a, b) => b.rps - a.rps)[0] as Measurement
}

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`
// A goal's line shows three decimals, so a 0.948 miss does not read as 0.95.
const goalRatio = (a: number, b: number) => `${(a / b).toFixed(3)}×`
const verdict = (ok: boolean) => (ok ? 'pass' : 'miss')

export async function run(): Promise<string> {
  const rounds = new Map<HttpServerKind, Measurement[]>(kinds.map((k) => [k, []]))
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order so no server always runs first (coldest) or last.
    const order = kinds.map((_, i) => kinds[(i + round) % kinds.length] as HttpServerKind)
    for (const kind of order) rounds.get(kind)?.push(await measure(kind))
  }
  const result = new Map(kinds.map((k) => [k, fastest(rounds.get(k) ?? [])]))
  const get = (k: HttpServerKind) => result.get(k) as Measurement
  const raw = get('raw')
  const withHeaders = get('raw-headers')
  const fastify = get('fastify')
  const api = get('cinder-api')
  const browser = get('cinder-browser')

  recordFigures('http', {
    connections: CONNECTIONS,
    durationS: DURATION_S,
    rounds: ROUNDS,
    servers: kinds.map((k) => ({
      server: labels[k].replaceAll('`', ''),
      rps: figure(get(k).rps),
      roundsRps: (rounds.get(k) ?? []).map((r) => figure(r.rps)),
      p50Ms: figure(get(k).p50),
      p99Ms: figure(get(k).p99),
      cpuUsPerRequest: figure(get(k).cpuPerRequestUs),
      failures: get(k).failures,
      vsRaw: figure(get(k).rps / raw.rps),
    })),
  } satisfies HttpFigures)

  const rows = kinds.map((k) => {
    const m = get(k)
    const all = (rounds.get(k) ?? []).map((r) => Math.round(r.rps).toLocaleString('en')).join(' / ')
    return `| ${labels[k]} | ${Math.round(m.rps).toLocaleString('en')} | ${all} | ${ratio(m.rps, raw.rps)} | ${m.p50} / ${m.p99} | ${m.cpuPerRequestUs.toFixed(1)} | ${m.failures} |`
  })
  return [
    '## HTTP: GET /hello',
    '',
    `autocannon, ${CONNECTIONS} connections, no pipelining, ${DURATION_S} s after a ${WARMUP_S} s warm-up; ${ROUNDS} round(s) in rotating order, each server's fastest round kept (neighbours on this machine slow whole rounds down, never up). Each server alone in its own process; autocannon in the bench process on the same cores. The browser requests carry a session cookie.`,
    '',
    '| server | req/s (fastest round) | every round | vs raw | latency p50 / p99 ms | server CPU µs/req | non-2xx + errors |',
    '| --- | ---: | --- | ---: | --- | ---: | ---: |',
    ...rows,
    '',
    `- \`:api\` ≥ 0.95× raw \`node:http\`: ${goalRatio(api.rps, raw.rps)}, ${verdict(api.rps >= 0.95 * raw.rps)}`,
    `- \`:api\` ≥ Fastify: ${goalRatio(api.rps, fastify.rps)} Fastify, ${verdict(api.rps >= fastify.rps)}`,
    `- \`:browser\` ≥ 0.75× raw \`node:http\`: ${goalRatio(browser.rps, raw.rps)}, ${verdict(browser.rps >= 0.75 * raw.rps)}`,
    '',
    `Raw \`node:http\` sending Phoenix's \`cache-control\` and \`x-request-id\` as well runs at ${ratio(withHeaders.rps, raw.rps)} of its own speed; \`:api\`, which sends them too, at ${ratio(api.rps, withHeaders.rps)} of that server's.`,
    '',
  ].join('\n')
}
