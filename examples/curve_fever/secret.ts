/**
 * Where `npm start` gets the secret that signs sessions and socket tokens:
 * - `SECRET_KEY_BASE` when set (64+ bytes; the same on every node of a cluster);
 * - in production (NODE_ENV=production), nowhere else: starting without it is refused;
 * - in development, a random secret generated on the first start and kept in a git-ignored
 *   file (`examples/curve_fever/.secret_key_base`, or `CURVE_FEVER_SECRET_FILE`), so sessions
 *   survive restarts (`npm run dev` restarts on every change) and `--workers` share it.
 * Nothing committed to the repository can sign a token this application accepts.
 */
import { randomBytes } from 'node:crypto'
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { repositoryRoot } from './web/assets.ts'

/** Phoenix's minimum, checked by the session plug and the token signer. */
export const MIN_SECRET_BYTES = 64

export interface Secret {
  readonly secretKeyBase: string
  /** Where it came from, for the start log (never the secret itself). */
  readonly description: string
}

export interface SecretOptions {
  readonly env: NodeJS.ProcessEnv
  /** Default: `CURVE_FEVER_SECRET_FILE`, else `examples/curve_fever/.secret_key_base`. */
  readonly file?: string
}

/** A secret the application cannot start with; its message says what to do. */
export class SecretError extends Error {
  override name = 'SecretError'
}

/** The git-ignored file of a development secret, in this example's folder. */
export function inRepositoryFile(): string {
  return join(repositoryRoot(), 'examples', 'curve_fever', '.secret_key_base')
}

export function defaultSecretFile(env: NodeJS.ProcessEnv): string {
  return env.CURVE_FEVER_SECRET_FILE ?? inRepositoryFile()
}

/** Finds the secret as described above; throws `SecretError` when there is none to use. */
export function resolveSecret(options: SecretOptions): Secret {
  const { env } = options
  const configured = env.SECRET_KEY_BASE
  if (configured !== undefined) {
    if (Buffer.byteLength(configured) < MIN_SECRET_BYTES)
      throw new SecretError(
        `SECRET_KEY_BASE must be at least ${MIN_SECRET_BYTES} bytes (it has ${Buffer.byteLength(configured)}); make one with: node -e "console.log(require('crypto').randomBytes(48).toString('base64'))"`,
      )
    return { secretKeyBase: configured, description: 'from SECRET_KEY_BASE' }
  }
  if (env.NODE_ENV === 'production')
    throw new SecretError(
      `SECRET_KEY_BASE must be set in production: ${MIN_SECRET_BYTES}+ random bytes, the same on every node (make one with: node -e "console.log(require('crypto').randomBytes(48).toString('base64'))")`,
    )
  const file = options.file ?? defaultSecretFile(env)
  const kept = readSecretFile(file)
  if (kept !== undefined)
    return { secretKeyBase: kept, description: `development secret kept in ${file}` }
  const made = createSecretFile(file)
  return {
    secretKeyBase: made,
    description: `development secret generated and kept in ${file} (${file === inRepositoryFile() ? 'git-ignored; ' : ''}delete it to sign everyone out)`,
  }
}

function readSecretFile(file: string): string | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8').trim()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  if (Buffer.byteLength(text) < MIN_SECRET_BYTES)
    throw new SecretError(
      `${file} holds no usable secret (under ${MIN_SECRET_BYTES} bytes): delete it to have a new one generated`,
    )
  return text
}

/**
 * Writes a new secret where none is. Written whole under another name, then linked into place:
 * when several processes start at once (`--workers`), one wins and the others read its secret.
 */
function createSecretFile(file: string): string {
  mkdirSync(dirname(file), { recursive: true })
  const secret = randomBytes(48).toString('base64url')
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`
  writeFileSync(temporary, `${secret}\n`, { mode: 0o600 })
  try {
    linkSync(temporary, file)
    return secret
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    const theirs = readSecretFile(file)
    if (theirs === undefined) throw err
    return theirs
  } finally {
    unlinkSync(temporary)
  }
}
