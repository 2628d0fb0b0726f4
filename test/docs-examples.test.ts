// The guides' examples against the real API: every ```ts block of docs/*.md
// that imports from 'cinder' is a whole module, and must type-check
// (strict) against src/. Blocks without such an import, or marked
// ```ts fragment (they use names from earlier blocks), are left alone.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
// From the sources (test/) or the compiled copy (.build/test/).
const root = here.includes(`${join('.build', 'test')}`)
  ? resolve(here, '..', '..')
  : resolve(here, '..')
const docs = join(root, 'docs')
const out = join(root, '.build', 'docs-examples')

interface Example {
  readonly file: string
  readonly line: number
  readonly code: string
}

function examples(): Example[] {
  const found: Example[] = []
  for (const name of readdirSync(docs)
    .filter((f) => f.endsWith('.md'))
    .sort()) {
    const lines = readFileSync(join(docs, name), 'utf8').split('\n')
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]?.trim() !== '```ts') continue
      const start = i + 1
      let end = start
      while (end < lines.length && lines[end]?.trim() !== '```') end++
      const code = lines.slice(start, end).join('\n')
      if (/from 'cinder(\/testing|\/extend)?'/.test(code))
        found.push({ file: name, line: start + 1, code })
      i = end
    }
  }
  return found
}

test('every complete example in docs/ type-checks against the public API', () => {
  const list = examples()
  assert.ok(
    list.length >= 20,
    `expected the guides to hold complete examples, found ${list.length}`,
  )
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module' }))
  const names = list.map((example, index) => {
    const name = `${example.file.replace('.md', '')}-${String(index).padStart(2, '0')}-L${example.line}.ts`
    writeFileSync(join(out, name), `${example.code}\nexport {}\n`)
    return name
  })
  writeFileSync(
    join(out, 'tsconfig.json'),
    JSON.stringify({
      extends: join(root, 'tsconfig.base.json'),
      compilerOptions: {
        noEmit: true,
        incremental: false,
        // Examples may leave a value unused; everything else is as strict as src/.
        noUnusedLocals: false,
        types: ['node'],
        typeRoots: [join(root, 'node_modules', '@types')],
        paths: {
          cinder: [join(root, 'src', 'index.ts')],
          'cinder/testing': [join(root, 'src', 'testing', 'index.ts')],
          'cinder/extend': [join(root, 'src', 'extend.ts')],
        },
      },
      files: names,
    }),
  )
  const tsc = join(root, 'node_modules', '.bin', 'tsc')
  const result = spawnSync(tsc, ['-p', join(out, 'tsconfig.json')], { encoding: 'utf8', cwd: out })
  const report = `${result.stdout}${result.stderr}`
  assert.equal(result.status, 0, `docs examples do not type-check:\n${report}`)
})
