/**
 * The figures a bench run measured, as data: each scenario records them next
 * to the Markdown it writes, and bench/run.ts saves them all to
 * bench/results.json, which bench/charts.ts draws. Markdown is for reading,
 * this is for plotting (and for comparing runs without parsing tables).
 */
import { cpus, totalmem } from 'node:os'

/** One scenario's figures: plain JSON (a non-finite number becomes null). */
export type Figures = Record<string, unknown>

/** The machine a run measured on, as RESULTS.md's header describes it. */
export interface Machine {
  readonly cpus: number
  readonly model: string
  readonly memoryGiB: number
  readonly node: string
}

/** What bench/results.json holds. */
export interface ResultsFile {
  /** ISO date of the end of the run. */
  readonly written: string
  readonly machine: Machine
  /** The scenarios named on the command line; empty for a full run. */
  readonly only: readonly string[]
  readonly scenarios: Record<string, Figures>
}

const recorded: Record<string, Figures> = {}

/** Adds `figures` to what scenario `scenario` recorded in this run (later keys win). */
export function recordFigures(scenario: string, figures: Figures): void {
  recorded[scenario] = { ...recorded[scenario], ...figures }
}

export function machine(): Machine {
  const cpu = cpus()
  return {
    cpus: cpu.length,
    model: cpu[0]?.model.trim() ?? 'cpu',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  }
}

/** Everything recorded so far, ready for JSON.stringify. */
export function resultsFile(only: readonly string[], written = new Date()): ResultsFile {
  return { written: written.toISOString(), machine: machine(), only, scenarios: { ...recorded } }
}

/** A figure for the JSON: two decimals are plenty, and a non-finite value is null (no figure). */
export function figure(value: number): number | null {
  return Number.isFinite(value) ? Math.round(value * 100) / 100 : null
}
