/** Helpers for the Curve Fever tests: the app on an ephemeral port, and browser pages. */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import {
  type CurveFever,
  type CurveFeverOptions,
  startCurveFever,
} from '../../../examples/curve_fever/app.ts'
import { repositoryRoot } from '../../../examples/curve_fever/web/assets.ts'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const ARTIFACTS = join(repositoryRoot(), 'test-artifacts')

/** Rooms that end a match after one round (tests see a whole match); they start at once. */
export const QUICK_ROOMS: NonNullable<CurveFeverOptions['room']> = {
  nextMatchMs: 120_000,
  graceMs: 10_000,
  game: { targetScore: 1, winByTwo: false, countdownMs: 1000, roundOverMs: 1000 },
}

/** The secret of test nodes: one cookie signs a player in on every node of a test cluster. */
export const TEST_SECRET = 'curve-fever-test-secret-'.padEnd(64, '0')

export function startApp(options: CurveFeverOptions = {}): Promise<CurveFever> {
  return startCurveFever({
    port: 0,
    dev: true,
    room: QUICK_ROOMS,
    secretKeyBase: TEST_SECRET,
    ...options,
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

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true })
  return join(ARTIFACTS, name)
}

/**
 * A fresh browser context signed in as `name`, on the lobby page with its LiveView joined;
 * `device` overrides the 1280×900 desktop (a phone: viewport, touch, mobile).
 */
export async function signIn(
  browser: Browser,
  base: string,
  name: string,
  colour?: string,
  device: BrowserContextOptions = {},
) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...device })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(`${base}/`)
  await connected(page)
  await page.fill('#signin-form input[name=name]', name)
  if (colour !== undefined) await page.click(`#signin-form label[title="${colour}"]`)
  await page.click('#signin-form button[type=submit]')
  await page.waitForURL(`${base}/lobby`)
  await connected(page)
  return { context, page, errors }
}

/** Waits until the page's LiveView is connected (the client marks the container). */
export async function connected(page: Page): Promise<void> {
  await page.waitForSelector('[data-phx-main].phx-connected', { timeout: 10_000 })
}

/** The game view's state (`window.curveFever`) of a game page. */
export interface GameState {
  joined: boolean
  role: string | null
  phase: string
  round: number
  tick: number
  snapshots: number
  frames: number
  notices: string[]
  gone: string | null
  connection: 'connecting' | 'connected' | 'reconnecting'
  scores: { name: string; score: number; connected: boolean; alive: boolean }[]
}

export function gameState(page: Page): Promise<GameState> {
  return page.evaluate(() => (window as unknown as { curveFever: GameState }).curveFever)
}

export async function waitForGame(
  page: Page,
  predicate: (state: GameState) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<GameState> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const state = await page
      .evaluate(() => (window as unknown as { curveFever?: GameState }).curveFever)
      .catch(() => undefined)
    if (state !== undefined && predicate(state)) return state
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(state)}`)
    await page.waitForTimeout(100)
  }
}

// ---- the official phoenix client in Node (it ships no types: the members used here) ----

export interface PhxPush {
  receive(status: string, callback: (response: unknown) => void): PhxPush
}
export interface PhxChannel {
  readonly state: string
  join(timeout?: number): PhxPush
  leave(timeout?: number): PhxPush
  push(event: string, payload: object, timeout?: number): PhxPush
  on(event: string, callback: (payload: unknown) => void): number
  onError(callback: (reason: unknown) => void): void
}
export interface PhxSocket {
  connect(): void
  disconnect(callback?: () => void): void
  channel(topic: string, params?: object | (() => object)): PhxChannel
  onOpen(callback: () => void): string
  onError(callback: (error: unknown) => void): string
}
type SocketCtor = new (url: string, options?: object) => PhxSocket

const phoenixModule: string = 'phoenix'
export const { Socket: PhxSocketClass } = (await import(phoenixModule)) as { Socket: SocketCtor }

/** A phoenix client socket over `ws`; resolves once open, rejects when the server refuses it. */
export async function openSocket(url: string, params: object): Promise<PhxSocket> {
  const { WebSocket } = await import('ws')
  const socket = new PhxSocketClass(url, {
    transport: WebSocket,
    params,
    reconnectAfterMs: () => 60_000,
  })
  const opened = new Promise<void>((resolve, reject) => {
    socket.onOpen(resolve)
    socket.onError(() => reject(new Error('the socket was refused')))
  })
  socket.connect()
  try {
    await opened
  } catch (err) {
    socket.disconnect()
    throw err
  }
  return socket
}

/** Resolves with [status, response] of a push (join, push, leave). */
export function outcome(push: PhxPush): Promise<[string, unknown]> {
  return new Promise((resolve) => {
    for (const status of ['ok', 'error', 'timeout'])
      push.receive(status, (response) => resolve([status, response]))
  })
}
