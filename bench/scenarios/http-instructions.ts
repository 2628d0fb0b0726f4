/**
 * HTTP by instruction count: the servers of the HTTP scenario, each run under
 * valgrind's callgrind, which counts the instructions a process executes
 * instead of timing it. The count for the same server and load repeats to
 * within a few hundredths of a percent whatever the machine's neighbours are
 * doing, where requests per second on this machine move by half from one
 * round to the next. It sees user space only: the kernel's share (the
 * `read` and `writev` of each request, the same for every server) is left
 * out, so the ratios here are wider than a quiet machine's throughput ratios.
 *
 * Each server takes a warm-up load, so the JIT has compiled the request path,
 * then its counters are zeroed, it answers a fixed number of requests, and
 * the counters are dumped per thread. The figure is the main thread's
 * instructions per request (where the event loop runs every request); the
 * other threads' (V8's compilers and garbage collector helpers) are shown
 * beside it. Skipped, and said so, when valgrind is not installed.
 */
import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { figure, recordFigures } from '../figures.ts'
import { failures, HTTP_KINDS, httpLabels, load, prepare } from '../load/http-load.ts'
import { ServerProcess } from '../load/server-process.ts'
import type { HttpServerKind } from '../peers/http-hello.ts'

const QUICK = process.env.BENCH_QUICK === '1'
const CONNECTIONS = 16
// Fastify's count still fell by 4% between 10,000 and 30,000 warm-up requests, and by
// 0.6% more up to 60,000; Cinder's by 0.5%, then not at all.
const WARMUP_REQUESTS = QUICK ? 10_000 : 30_000
const REQUESTS = QUICK ? 2_000 : 5_000
// Node starts in 10 to 20 s under callgrind on this machine.
const START_TIMEOUT_MS = 180_000
const STOP_GRACE_MS = 60_000

const execFileAsync = promisify(execFile)

interface Count {
  /** Instructions per request on the main thread. */
  readonly main: number
  /** Instructions per request on every other thread together. */
  readonly others: number
  readonly failures: number
}

function valgrindVersion(): string | undefined {
  const result = spawnSync('valgrind', ['--version'], { encoding: 'utf8' })
  return result.status === 0 ? result.stdout.trim() : undefined
}

/** The `summary:` of each per-thread file of dump part 1, main thread first. */
function threadTotals(dir: string, pid: number): number[] {
  const prefix = `cg.${pid}.1-`
  return readdirSync(dir)
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map((name) => {
      const text = readFileSync(join(dir, name), 'utf8')
      const match = /^summary: (\d+)/m.exec(text)
      if (match === null) throw new Error(`no summary line in callgrind's ${name}`)
      return Number(match[1])
    })
}

async function count(kind: HttpServerKind): Promise<Count> {
  const dir = mkdtempSync(join(tmpdir(), 'cinder-callgrind-'))
  const wrapper = [
    'valgrind',
    '--tool=callgrind',
    '--separate-threads=yes',
    // V8 writes and rewrites machine code at run time.
    '--smc-check=all-non-file',
    `--callgrind-out-file=${join(dir, 'cg.%p')}`,
  ]
  const server = await ServerProcess.launch(kind, 'peers/http-hello', ['--kind', kind], {
    wrapper,
    startTimeoutMs: START_TIMEOUT_MS,
  })
  try {
    const url = `http://127.0.0.1:${server.port}/hello`
    const headers = await prepare(kind, url)
    await load(url, CONNECTIONS, { requests: WARMUP_REQUESTS }, headers)
    await execFileAsync('callgrind_control', ['--zero', String(server.pid)])
    const result = await load(url, CONNECTIONS, { requests: REQUESTS }, headers)
    await execFileAsync('callgrind_control', ['--dump=measured', String(server.pid)])
    const [main = Number.NaN, ...others] = threadTotals(dir, server.pid)
    const answered = Math.max(1, result.requests.total)
    return {
      main: main / answered,
      others: others.reduce((sum, n) => sum + n, 0) / answered,
      failures: failures(result),
    }
  } finally {
    await server.stop(STOP_GRACE_MS)
    rmSync(dir, { recursive: true, force: true })
  }
}

const thousands = (n: number) => `${(n / 1000).toFixed(1)}k`
const ratio = (a: number, b: number) => `${(a / b).toFixed(3)}×`

export async function run(): Promise<string> {
  const version = valgrindVersion()
  const title = '## HTTP by instruction count: GET /hello'
  if (version === undefined) {
    recordFigures('http-instructions', { skipped: 'valgrind not installed' })
    return `${title}\n\nNot measured: valgrind is not installed (\`apt-get install valgrind\`).\n`
  }
  const counts = new Map<HttpServerKind, Count>()
  for (const kind of HTTP_KINDS) counts.set(kind, await count(kind))
  const get = (kind: HttpServerKind) => counts.get(kind) as Count
  const raw = get('raw').main
  const phoenixHeaders = get('raw-headers').main - raw
  const fastifyOwn = get('fastify').main - raw
  const apiOwn = get('cinder-api').main - get('raw-headers').main
  const browserOwn = get('cinder-browser').main - get('raw-headers').main

  recordFigures('http-instructions', {
    valgrind: version,
    connections: CONNECTIONS,
    warmupRequests: WARMUP_REQUESTS,
    requests: REQUESTS,
    servers: HTTP_KINDS.map((k) => ({
      server: httpLabels[k].replaceAll('`', ''),
      mainPerRequest: figure(get(k).main),
      othersPerRequest: figure(get(k).others),
      rawOverServer: figure(raw / get(k).main),
      failures: get(k).failures,
    })),
    phoenixHeadersPerRequest: figure(phoenixHeaders),
    fastifyOwnPerRequest: figure(fastifyOwn),
    apiOwnPerRequest: figure(apiOwn),
    browserOwnPerRequest: figure(browserOwn),
  })

  const rows = HTTP_KINDS.map((k) => {
    const c = get(k)
    return `| ${httpLabels[k]} | ${Math.round(c.main).toLocaleString('en')} | ${ratio(raw, c.main)} | ${Math.round(c.others).toLocaleString('en')} | ${c.failures} |`
  })
  return [
    title,
    '',
    `${version} (callgrind), each server alone under it: ${WARMUP_REQUESTS.toLocaleString('en')} requests to warm up, then ${REQUESTS.toLocaleString('en')} counted, autocannon with ${CONNECTIONS} connections. User-space instructions only: the kernel's work per request (the same system calls for every server) is not in them.`,
    '',
    '| server | main thread, instructions/request | raw ÷ server | other threads, instructions/request | non-2xx + errors |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `- Node writing Phoenix's two headers (\`cache-control\`, \`x-request-id\`): ${thousands(phoenixHeaders)} instructions per request (raw + Phoenix headers − raw).`,
    `- Fastify's own work: ${thousands(fastifyOwn)} (Fastify − raw). Cinder's own work, beyond what Node does for the same response: \`:api\` ${thousands(apiOwn)}, \`:browser\` ${thousands(browserOwn)} (Cinder − raw + Phoenix headers).`,
    `- \`:api\` against Fastify on the main thread: ${ratio(get('fastify').main, get('cinder-api').main)} (Fastify ÷ \`:api\`).`,
    '',
  ].join('\n')
}
