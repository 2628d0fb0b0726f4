// Keeps ARCHITECTURE.md's direction of dependencies: each part of src/ may
// import only from the parts listed for it (arrows point down only).
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const allowed: Record<string, readonly string[]> = {
  process: [],
  table: ['process'],
  token: [],
  pubsub: ['process'],
  http: ['process', 'token'],
  cluster: ['process', 'pubsub', 'presence', 'table', 'token'],
  channel: ['process', 'pubsub', 'socket', 'token', 'cluster'],
  socket: ['process', 'pubsub', 'channel', 'token', 'http', 'cluster'],
  presence: ['process', 'pubsub', 'channel', 'socket', 'table'],
  live: ['process', 'pubsub', 'channel', 'socket', 'token', 'http', 'presence', 'table', 'cluster'],
  endpoint: [
    'process',
    'pubsub',
    'channel',
    'socket',
    'token',
    'http',
    'presence',
    'live',
    'table',
    'cluster',
  ],
  testing: [
    'process',
    'pubsub',
    'channel',
    'socket',
    'token',
    'http',
    'presence',
    'live',
    'table',
    'endpoint',
    'cluster',
  ],
}
const shared = new Set(['errors.ts', 'index.ts'])

// Works from the sources and from the compiled copy in .build/.
const here = dirname(fileURLToPath(import.meta.url))
const repo = here.includes(`${sep}.build${sep}`) ? resolve(here, '..', '..') : resolve(here, '..')
const src = join(repo, 'src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return name.endsWith('.ts') ? [path] : []
  })
}

function partOf(file: string): string {
  return relative(src, file).split(sep)[0] ?? ''
}

test('each part of src/ imports only the parts below it', () => {
  const violations: string[] = []
  for (const file of sourceFiles(src)) {
    const part = partOf(file)
    if (shared.has(part)) continue
    const text = readFileSync(file, 'utf8')
    for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      if (!spec) continue
      const target = partOf(resolve(dirname(file), spec))
      if (target === part || shared.has(target)) continue
      if (!allowed[part]?.includes(target)) {
        violations.push(`${relative(repo, file)} imports ${spec} (${part} → ${target})`)
      }
    }
  }
  assert.deepEqual(violations, [])
})

test('every part named in the rules exists in src/', () => {
  for (const part of Object.keys(allowed)) {
    assert.ok(statSync(join(src, part)).isDirectory(), `src/${part} is missing`)
  }
})
