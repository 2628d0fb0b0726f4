/**
 * Starts Curve Fever: http://localhost:4000 (PORT to change).
 *
 *   npm start                                   one node, everything in process
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=4001 npm start    joins a cluster through Redis
 *   NATS_URL=nats://127.0.0.1:4222 PORT=4002 npm start      … or through NATS
 *
 * Environment: PORT (4000), HOST (127.0.0.1; 0.0.0.0 to be reachable from other machines),
 * CINDER_NODE (this node's name; default <hostname>-<port>), SECRET_KEY_BASE (64+ bytes, the
 * same on every node; a development secret otherwise), NODE_ENV=production (no crash control).
 */
import { setLogger } from '../../src/index.ts'
import { startCurveFever } from './app.ts'

const env = process.env
const port = Number(env.PORT ?? 4000)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got ${JSON.stringify(env.PORT)}`)
  process.exit(1)
}
const production = env.NODE_ENV === 'production'
if (production && env.SECRET_KEY_BASE === undefined) {
  console.error(
    'SECRET_KEY_BASE must be set in production (64+ random bytes, the same on every node)',
  )
  process.exit(1)
}

// One line per runtime report (a room crash logs its stack once).
setLogger({
  error: (message) => console.error(message),
  warn: (message) => console.warn(message),
  info: () => {},
})

const app = await startCurveFever({
  port,
  host: env.HOST ?? '127.0.0.1',
  dev: !production,
  ...(env.REDIS_URL === undefined ? {} : { redisUrl: env.REDIS_URL }),
  ...(env.NATS_URL === undefined ? {} : { natsUrl: env.NATS_URL }),
  ...(env.CINDER_NODE === undefined ? {} : { node: env.CINDER_NODE }),
  ...(env.SECRET_KEY_BASE === undefined ? {} : { secretKeyBase: env.SECRET_KEY_BASE }),
  minify: production,
})

const cluster = env.REDIS_URL ?? env.NATS_URL
const where = app.url.replace('127.0.0.1', 'localhost')
console.log(
  `Curve Fever on ${where}  (node ${app.pubsub.node}${cluster ? `, cluster via ${cluster}` : ''})`,
)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1)
    stopping = true
    console.log('stopping…')
    void app.stop().then(() => process.exit(0))
  })
}
