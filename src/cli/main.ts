/**
 * The `cinder` command (bin/cinder.mjs runs `main`): `new`, `gen`, `dev`, `assets`.
 * A `CinderError` of the CLI's own is printed as one line; anything else with its stack.
 */
import { spawnSync } from 'node:child_process'
import { relative } from 'node:path'
import { CinderError } from '../errors.ts'
import { type Io, parse, USAGE, usage } from './args.ts'
import { buildAssets } from './assets.ts'
import { runDev } from './dev/dev.ts'
import { channel, type Generated, liveView, presence, projectAt, writeFiles } from './generators.ts'
import { pieceNames } from './names.ts'
import { newApplication } from './new-app.ts'
import { type CinderPackage, cinderPackage } from './paths.ts'

const io: Io = { cwd: process.cwd(), log: console.log, error: console.error }

/** Runs one command; resolves with the process exit code. */
export async function main(argv: readonly string[], out: Io = io): Promise<number> {
  try {
    await run(argv, out, cinderPackage())
    return 0
  } catch (err) {
    if (err instanceof CinderError && err.code.startsWith('CINDER_ERR_CLI_')) {
      out.error(`cinder: ${err.message}`)
      return err.code === 'CINDER_ERR_CLI_USAGE' ? 2 : 1
    }
    throw err
  }
}

async function run(argv: readonly string[], out: Io, cinder: CinderPackage): Promise<void> {
  const [command, ...rest] = argv
  switch (command) {
    case 'new':
      return runNew(rest, out, cinder)
    case 'gen':
      return runGen(rest, out, cinder)
    case 'dev':
      return runDev(rest, out)
    case 'assets':
      return buildAssets(rest, out)
    case '--version':
    case '-v':
      return out.log(cinder.version)
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return out.log(USAGE)
    default:
      throw usage(`unknown command ${JSON.stringify(command)}`)
  }
}

function runNew(argv: readonly string[], out: Io, cinder: CinderPackage): void {
  const { values, positionals } = parse(argv, {
    'no-presence': { type: 'boolean', default: false },
    install: { type: 'boolean', default: false },
    // LiveView is always in: accepted for those used to `mix phx.new --live`.
    live: { type: 'boolean', default: true },
  })
  const [path, ...extra] = positionals
  if (path === undefined || extra.length > 0)
    throw usage('cinder new takes one argument, the folder to create (cinder new chat_room)')
  const made = newApplication({ path, presence: values['no-presence'] !== true }, out.cwd, cinder)
  for (const f of made.files) out.log(`* creating ${relative(out.cwd, `${made.root}/${f.path}`)}`)
  const where = relative(out.cwd, made.root) || '.'
  if (values.install === true) install(made.root, made.locked, out)
  out.log('')
  out.log(`${made.name} is ready. Start it with:`)
  out.log('')
  out.log(`    cd ${where}`)
  if (values.install !== true) out.log(`    npm install${made.locked ? ' --prefer-offline' : ''}`)
  out.log('    npm run dev        # http://localhost:4000, reloaded as you save')
  if (cinder.checkout) {
    out.log('')
    out.log(`It depends on this copy of Cinder by path: file:${cinder.root}`)
  }
}

function install(root: string, locked: boolean, out: Io): void {
  out.log('')
  out.log('* running npm install')
  const args = ['install', '--no-audit', '--no-fund', ...(locked ? ['--prefer-offline'] : [])]
  const result = spawnSync('npm', args, { cwd: root, stdio: 'inherit' })
  if (result.status !== 0)
    throw new CinderError(
      'CINDER_ERR_CLI_TOOL',
      `npm install failed in ${root}: run it again there`,
    )
}

function runGen(argv: readonly string[], out: Io, cinder: CinderPackage): void {
  const { positionals } = parse(argv, {})
  const [what, name, ...extra] = positionals
  if (extra.length > 0) throw usage(`cinder gen ${what} takes at most one name`)
  const generated = generate(what, name, out.cwd, cinder)
  writeFiles(out.cwd, generated.files)
  for (const f of generated.files) out.log(`* creating ${f.path}`)
  out.log('')
  for (const line of generated.next) out.log(line)
}

function generate(
  what: string | undefined,
  name: string | undefined,
  cwd: string,
  cinder: CinderPackage,
): Generated {
  if (what === 'presence') {
    if (name !== undefined) throw usage('cinder gen presence takes no name')
    return presence(projectAt(cwd, 'src').app, cinder)
  }
  if (what !== 'live' && what !== 'channel')
    throw usage('cinder gen makes a live view, a channel or presence: cinder gen live Thermostat')
  if (name === undefined) throw usage(`cinder gen ${what} needs a name: cinder gen ${what} Room`)
  projectAt(cwd, 'src/web')
  const names = pieceNames(name, what === 'live' ? 'LiveView' : 'channel')
  return what === 'live' ? liveView(names, cinder) : channel(names, cinder)
}
