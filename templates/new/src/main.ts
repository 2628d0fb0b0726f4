/**
 * Starts <%= title %> on http://localhost:4000 (the settings are in src/config.ts).
 *
 *   npm start      builds, then runs the application
 *   npm run dev    runs it from the sources, restarts it on every change and reloads the page
 */
import { runApplication, startSupervisor } from 'cinder'
import { buildApplication } from './application.ts'
import { readConfig } from './config.ts'

const app = await buildApplication(readConfig())
// The application is its supervision tree: SIGTERM and SIGINT stop it in reverse order.
await runApplication(() => startSupervisor(app.children, { strategy: 'rest_for_one' }))
console.log(`<%= title %> on http://localhost:${app.endpoint.port}`)
