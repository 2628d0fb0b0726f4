/** Helpers for the Curve Fever tests: the app on an ephemeral port, and browser pages. */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import {
  type CurveFever,
  type CurveFeverOptions,
  startCurveFever,
} from '../../../examples/curve_fever/app.ts'
import { repositoryRoot } from '../../../examples/curve_fever/web/assets.ts'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const ARTIFACTS = join(repositoryRoot(), 'test-artifacts')

/** Rooms that start quickly and end a match after one round: tests see a whole match. */
export const QUICK_ROOMS: CurveFeverOptions['room'] = {
  startDelayMs: 200,
  nextMatchMs: 120_000,
  graceMs: 10_000,
  game: { targetScore: 1, winByTwo: false, countdownMs: 1000, roundOverMs: 1000 },
}

export function startApp(options: CurveFeverOptions = {}): Promise<CurveFever> {
  return startCurveFever({ port: 0, dev: true, room: QUICK_ROOMS, ...options })
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

/** A fresh browser context signed in as `name`, on the lobby page with its LiveView joined. */
export async function signIn(browser: Browser, base: string, name: string, colour?: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
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
  scores: { name: string; score: number }[]
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
