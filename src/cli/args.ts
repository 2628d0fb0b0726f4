/** What every command shares: where it runs and writes, its usage text, argument parsing. */
import { parseArgs } from 'node:util'
import { CinderError } from '../errors.ts'

/** Where a command runs, and where it reports. */
export interface Io {
  readonly cwd: string
  log(line: string): void
  error(line: string): void
}

export const USAGE = `Usage: cinder <command>

  cinder new <path> [--no-presence] [--install]
      a new application in the folder <path>, named after its last part
  cinder gen live <Name>       a LiveView and its test; prints the route to add
  cinder gen channel <Name>    a channel and its test; prints the line to add to the socket
  cinder gen presence          Presence and its test; prints the lines for the tree
  cinder dev [entry] [--port <n>] [--watch <dir>]... [--static <dir>] [--conditions <name>]...
             [--tsconfig <file>] [--no-typecheck] [-- <arguments of the app>]
      runs the app from its sources (default src/main.ts), restarts it on every change and
      reloads the browser
  cinder assets [--watch] [--minify]
      bundles assets/js/app.ts and assets/css/app.css into public/assets/ with esbuild

Guide: docs/generators.md`

type Options = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>

/** Parsed arguments: option values, then positionals before and after `--`. */
export interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>
  readonly positionals: readonly string[]
  /** What follows `--` (arguments for another program). */
  readonly rest: readonly string[]
}

/** `parseArgs` (positionals allowed, unknown options refused), its errors as usage errors. */
export function parse(argv: readonly string[], options: Options): Parsed {
  const cut = argv.indexOf('--')
  const own = cut < 0 ? [...argv] : argv.slice(0, cut)
  try {
    const { values, positionals } = parseArgs({
      args: own,
      options,
      allowPositionals: true,
      strict: true,
    })
    return { values, positionals, rest: cut < 0 ? [] : argv.slice(cut + 1) }
  } catch (err) {
    throw usage(err instanceof Error ? err.message : String(err))
  }
}

/** A usage error: the message, then the usage text. */
export function usage(message: string): CinderError {
  return new CinderError('CINDER_ERR_CLI_USAGE', `${message}\n\n${USAGE}`)
}
