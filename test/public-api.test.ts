// The package root is the application author's API: at most 150 names, each
// documented where it is declared and used in a guide under docs/.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve, sep } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const repo = here.includes(`${sep}.build${sep}`) ? resolve(here, '..', '..') : resolve(here, '..')

/** The names `src/index.ts` exports (it lists each one). */
function rootNames(): string[] {
  const text = readFileSync(join(repo, 'src', 'index.ts'), 'utf8')
  assert.ok(!/export \*/.test(text), 'the root lists its names; no export *')
  const names: string[] = []
  for (const [, list] of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const item of (list ?? '').split(',')) {
      const name = item.trim().replace(/^type\s+/, '')
      if (name !== '') names.push(name.split(/\s+as\s+/).pop() ?? name)
    }
  }
  return names
}

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return files(path, ext)
    return name.endsWith(ext) ? [path] : []
  })
}

test('the root exports at most 150 names, none twice', () => {
  const names = rootNames()
  assert.ok(names.length <= 150, `the root exports ${names.length} names`)
  assert.equal(new Set(names).size, names.length)
})

test('every root export is used in a guide', () => {
  const guides = files(join(repo, 'docs'), '.md')
    .map((path) => readFileSync(path, 'utf8'))
    .join('\n')
  const unused = rootNames().filter((name) => !new RegExp(`\\b${name}\\b`).test(guides))
  assert.deepEqual(unused, [])
})

test('every root export has a doc comment where it is declared', () => {
  const sources = files(join(repo, 'src'), '.ts').map((path) => readFileSync(path, 'utf8'))
  const undocumented = rootNames().filter((name) => {
    const declaration = new RegExp(
      `(\\*/\\s*\\n)?(?:[ \\t]*//[^\\n]*\\n)*[ \\t]*export (?:declare )?(?:abstract )?(?:async )?(?:function|class|const|interface|type|let)\\s+${name}\\b`,
    )
    const found = sources.map((text) => declaration.exec(text)).filter((m) => m !== null)
    return found.length === 0 || found.every((m) => m[1] === undefined)
  })
  assert.deepEqual(undocumented, [])
})
