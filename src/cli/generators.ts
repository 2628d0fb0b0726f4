/**
 * `cinder gen live|channel|presence`: each writes new files (never over an existing one) and
 * prints the lines to add to the router, the socket or the supervision tree, for the author to
 * place: a generator never edits a file it did not create.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, posix } from 'node:path'
import { CinderError } from '../errors.ts'
import type { PieceNames } from './names.ts'
import { type CinderPackage, templatesDir } from './paths.ts'
import { renderTemplate } from './template.ts'

/** A file to create, relative to the application's folder. */
export interface NewFile {
  readonly path: string
  readonly content: string
}

/** What a generator makes: files, and what to tell the author afterwards. */
export interface Generated {
  readonly files: readonly NewFile[]
  readonly next: readonly string[]
}

export function liveView(names: PieceNames, cinder: CinderPackage): Generated {
  const source = `src/web/live/${names.kebab}-live.ts`
  const route = `/${names.kebab}`
  const vars = { ...names, route }
  return {
    files: [
      file(cinder, 'live.ts', source, vars),
      file(cinder, 'live.test.ts', `test/web/live/${names.kebab}-live.test.ts`, vars),
    ],
    next: [
      'Add the route to src/web/router.ts, in the liveSession block:',
      '',
      `    page('${route}', ${names.camel}Live)`,
      '',
      'with its import at the top:',
      '',
      `    import { ${names.camel}Live } from './live/${names.kebab}-live.ts'`,
    ],
  }
}

export function channel(names: PieceNames, cinder: CinderPackage): Generated {
  const vars = { ...names, topic: names.snake }
  return {
    files: [
      file(cinder, 'channel.ts', `src/web/channels/${names.kebab}-channel.ts`, vars),
      file(cinder, 'channel.test.ts', `test/web/channels/${names.kebab}-channel.test.ts`, vars),
    ],
    next: [
      'Add the channel to the socket in src/web/channels/user-socket.ts, in `channels`:',
      '',
      `    channel('${names.snake}:*', ${names.camel}Channel),`,
      '',
      'with its import at the top:',
      '',
      `    import { ${names.camel}Channel } from './${names.kebab}-channel.ts'`,
    ],
  }
}

export function presence(app: string, cinder: CinderPackage): Generated {
  const vars = { app }
  return {
    files: [
      file(cinder, 'presence.ts', 'src/presence.ts', vars),
      file(cinder, 'presence.test.ts', 'test/presence.test.ts', vars),
    ],
    next: [
      'Put Presence in the supervision tree in src/application.ts, after the PubSub:',
      '',
      '    const presence = buildPresence(pubsub)',
      '',
      'then add `presence` to `children`, between `pubsub` and `endpoint`, with its import:',
      '',
      "    import { buildPresence } from './presence.ts'",
    ],
  }
}

/** Writes `files` under `root`; refuses, writing nothing, if any of them exists. */
export function writeFiles(root: string, files: readonly NewFile[]): void {
  const existing = files.filter((f) => existsSync(join(root, f.path))).map((f) => f.path)
  if (existing.length > 0) {
    throw new CinderError(
      'CINDER_ERR_CLI_EXISTS',
      `${existing.join(', ')} already ${existing.length === 1 ? 'exists' : 'exist'}: ` +
        'nothing was written (choose another name, or move the file away)',
    )
  }
  for (const f of files) {
    mkdirSync(dirname(join(root, f.path)), { recursive: true })
    writeFileSync(join(root, f.path), f.content)
  }
}

/** The application in `dir`: refuses a folder that is not one. */
export function projectAt(
  dir: string,
  needs: string,
): { readonly root: string; readonly app: string } {
  if (!existsSync(join(dir, needs))) {
    throw new CinderError(
      'CINDER_ERR_CLI_USAGE',
      `${join(dir, needs)} does not exist: run cinder gen in the folder of an application ` +
        'made by cinder new',
    )
  }
  const pkg = join(dir, 'package.json')
  const name = existsSync(pkg)
    ? (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name
    : undefined
  return { root: dir, app: typeof name === 'string' ? name : basename(dir) }
}

/** Renders template `gen/<name>` for the file at `path` (`up` leads from it to the root). */
function file(
  cinder: CinderPackage,
  name: string,
  path: string,
  vars: Record<string, string>,
): NewFile {
  const template = join(templatesDir(cinder), 'gen', name)
  const up = '../'.repeat(posix.dirname(path).split('/').length)
  const support = posix.relative(posix.dirname(path), 'test/support.ts')
  const content = renderTemplate(
    readFileSync(template, 'utf8'),
    { vars: { ...vars, up, support: support.startsWith('.') ? support : `./${support}` } },
    template,
  )
  return { path, content }
}
