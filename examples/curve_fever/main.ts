/**
 * Starts Curve Fever: http://localhost:4000 (PORT to change).
 *
 *   npm start                                                one node, everything in process
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=4001 npm start     joins a cluster through Redis
 *   NATS_URL=nats://127.0.0.1:4222 PORT=4002 npm start       … or through NATS
 *   npm start -- --workers 4                                 4 worker processes on one port
 *
 * Environment: PORT (4000), HOST (127.0.0.1; 0.0.0.0 to be reachable from other machines),
 * CINDER_NODE (this node's name; default <hostname>-<port>), SECRET_KEY_BASE (64+ bytes, the
 * same on every node; required in production, in development generated on the first start and
 * kept in a git-ignored file: see secret.ts), NODE_ENV=production (no crash control),
 * CINDER_WORKERS or WEB_CONCURRENCY (like --workers). `npm run dev` restarts it on every change
 * and reloads the pages (CINDER_LIVE_RELOAD, set by `cinder dev`).
 */
import cluster from 'node:cluster'
import {
  clusterAdapter,
  clusterWorkerCount,
  runApplication,
  runCluster,
  setLogger,
  startSupervisor,
} from 'cinder'
import { type CurveFeverOptions, curveFever, startCurveFever } from './app.ts'
import { resolveSecret, type Secret, SecretError } from './secret.ts'

const env = process.env
const port = Number(env.PORT ?? 4000)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got ${JSON.stringify(env.PORT)}`)
  process.exit(1)
}
const production = env.NODE_ENV === 'production'
let secret: Secret
try {
  secret = resolveSecret({ env })
} catch (err) {
  if (!(err instanceof SecretError)) throw err
  console.error(`Curve Fever cannot start: ${err.message}`)
  process.exit(1)
}
if (cluster.isPrimary) console.log(`Secret key base: ${secret.description}`)

// The runtime's reports, one line each (a room crash logs its stack once).
setLogger({
  error: (message) => console.error(message),
  warn: (message) => console.warn(message),
  info: () => {},
})

const options: CurveFeverOptions = {
  port,
  host: env.HOST ?? '127.0.0.1',
  dev: !production,
  minify: production,
  ...(env.REDIS_URL === undefined ? {} : { redisUrl: env.REDIS_URL }),
  ...(env.NATS_URL === undefined ? {} : { natsUrl: env.NATS_URL }),
  ...(env.CINDER_NODE === undefined ? {} : { node: env.CINDER_NODE }),
  secretKeyBase: secret.secretKeyBase,
  ...(env.CINDER_LIVE_RELOAD === undefined || production
    ? {}
    : { liveReload: env.CINDER_LIVE_RELOAD }),
}
const via = env.REDIS_URL ?? env.NATS_URL
const where = `http://${options.host === '127.0.0.1' ? 'localhost' : options.host}:${port}`

if (clusterWorkerCount(process.argv.slice(2), env, 1) > 1) {
  // Workers are nodes of one cluster: through Redis/NATS when given, else through the primary.
  await runCluster({
    workers: 1,
    start: async ({ node, index }) => {
      const app = await startCurveFever({
        ...options,
        node,
        ...(via === undefined ? { adapter: clusterAdapter() } : {}),
      })
      if (index === 1) console.log(`Curve Fever on ${where}  (workers share the port)`)
      return app
    },
  })
} else {
  const { pubsub, presence, metrics, cluster, lobby, store, rooms, endpoint } =
    await curveFever(options)
  // The application is its tree: SIGTERM/SIGINT stop it in reverse (sockets drain with 1012).
  await runApplication(() =>
    startSupervisor(
      [pubsub, presence, metrics, cluster, lobby, store, rooms, endpoint].map((part) =>
        part.childSpec(),
      ),
      { strategy: 'rest_for_one' },
    ),
  )
  console.log(
    `Curve Fever on ${where}  (node ${pubsub.node}${via === undefined ? '' : `, cluster via ${via}`})`,
  )
}
