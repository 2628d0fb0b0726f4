/**
 * `cinder dev`: the development loop.
 *
 * - the server runs from the sources through tsx (no build step) and is restarted as soon as a
 *   file under a watched folder (`src/` by default) changes;
 * - `tsc -b --watch` type-checks (and compiles to .build/) beside it, printing the errors;
 * - esbuild rebuilds `public/assets/` from `assets/` on every change;
 * - a live-reload server (reload-server.ts) tells the pages to reload once the new server
 *   listens, or, when only stylesheets under the static folder changed, to swap them in place.
 *
 * The layout loads the reload script from the URL in CINDER_LIVE_RELOAD, which only this
 * command sets. Stops on SIGINT or SIGTERM, with everything it started.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { constants, setPriority } from 'node:os'
import { join, relative, resolve, sep } from 'node:path'
import { CinderError } from '../../errors.ts'
import { type Io, parse, usage } from '../args.ts'
import { assetContext } from '../assets.ts'
import { cinderPackage } from '../paths.ts'
import { type ReloadServer, startReloadServer } from './reload-server.ts'
import { ServerProcess } from './server-process.ts'
import { watchFolders } from './watch.ts'

export interface DevOptions {
  /** The server's entry, relative to the project. Default `src/main.ts`. */
  readonly entry: string
  /** Where the server listens (PORT for it). Default PORT, else 4000. */
  readonly port: number
  /** Folders whose changes restart the server. Default `src`. */
  readonly watch: readonly string[]
  /** The folder served as static files: changes there reload the page, or swap its CSS. */
  readonly static: string
  /** Package export conditions for the server (`node --conditions`). */
  readonly conditions: readonly string[]
  readonly typecheck: boolean
  /** The TypeScript project `tsc -b --watch` builds. Default `tsconfig.json`. */
  readonly tsconfig: string
  /** Arguments for the application, after `--`. */
  readonly appArgs: readonly string[]
  /** Also says when each spare server has loaded (CINDER_DEV_VERBOSE=1). */
  readonly verbose: boolean
}

export async function runDev(argv: readonly string[], io: Io): Promise<void> {
  const options = devOptions(argv, process.env)
  const stopped = new Promise<void>((done) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done())
  })
  const stop = await startDev(options, io)
  await stopped
  await stop()
}

/** Starts the loop; resolves with the function that stops it all. */
export async function startDev(options: DevOptions, io: Io): Promise<() => Promise<void>> {
  const root = io.cwd
  requirePackage(root, 'tsx', 'to run the server from its sources')
  const host = process.env.HOST ?? '127.0.0.1'
  const anyHost = host === '0.0.0.0' || host === '::'
  const reload = await startReloadServer({
    host,
    port: 0,
    publicHost: anyHost ? 'localhost' : host,
  })
  const server = serverProcess(options, root, anyHost ? '127.0.0.1' : host, reload, io)
  const typecheck = options.typecheck ? startTypecheck(root, options.tsconfig, io) : undefined
  const assets = await assetContext(root)
  await assets?.watch()
  const restart = restarter(server, () => reload.reload(), io)
  // The spare has Cinder loaded: a change to Cinder itself (its own dev loop) needs a fresh one.
  const cinder = cinderPackage().root
  const loaded = [join(cinder, 'src') + sep, join(cinder, 'dist') + sep]
  const code = watchFolders(
    options.watch.map((dir) => resolve(root, dir)),
    (paths) => restart(paths.some((path) => loaded.some((dir) => path.startsWith(dir)))),
  )
  const staticDir = resolve(root, options.static)
  const statics = watchFolders([staticDir], (paths) => staticChanged(paths, staticDir, reload))
  restart(false)
  io.log(
    `cinder dev: ${options.entry} on http://localhost:${options.port}; pages reload through ${reload.scriptUrl}`,
  )
  return async () => {
    code.close()
    statics.close()
    typecheck?.kill('SIGTERM')
    await assets?.dispose()
    await server.close()
    await reload.close()
  }
}

/** The application's server: through tsx, with the reload script's URL in its environment. */
function serverProcess(
  options: DevOptions,
  cwd: string,
  host: string,
  reload: ReloadServer,
  io: Io,
): ServerProcess {
  const conditions = options.conditions.map((condition) => `--conditions=${condition}`)
  const command = {
    nodeArgs: [...conditions, '--import', 'tsx', '--enable-source-maps'],
    entry: options.entry,
    args: options.appArgs,
    cwd,
    env: { ...process.env, PORT: String(options.port), CINDER_LIVE_RELOAD: reload.scriptUrl },
    host,
    port: options.port,
  }
  return new ServerProcess(command, (ms) => {
    if (options.verbose) io.log(`cinder dev: spare server loaded in ${ms} ms`)
  })
}

