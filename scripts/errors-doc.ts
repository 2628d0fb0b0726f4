// Rewrites the table of docs/errors.md from the registry in src/errors.ts.
import { readFileSync, writeFileSync } from 'node:fs'
import { ERROR_CODES } from '../src/errors.ts'

const path = 'docs/errors.md'
const marker = '<!-- codes -->'
const rows = Object.entries(ERROR_CODES).map(
  ([code, meaning]) => `| \`${code}\` | ${meaning.replaceAll('|', '\\|')} |`,
)
const table = ['| code | meaning |', '| --- | --- |', ...rows].join('\n')
const doc = readFileSync(path, 'utf8')
const [before] = doc.split(marker)
writeFileSync(path, `${before}${marker}\n\n${table}\n`)
console.log(`docs/errors.md: ${rows.length} codes`)
