// Keeps docs/architecture.md's direction of dependencies: each part of src/
// may import only the parts listed for it, no two parts import each other
// through any chain, and the examples import the package root only.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const allowed: Readonly<Record<string, readonly string[]>> = {
  // The `cinder` command runs applications and their tools; it imports none of the runtime.
  cli: [],
  // Browser code on top of the official client (`cinder/client/*`): it imports nothing.
  client: [],
  telemetry: [],
  process: ['telemetry'],
  token: ['telemetry'],
  wire: ['telemetry'],
  table: ['process', 'telemetry'],
  pubsub: ['process', 'telemetry'],
  http: ['process', 'token', 'telemetry'],
  cluster: ['process', 'pubsub', 'presence', 'table', 'token', 'telemetry'],
  channel: ['process', 'pubsub', 'wire', 'telemetry'],
  presence: ['process', 'pubsub', 'channel', 'wire', 'table', 'telemetry'],
  socket: ['process', 'pubsub', 'channel', 'wire', 'token', 'http', 'telemetry'],
  live: [
    'process',
    'pubsub',
    'channel',
    'wire',
    'socket',
    'token',
    'http',
    'presence',
    'table',
    'cluster',
    'telemetry',
  ],
  metrics: [
    'process',
    'pubsub',
    'channel',
    'wire',
    'socket',
    'http',
    'presence',
    'cluster',
    'telemetry',
  ],
  dashboard: [
    'process',
    'pubsub',
    'channel',
    'wire',
    'socket',
    'token',
    'http',
    'presence',
    'table',
    'cluster',
    'live',
    'metrics',
    'telemetry',
  ],
  endpoint: [
    'process',
    'pubsub',
    'channel',
    'wire',
    'socket',
    'token',
    'http',
    'presence',
    'live',
    'cluster',
    'telemetry',
  ],
  testing: [
    'process',
    'pubsub',
    'channel',
    'wire',
    'socket',
    'token',
    'http',
    'live',
    'endpoint',
    'cluster',
    'telemetry',
  ],
}
/** Top-level files every part may use: they import nothing of the parts. */
const shared = new Set(['errors.ts', 'logger.ts', 'index.ts', 'extend.ts'])

// Works from the sources and from the compiled copy in .build/.
const here = dirname(fileURLToPath(import.meta.url))
const repo = here.includes(`${sep}.build${sep}`) ? resolve(here, '..', '..') : resolve(here, '..')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return name.endsWith('.ts') ? [path] : []
  })
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1] ?? '')
}

/** `part → parts it imports`, with one example import per edge for the messages. */
function partGraph(src: string): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>()
  const partOf = (file: string): string => relative(src, file).split(sep)[0] ?? ''
  for (const file of sourceFiles(src)) {
    const part = partOf(file)
    if (shared.has(part)) continue
    const edges = graph.get(part) ?? new Map<string, string>()
    graph.set(part, edges)
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) continue
      const target = partOf(resolve(dirname(file), spec))
      if (target === part || shared.has(target) || edges.has(target)) continue
      edges.set(target, `${relative(src, file)} imports ${spec}`)
    }
  }
  return graph
}

/** Imports no rule allows. */
function violations(
  graph: Map<string, Map<string, string>>,
  rules: Readonly<Record<string, readonly string[]>>,
): string[] {
  const found: string[] = []
  for (const [part, edges] of graph) {
    for (const [target, where] of edges) {
      if (!rules[part]?.includes(target)) found.push(`${where} (${part} → ${target})`)
    }
  }
  return found
}

/** Every cycle between parts, each as `a → b → a` (depth-first, one report per cycle found). */
function cycles(graph: Map<string, Map<string, string>>): string[] {
  const found: string[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const path: string[] = []
  const visit = (part: string): void => {
    state.set(part, 'visiting')
    path.push(part)
    for (const target of graph.get(part)?.keys() ?? []) {
      if (state.get(target) === 'visiting') {
        found.push([...path.slice(path.indexOf(target)), target].join(' → '))
      } else if (!state.has(target)) {
        visit(target)
      }
    }
    path.pop()
    state.set(part, 'done')
  }
  for (const part of [...graph.keys()].sort()) if (!state.has(part)) visit(part)
  return found
}

test('each part of src/ imports only the parts below it', () => {
  assert.deepEqual(violations(partGraph(join(repo, 'src')), allowed), [])
})

test('no two parts of src/ depend on each other, directly or through others', () => {
  assert.deepEqual(cycles(partGraph(join(repo, 'src'))), [])
})

test('the rules themselves have no cycle, and every part they name exists', () => {
  const ruleGraph = new Map(
    Object.entries(allowed).map(([part, targets]) => [
      part,
      new Map(targets.map((t) => [t, 'rule'])),
    ]),
  )
  assert.deepEqual(cycles(ruleGraph), [])
  for (const part of Object.keys(allowed)) {
    assert.ok(statSync(join(repo, 'src', part)).isDirectory(), `src/${part} is missing`)
  }
})

test('a planted cycle is reported by both checks', () => {
  const src = mkdtempSync(join(tmpdir(), 'cinder-arch-'))
  const plant = (path: string, text: string): void => {
    mkdirSync(dirname(join(src, path)), { recursive: true })
    writeFileSync(join(src, path), text)
  }
  plant('pubsub/pubsub.ts', "import { spawn } from '../process/index.ts'\n")
  plant('process/index.ts', "import { PubSub } from '../pubsub/pubsub.ts'\n")
  plant('process/clock.ts', "import type { Logger } from '../logger.ts'\n")
  const graph = partGraph(src)
  assert.deepEqual(cycles(graph), ['process → pubsub → process'])
  assert.deepEqual(violations(graph, allowed), [
    'process/index.ts imports ../pubsub/pubsub.ts (process → pubsub)',
  ])
})

test('the examples import Cinder from the package root only', () => {
  const examples = join(repo, 'examples')
  const wrong: string[] = []
  for (const file of sourceFiles(examples)) {
    const app = relative(examples, file).split(sep)[0] ?? ''
    for (const spec of importsOf(file)) {
      const outside =
        spec.startsWith('.') && !resolve(dirname(file), spec).startsWith(join(examples, app) + sep)
      if (outside || (spec.startsWith('cinder/') && spec !== 'cinder/testing')) {
        wrong.push(`${relative(repo, file)} imports ${spec}`)
      }
    }
  }
  assert.deepEqual(wrong, [])
})
