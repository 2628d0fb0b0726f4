/**
 * The secret of Curve Fever (examples/curve_fever/secret.ts): nothing committed signs a token
 * the application accepts; `npm start` generates a secret on its first start and keeps it in
 * a git-ignored file; production without SECRET_KEY_BASE is refused with a clear message.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { startCurveFever } from '../../../examples/curve_fever/app.ts'
import { userToken } from '../../../examples/curve_fever/auth/user.ts'
import { resolveSecret, SecretError } from '../../../examples/curve_fever/secret.ts'
import { repositoryRoot } from '../../../examples/curve_fever/web/assets.ts'
import { setLogger } from '../../../src/index.ts'
import { openSocket } from './support.ts'

/** The development secret that used to be committed in app.ts. */
const COMMITTED_SECRET =
  'curve-fever-development-secret-key-base-do-not-use-in-production-0123456789'
const PORT = 0
const dir = mkdtempSync(join(tmpdir(), 'curve-fever-secret-'))
const children: ChildProcess[] = []

after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

const user = { id: 'u-mallory', name: 'Mallory', colour: '#e4572e' }

/** Runs `npm start`'s script with `env`; resolves with its output once `until` shows or it exits. */
function runMain(
  env: NodeJS.ProcessEnv,
  until: RegExp,
): Promise<{ code: number | null; out: string }> {
  const main = join(repositoryRoot(), '.build', 'examples', 'curve_fever', 'main.js')
  const child = spawn(process.execPath, ['--conditions=cinder:build', main], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let out = ''
  return new Promise((resolve) => {
    const seen = (chunk: Buffer): void => {
      out += chunk.toString()
      if (until.test(out)) {
        child.kill('SIGTERM')
        child.once('exit', (code) => resolve({ code, out }))
      }
    }
    child.stdout?.on('data', seen)
    child.stderr?.on('data', seen)
    child.once('exit', (code) => resolve({ code, out }))
  })
}

describe('Curve Fever secret', () => {
  it('refuses a socket token signed with the development secret that used to be committed', async () => {
    setLogger({ error: () => {}, warn: () => {}, info: () => {} })
    const app = await startCurveFever({ port: 0, dev: true })
    try {
      const url = `ws://127.0.0.1:${app.endpoint.port}/socket/websocket`
      await assert.rejects(openSocket(url, { token: userToken(COMMITTED_SECRET, user) }), /refused/)
    } finally {
      await app.stop()
    }
  })

  it('generates a secret on the first start, keeps it in a private file, and reads it back', () => {
    const file = join(dir, 'state', 'secret_key_base')
    const first = resolveSecret({ env: {}, file })
    assert.ok(first.secretKeyBase.length >= 64)
    assert.match(first.description, /generated and kept in .*secret_key_base/)
    assert.equal(readFileSync(file, 'utf8').trim(), first.secretKeyBase)
    assert.equal(statSync(file).mode & 0o077, 0, 'readable by its owner only')
    const again = resolveSecret({ env: {}, file })
    assert.equal(again.secretKeyBase, first.secretKeyBase)
    assert.match(again.description, /kept in/)
    const other = resolveSecret({ env: {}, file: join(dir, 'other') })
    assert.notEqual(other.secretKeyBase, first.secretKeyBase, 'random, never a fixed one')
  })

  it('takes SECRET_KEY_BASE first, refuses a short one, and refuses production without one', () => {
    const file = join(dir, 'unused')
    const env = { SECRET_KEY_BASE: 's'.repeat(64) }
    assert.equal(resolveSecret({ env, file }).secretKeyBase, 's'.repeat(64))
    assert.throws(
      () => resolveSecret({ env: { SECRET_KEY_BASE: 'short' }, file }),
      (err) => err instanceof SecretError && /at least 64 bytes/.test(err.message),
    )
    assert.throws(
      () => resolveSecret({ env: { NODE_ENV: 'production' }, file }),
      (err) =>
        err instanceof SecretError && /SECRET_KEY_BASE must be set in production/.test(err.message),
    )
    assert.equal(existsSync(file), false, 'production never writes a secret of its own')
    writeFileSync(join(dir, 'bad'), 'tiny\n')
    assert.throws(() => resolveSecret({ env: {}, file: join(dir, 'bad') }), /delete it/)
  })

  it('npm start: refuses production without SECRET_KEY_BASE, and in development says where its secret is', async () => {
    const refused = await runMain({ NODE_ENV: 'production', PORT: String(PORT) }, /listening/)
    assert.equal(refused.code, 1)
    assert.match(refused.out, /cannot start: SECRET_KEY_BASE must be set in production/)

    const file = join(dir, 'npm-start', 'secret_key_base')
    const env = { PORT: String(PORT), CURVE_FEVER_SECRET_FILE: file }
    const first = await runMain(env, /Curve Fever on/)
    assert.match(
      first.out,
      new RegExp(`Secret key base: development secret generated and kept in ${file}`),
    )
    const secret = readFileSync(file, 'utf8').trim()
    assert.equal(first.out.includes(secret), false, 'the log never shows the secret')
    const second = await runMain(env, /Curve Fever on/)
    assert.match(second.out, new RegExp(`Secret key base: development secret kept in ${file}`))
  })
})
