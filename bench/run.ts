/**
 * Runs every benchmark scenario in bench/scenarios/ (or those named on the
 * command line) one after another and writes bench/RESULTS.md. Each scenario
 * measures Cinder and its floor or peers side by side in the same run, so the
 * ratios hold even on a noisy machine.
 */
import { readdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { drawCharts } from './charts/draw.ts'
import { resultsFile } from './figures.ts'

interface Scenario {
  run(): Promise<string>
}

const here = dirname(fileURLToPath(import.meta.url))
const scenarioDir = join(here, 'scenarios')
const wanted = process.argv.slice(2)
const files = readdirSync(scenarioDir)
  .filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(basename(f).replace(/\.(js|ts)$/, '')))
  .sort()

const sections: string[] = []
for (const file of files) {
  const name = basename(file).replace(/\.(js|ts)$/, '')
  console.log(`bench: ${name} …`)
  const started = Date.now()
  const scenario = (await import(join(scenarioDir, file))) as Scenario
  try {
    sections.push(await scenario.run())
  } catch (err) {
    sections.push(`## ${name}\n\nFailed: ${(err as Error).stack ?? String(err)}\n`)
  }
  console.log(`bench: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

const header = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench\` on ${new Date().toISOString()}.`,
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.`,
  'Each section measures Cinder and its floor or peers in the same run; quote the ratios, the machine is noisy.',
  '',
].join('\n')
const out = join(process.cwd(), 'bench', 'RESULTS.md')
writeFileSync(
  wanted.length ? out.replace('RESULTS.md', 'RESULTS.partial.md') : out,
  `${header}\n${sections.join('\n')}`,
)
console.log(`bench: wrote ${wanted.length ? 'bench/RESULTS.partial.md' : 'bench/RESULTS.md'}`)
// The same figures as data (bench/figures.ts), and the charts of a full run drawn from them.
const json = join(process.cwd(), 'bench', wanted.length ? 'results.partial.json' : 'results.json')
writeFileSync(json, `${JSON.stringify(resultsFile(wanted), null, 2)}\n`)
console.log(`bench: wrote ${join('bench', basename(json))}`)
if (wanted.length === 0) await drawCharts(json)
