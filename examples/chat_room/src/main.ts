/**
 * Starts Chat Room on http://localhost:4000 (the settings are in src/config.ts).
 *
 *   npm run start:chat_room      (in Cinder's repository) builds, then runs one node
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=4001 npm run start:chat_room     a node of a cluster
 *   npm run dev:chat_room        runs it from the sources, restarted and reloaded on every save
 */
import { runApplication, startSupervisor } from 'cinder'
import { buildApplication } from './application.ts'
import { readConfig } from './config.ts'

const config = readConfig()
const app = await buildApplication(config)
// The application is its supervision tree: SIGTERM and SIGINT stop it in reverse order.
await runApplication(() => startSupervisor(app.children, { strategy: 'rest_for_one' }))
const via = config.redisUrl === undefined ? '' : `, cluster through ${config.redisUrl}`
console.log(`Chat Room on http://localhost:${app.endpoint.port} (node ${config.node}${via})`)
