/** `cinder gen`: the files each generator writes, what it prints, and what it refuses. */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import type { Io } from '../../src/cli/args.ts'
import { main } from '../../src/cli/main.ts'

const folder = mkdtempSync(join(tmpdir(), 'cinder-gen-'))
after(() => rmSync(folder, { recursive: true, force: true }))

async function cli(
  argv: string[],
  cwd: string,
): Promise<{ code: number; out: string; err: string }> {
  const lines = { out: [] as string[], err: [] as string[] }
  const io: Io = { cwd, log: (line) => lines.out.push(line), error: (line) => lines.err.push(line) }
  const code = await main(argv, io)
  return { code, out: lines.out.join('\n'), err: lines.err.join('\n') }
}

const app = join(folder, 'shop')
const before = await cli(['new', 'shop', '--no-presence'], folder)
assert.equal(before.code, 0, before.err)

test('gen live writes the view and its test, and prints the route and its import', async () => {
  const router = readFileSync(join(app, 'src/web/router.ts'), 'utf8')
  const { code, out } = await cli(['gen', 'live', 'ShoppingCart'], app)
  assert.equal(code, 0)
  assert.match(out, /\* creating src\/web\/live\/shopping-cart-live\.ts/)
  assert.match(out, /\* creating test\/web\/live\/shopping-cart-live\.test\.ts/)
  assert.match(out, /^ {4}page\('\/shopping-cart', shoppingCartLive\)$/m)
  assert.match(out, /^ {4}import \{ shoppingCartLive \} from '\.\/live\/shopping-cart-live\.ts'$/m)
  const view = readFileSync(join(app, 'src/web/live/shopping-cart-live.ts'), 'utf8')
  assert.match(view, /export const shoppingCartLive: LiveView<ShoppingCartAssigns>/)
  const spec = readFileSync(join(app, 'test/web/live/shopping-cart-live.test.ts'), 'utf8')
  assert.match(spec, /from '\.\.\/\.\.\/\.\.\/src\/web\/live\/shopping-cart-live\.ts'/)
  assert.equal(
    readFileSync(join(app, 'src/web/router.ts'), 'utf8'),
    router,
    'the router is untouched',
  )
})

test('gen channel writes the channel and its test, and prints the socket line', async () => {
  const { code, out } = await cli(['gen', 'channel', 'Notifications'], app)
  assert.equal(code, 0)
  assert.match(out, /^ {4}channel\('notifications:\*', notificationsChannel\),$/m)
  const spec = readFileSync(join(app, 'test/web/channels/notifications-channel.test.ts'), 'utf8')
  assert.match(spec, /from '\.\.\/\.\.\/support\.ts'/)
  assert.match(spec, /joinChannel\(socket, 'notifications:lobby'\)/)
})

test('gen presence writes Presence and prints the lines for the tree', async () => {
  const { code, out } = await cli(['gen', 'presence'], app)
  assert.equal(code, 0)
  assert.match(out, /^ {4}const presence = buildPresence\(pubsub\)$/m)
  assert.match(readFileSync(join(app, 'src/presence.ts'), 'utf8'), /name: 'shop_presence'/)
})

test('a generator never writes over a file, and runs only in an application', async () => {
  const again = await cli(['gen', 'live', 'ShoppingCart'], app)
  assert.equal(again.code, 1)
  assert.match(
    again.err,
    /src\/web\/live\/shopping-cart-live\.ts, test\/.* already exist: nothing was written/,
  )
  assert.match((await cli(['gen', 'presence'], app)).err, /src\/presence\.ts, .* already exist/)

  const elsewhere = join(folder, 'elsewhere')
  mkdirSync(elsewhere)
  const outside = await cli(['gen', 'live', 'Thermostat'], elsewhere)
  assert.equal(outside.code, 2)
  assert.match(
    outside.err,
    /src\/web does not exist: run cinder gen in the folder of an application/,
  )
  assert.ok(!existsSync(join(elsewhere, 'src')))

  assert.match((await cli(['gen', 'live', 'bad-name'], app)).err, /not a valid LiveView name/)
  assert.match((await cli(['gen', 'live'], app)).err, /cinder gen live needs a name/)
  assert.match((await cli(['gen', 'widget', 'X'], app)).err, /a live view, a channel or presence/)
})
