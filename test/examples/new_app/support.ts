/**
 * Helpers for the tests of `cinder new` and `cinder dev`: an application generated and
 * installed in a temporary folder, driven as its author would, through npm and the `cinder`
 * command, in a shell of its own (no test runner options, no npm script variables).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
/** The repository root, from the sources or the compiled copy in .build/. */
export const REPO = here.includes(`${sep}.build${sep}`)
  ? resolve(here, '..', '..', '..', '..')
  : resolve(here, '..', '..', '..')
export const CINDER = join(REPO, 'bin', 'cinder.mjs')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** The author's shell: without the test runner's variables or npm's script variables. */
export function shellEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (
      name === 'NODE_OPTIONS' ||
      name === 'NODE_TEST_CONTEXT' ||
      /^npm_(lifecycle|package|command|execpath)/i.test(name)
    )
      continue
    env[name] = value
  }
  return { ...env, NODE_ENV: 'development', ...extra }
}

export interface RunResult {
  readonly code: number | null
  readonly output: string
}

/** Runs a command to its end (or kills it after `timeoutMs`); never rejects. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? shellEnv() })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    const timer = setTimeout(() => {
      output += `\n[killed after ${options.timeoutMs} ms]`
      child.kill('SIGKILL')
    }, options.timeoutMs ?? 120_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      done({ code, output })
    })
  })
}

/** `cinder <args>` in `cwd`, as `npx cinder` runs it. */
export function cinder(args: readonly string[], cwd: string): Promise<RunResult> {
  return run(process.execPath, [CINDER, ...args], { cwd, timeoutMs: 120_000 })
}

/** A new temporary folder for one test's applications. */
export function tempFolder(): string {
  return mkdtempSync(join(tmpdir(), 'cinder-new-'))
}

/** `npm install` of a generated application, from npm's cache only. */
export function npmInstall(cwd: string): Promise<RunResult> {
  return run('npm', ['install', '--offline', '--no-audit', '--no-fund'], {
    cwd,
    timeoutMs: 180_000,
  })
}

/** A long-running command (npm start, npm run dev) in a process group of its own. */
export interface Running {
  output(): string
  /** Resolves once `pattern` occurs `times` times in the output; rejects when the command ends or time is up. */
  waitFor(pattern: RegExp, timeoutMs?: number, times?: number): Promise<void>
  /** SIGTERM to the whole group (SIGKILL after 5 s); resolves when the command has ended. */
  stop(): Promise<void>
}

export function start(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Running {
  const child: ChildProcess = spawn(command, args, { ...options, detached: true })
  let output = ''
  const listeners = new Set<() => void>()
  const append = (chunk: Buffer) => {
    output += chunk
    for (const listener of listeners) listener()
  }
  child.stdout?.on('data', append)
  child.stderr?.on('data', append)
  const ended = new Promise<void>((done) => child.on('close', () => done()))
  let gone = false
  void ended.then(() => {
    gone = true
    for (const listener of listeners) listener()
  })
  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, name)
    } catch {}
  }
  return {
    output: () => output,
    waitFor(pattern, timeoutMs = 60_000, times = 1) {
      const every = new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`)
      return new Promise((done, fail) => {
        const check = () => {
          if ((output.match(every)?.length ?? 0) >= times) finish(done)
          else if (gone) finish(() => fail(new Error(`ended before ${pattern}:\n${output}`)))
        }
        const timer = setTimeout(
          () => finish(() => fail(new Error(`no ${pattern} in ${timeoutMs} ms:\n${output}`))),
          timeoutMs,
        )
        const finish = (then: () => void) => {
          clearTimeout(timer)
          listeners.delete(check)
          then()
        }
        listeners.add(check)
        check()
      })
    },
    async stop() {
      if (gone) return
      signal('SIGTERM')
      const kill = setTimeout(() => signal('SIGKILL'), 5000)
      await ended
      clearTimeout(kill)
      signal('SIGKILL') // whatever the group left behind
    },
  }
}

/** A port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => done(port))
    })
  })
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`)
  const { chromium } = await import('playwright-core')
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
}