/** A change under the static folder: CSS only is swapped in place, anything else reloads. */
function staticChanged(paths: readonly string[], dir: string, reload: ReloadServer): void {
  const urls = paths.map((path) => `/${relative(dir, path).split(sep).join('/')}`)
  if (urls.every((url) => url.endsWith('.css'))) reload.css(urls)
  else reload.reload()
}

/** One restart at a time; changes during a restart cause one more afterwards. */
function restarter(server: ServerProcess, ready: () => void, io: Io): (fresh: boolean) => void {
  let running = false
  let again: boolean | undefined
  const run = async (fresh: boolean): Promise<void> => {
    running = true
    for (let next: boolean | undefined = fresh; next !== undefined; next = again) {
      again = undefined
      const started = Date.now()
      const outcome = await server.restart(next)
      if (outcome === 'ready' && again === undefined) {
        ready()
        const how = `${server.warm ? 'warm' : 'cold'}, port free after ${server.stoppedIn} ms`
        io.log(`cinder dev: restarted in ${Date.now() - started} ms (${how})`)
      } else if (outcome !== 'ready') {
        io.error(
          `cinder dev: the server ${outcome === 'exited' ? 'stopped' : 'did not listen'}; waiting for a change`,
        )
      }
    }
    running = false
  }
  return (fresh) => {
    if (running) again = (again ?? false) || fresh
    else void run(fresh)
  }
}

/** `tsc -b --watch` of the project's own TypeScript, its output on this terminal. */
function startTypecheck(root: string, tsconfig: string, io: Io): ChildProcess | undefined {
  const tsc = packageFile(root, 'typescript', 'bin/tsc')
  if (tsc === undefined) {
    io.error('cinder dev: typescript is not installed here; running without type checks')
    return undefined
  }
  const child = spawn(process.execPath, [tsc, '-b', tsconfig, '--watch', '--preserveWatchOutput'], {
    cwd: root,
    stdio: 'inherit',
  })
  // Type checks are background work: the server's restart comes first on a busy machine.
  if (child.pid !== undefined) setPriority(child.pid, constants.priority.PRIORITY_BELOW_NORMAL)
  return child
}

function requirePackage(root: string, name: string, why: string): void {
  if (packageFile(root, name, 'package.json') !== undefined) return
  throw new CinderError(
    'CINDER_ERR_CLI_TOOL',
    `${name} is not installed in ${root} (${why}): npm install --save-dev ${name}`,
  )
}

/** A file of an installed package, as the project resolves it. */
function packageFile(root: string, name: string, file: string): string | undefined {
  try {
    const manifest = createRequire(join(root, 'package.json')).resolve(`${name}/package.json`)
    const path = join(manifest, '..', file)
    return existsSync(path) ? path : undefined
  } catch {
    return undefined
  }
}

/** The options of `cinder dev` from its arguments and the environment (PORT). */
export function devOptions(argv: readonly string[], env: NodeJS.ProcessEnv): DevOptions {
  const { values, positionals, rest } = parse(argv, {
    port: { type: 'string' },
    watch: { type: 'string', multiple: true },
    static: { type: 'string', default: 'public' },
    conditions: { type: 'string', multiple: true },
    'no-typecheck': { type: 'boolean', default: false },
    tsconfig: { type: 'string', default: 'tsconfig.json' },
  })
  const [entry = 'src/main.ts', ...extra] = positionals
  if (extra.length > 0) throw usage("cinder dev takes one entry; put the app's arguments after --")
  const given = typeof values.port === 'string' ? values.port : env.PORT
  const port = Number(given ?? 4000)
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    throw usage(
      `cinder dev needs a fixed port (1 to 65535) to know when the server is up; got ${given}`,
    )
  return {
    entry,
    port,
    watch: strings(values.watch) ?? ['src'],
    static: typeof values.static === 'string' ? values.static : 'public',
    conditions: strings(values.conditions) ?? [],
    typecheck: values['no-typecheck'] !== true,
    tsconfig: typeof values.tsconfig === 'string' ? values.tsconfig : 'tsconfig.json',
    appArgs: rest,
    verbose: env.CINDER_DEV_VERBOSE === '1',
  }
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map(String) : undefined
}
