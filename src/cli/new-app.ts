/**
 * `cinder new <path>`: a complete application in a new folder, from templates/new/ plus the
 * generators' room channel and Presence (see docs/generators.md for what it holds).
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join, relative, resolve, sep } from 'node:path'
import { CinderError } from '../errors.ts'
import { channel, type NewFile, presence, writeFiles } from './generators.ts'
import { appNames, pieceNames } from './names.ts'
import { appLockfile, appPackageJson } from './package-files.ts'
import { type CinderPackage, templatesDir } from './paths.ts'
import { renderTemplate } from './template.ts'

export interface NewOptions {
  /** The folder to create, as given (its last part is the application's name). */
  readonly path: string
  /** Presence in the tree, and the home page's count of visitors. Default true. */
  readonly presence?: boolean
}

export interface NewApplication {
  /** The application's folder. */
  readonly root: string
  readonly name: string
  readonly files: readonly NewFile[]
  /** Whether package-lock.json was cut from Cinder's (offline installs). */
  readonly locked: boolean
}

/**
 * Templates stored under another name: npm drops `.gitignore` from a published package, and a
 * second biome.json inside Cinder's tree would be taken for a nested root configuration.
 */
const RENAMED: Readonly<Record<string, string>> = {
  gitignore: '.gitignore',
  editorconfig: '.editorconfig',
  'biome.json.tmpl': 'biome.json',
}

export function newApplication(
  options: NewOptions,
  cwd: string,
  cinder: CinderPackage,
): NewApplication {
  const root = resolve(cwd, options.path)
  const names = appNames(basename(root))
  refuseNonEmpty(root)
  const withPresence = options.presence ?? true
  const values = {
    vars: {
      ...names,
      cinder_path: cinder.root,
      secret_key_base: randomBytes(48).toString('base64'),
      signing_salt: randomBytes(6).toString('base64url'),
      live_salt: randomBytes(6).toString('base64url'),
    },
    flags: { presence: withPresence, linked: cinder.checkout },
  }
  const templates = join(templatesDir(cinder), 'new')
  const files: NewFile[] = templateFiles(templates).map((path) => ({
    path: RENAMED[path] ?? path,
    content: renderTemplate(readFileSync(join(templates, path), 'utf8'), values, path),
  }))
  files.push(...channel(pieceNames('Room', 'channel'), cinder).files)
  if (withPresence) files.push(...presence(names.app, cinder).files)
  const pkg = appPackageJson(names.app, cinder)
  files.push({ path: 'package.json', content: json(pkg) })
  const lock = appLockfile(pkg, root, cinder)
  if (lock !== undefined) files.push({ path: 'package-lock.json', content: json(lock) })
  writeFiles(root, files)
  return { root, name: names.app, files, locked: lock !== undefined }
}

function refuseNonEmpty(root: string): void {
  if (!existsSync(root)) return
  const what = statSync(root).isDirectory()
    ? readdirSync(root).length > 0
      ? 'a folder that is not empty'
      : undefined
    : 'a file'
  if (what === undefined) return
  throw new CinderError(
    'CINDER_ERR_CLI_EXISTS',
    `${root} is ${what}: cinder new writes a new application into a new or empty folder`,
  )
}

/** Every file under `dir`, as a path relative to it with / separators. */
function templateFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => statSync(join(dir, path)).isFile())
    .map((path) => relative(dir, join(dir, path)).split(sep).join('/'))
    .sort()
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}
