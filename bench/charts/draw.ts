/**
 * Renders the catalog's charts to SVG with Vega-Lite and Vega, headless: a
 * View with no renderer writes SVG text without a canvas or a browser. Both
 * come from bench/package.json, described here by the little this file uses,
 * so the root type-check does not need bench/node_modules.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ResultsFile } from '../figures.ts'
import { importBenchDependency, repoRoot } from '../peers/bench-package.ts'
import { type Chart, charts as catalog, runLine } from './catalog.ts'
import type { VlSpec } from './specs.ts'
import { itemWidth, type TextItem } from './text-width.ts'

interface VegaLite {
  compile(spec: VlSpec): { spec: object }
}

interface VegaView {
  toSVG(scale?: number): Promise<string>
  finalize(): void
}

interface Vega {
  parse(spec: object): object
  View: new (runtime: object, options: { renderer: 'none' }) => VegaView
  textMetrics: { width: (item: TextItem, text?: unknown) => number }
}

/** The SVG text of one Vega-Lite specification. */
export async function renderSvg(spec: VlSpec): Promise<string> {
  const vl = (await importBenchDependency('vega-lite')) as VegaLite
  const vega = (await importBenchDependency('vega')) as Vega
  vega.textMetrics.width = itemWidth // no canvas here to measure with
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

/**
 * Draws every chart whose scenario `resultsPath` has figures for, into
 * `outDir` (docs/images/ by default). A chart that fails is reported and
 * skipped: the results of a long run must not be lost to a drawing error.
 * Returns the files written.
 */
export async function drawCharts(
  resultsPath: string,
  outDir = join(repoRoot(), 'docs', 'images'),
  charts: readonly Chart[] = catalog,
): Promise<string[]> {
  if (!existsSync(resultsPath))
    throw new Error(`no ${resultsPath}: \`npm run bench\` writes it at the end of a full run`)
  const results = JSON.parse(readFileSync(resultsPath, 'utf8')) as ResultsFile
  const run = runLine(results)
  mkdirSync(outDir, { recursive: true })
  const written: string[] = []
  for (const chart of charts) {
    const figures = results.scenarios[chart.scenario]
    if (figures === undefined) {
      console.log(
        `bench: charts: no ${chart.scenario} figures in this run, ${chart.file} left as is`,
      )
      continue
    }
    try {
      const path = join(outDir, chart.file)
      writeFileSync(path, await renderSvg(chart.build(figures, run)))
      written.push(path)
    } catch (err) {
      console.error(`bench: charts: ${chart.file} failed: ${(err as Error).stack ?? String(err)}`)
      process.exitCode = 1
    }
  }
  console.log(`bench: charts: wrote ${written.length} SVG file(s) to ${outDir}`)
  return written
}
