/**
 * `cinder new` end to end, in a fresh temporary folder, the way an author starts: generate
 * `demo --live`, `npm install` from npm's cache, `npm test`, `npm start` with the home page's
 * LiveView connected in Chromium, then `cinder gen live Thermostat`, the printed route added,
 * and the new view working in the browser.
 */
import assert from 'node:assert/strict'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import {
  cinder,
  freePort,
  launchChromium,
  npmInstall,
  type Running,
  run,
  shellEnv,
  start,
  tempFolder,
} from './support.ts'

const folder = tempFolder()
const app = join(folder, 'demo')
let browser: Browser
let server: Running | undefined

before(async () => {
  browser = await launchChromium()
})

after(async () => {
  await server?.stop()
  await browser?.close()
  rmSync(folder, { recursive: true, force: true })
})

/** `npm start` on a free port, until the app says where it listens. */
async function npmStart(): Promise<string> {
  const port = await freePort()
  server = start('npm', ['start'], { cwd: app, env: shellEnv({ PORT: String(port) }) })
  await server.waitFor(/Demo on http:\/\/localhost:\d+/, 120_000)
  return `http://127.0.0.1:${port}`
}

async function connectedPage(url: string): Promise<Page> {
  const page = await browser.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(url)
  await page.waitForSelector('[data-phx-main].phx-connected', { timeout: 15_000 })
  assert.deepEqual(errors, [])
  return page
}

test('cinder new, npm install, npm test, npm start, cinder gen live', async () => {
  const made = await cinder(['new', 'demo', '--live'], folder)
  assert.equal(made.code, 0, made.output)
  assert.match(made.output, /\* creating demo\/src\/web\/live\/home-live\.ts/)
  assert.match(made.output, /cd demo\n\s+npm install/)
  const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'))
  assert.match(pkg.dependencies.cinder, /^file:\//, 'depends on this Cinder by path')

  const installed = await npmInstall(app)
  assert.equal(installed.code, 0, installed.output)

  const tested = await run('npm', ['test'], { cwd: app, timeoutMs: 240_000 })
  assert.equal(tested.code, 0, tested.output)
  assert.match(tested.output, /^# fail 0$/m)

  const base = await npmStart()
  const home = await connectedPage(base)
  await home.click('#inc')
  await home.waitForSelector('#count:text("1")')
  assert.match((await home.textContent('#online')) ?? '', /Open in 1 window/)
  await home.close()
  await server?.stop()

  const generated = await cinder(['gen', 'live', 'Thermostat'], app)
  assert.equal(generated.code, 0, generated.output)
  addPrintedLines(join(app, 'src/web/router.ts'), generated.output)

  const again = await npmStart()
  const thermostat = await connectedPage(`${again}/thermostat`)
  assert.equal(await thermostat.title(), 'Thermostat')
  await thermostat.click('#thermostat-up')
  await thermostat.waitForSelector('#thermostat-value:text("1")')
  await thermostat.close()
})

/**
 * Adds what `cinder gen live` printed (its indented lines: the route, then the import) to the
 * router: the route after the home page's, the import after the last import.
 */
function addPrintedLines(router: string, printed: string): void {
  const [route, imported] = printed
    .split('\n')
    .filter((line) => line.startsWith('    '))
    .map((line) => line.trim())
  if (!route?.startsWith('page(') || !imported?.startsWith('import ')) assert.fail(printed)
  const lines = readFileSync(router, 'utf8').split('\n')
  const home = lines.findIndex((line) => line.includes("page('/', homeLive("))
  assert.ok(home > 0, 'the home route is in the router')
  lines.splice(home + 1, 0, `      ${route}`)
  const lastImport = lines.findLastIndex((line) => /^(import .*|\}) from '.*'$/.test(line))
  lines.splice(lastImport + 1, 0, imported)
  writeFileSync(router, lines.join('\n'))
}
