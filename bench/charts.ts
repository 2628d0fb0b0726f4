/**
 * `npm run bench:charts [results.json]`: draws docs/images/bench-*.svg from
 * the figures of a bench run (bench/results.json by default) without running
 * the bench again. `npm run bench` does the same at the end of a full run.
 */
import { join } from 'node:path'
import { drawCharts } from './charts/draw.ts'
import { repoRoot } from './peers/bench-package.ts'

await drawCharts(process.argv[2] ?? join(repoRoot(), 'bench', 'results.json'))
