/**
 * The settings of <%= title %>, read from the environment when it starts:
 *
 *   PORT                where to listen (4000; 0 picks a free port)
 *   HOST                the interface (127.0.0.1; 0.0.0.0 to be reachable from other machines)
 *   SECRET_KEY_BASE     signs the session cookie and the LiveView tokens: 64+ random bytes, the
 *                       same on every node; required when NODE_ENV=production
 *   NODE_ENV            `production` turns off the debug error pages and caches assets for good
 *   CINDER_LIVE_RELOAD  set by `npm run dev`: the live-reload script the layout loads
 */
import { dirname, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface Config {
  readonly port: number
  readonly host: string
  readonly secretKeyBase: string
  /** Development: debug error pages, assets revalidated on every request. */
  readonly dev: boolean
  /** The project folder: `public/` in it is served. */
  readonly root: string
  /** The live-reload script's URL (`npm run dev` only). */
  readonly liveReload?: string | undefined
}

/** For development only: production reads SECRET_KEY_BASE. */
const DEV_SECRET_KEY_BASE = '<%= secret_key_base %>'

/** The project folder, from the sources (src/) or from their compiled copy (.build/src/). */
export const PROJECT_ROOT = resolve(
  dirname(fileURLToPath(import.meta.url).replace(`${sep}.build${sep}`, sep)),
  '..',
)

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 4000)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number (0 to 65535), got ${JSON.stringify(env.PORT)}`)
  const dev = env.NODE_ENV !== 'production'
  const secretKeyBase = env.SECRET_KEY_BASE ?? (dev ? DEV_SECRET_KEY_BASE : undefined)
  if (secretKeyBase === undefined)
    throw new Error('SECRET_KEY_BASE must be set in production (64+ random bytes)')
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    secretKeyBase,
    dev,
    root: PROJECT_ROOT,
    liveReload: dev ? env.CINDER_LIVE_RELOAD : undefined,
  }
}
