/**
 * The endpoint's configuration that is not about sockets: the secret key
 * base, the public URL, and whether errors render the debug page.
 */
import { randomBytes } from 'node:crypto'
import { CinderError, describe } from '../errors.ts'
import type { Logger } from '../logger.ts'

/** The endpoint's public URL (what clients see; `checkOrigin: true` compares its host). */
export interface EndpointUrl {
  readonly host: string
  readonly scheme?: 'http' | 'https'
  readonly port?: number
  /** A path prefix the app is served under (a proxy's). Default `/`. */
  readonly path?: string
}

/** Bytes a secret key base must have (what Plug's cookie session requires). */
export const MIN_SECRET_BYTES = 64

/**
 * The secret key base: the option, else `SECRET_KEY_BASE`. Required when
 * `NODE_ENV` is `production`; in development one is generated for this run
 * with a warning (sessions and tokens then die with the process).
 */
export function resolveSecretKeyBase(option: unknown, logger: Logger): string {
  const given = option ?? process.env.SECRET_KEY_BASE
  if (given !== undefined && given !== '') {
    if (typeof given !== 'string' || Buffer.byteLength(given) < MIN_SECRET_BYTES) {
      throw new CinderError(
        'CINDER_ERR_ENDPOINT_OPTIONS',
        `secretKeyBase must be a string of at least ${MIN_SECRET_BYTES} bytes (generate one with ` +
          `node -e "console.log(require('crypto').randomBytes(64).toString('base64'))"); got: ${
            typeof given === 'string' ? `${Buffer.byteLength(given)} bytes` : describe(given)
          }`,
      )
    }
    return given
  }
  if (process.env.NODE_ENV === 'production') {
    throw new CinderError(
      'CINDER_ERR_ENDPOINT_OPTIONS',
      'secretKeyBase is required in production (NODE_ENV=production): pass it to createEndpoint ' +
        'or set SECRET_KEY_BASE to at least 64 random bytes, the same on every node',
    )
  }
  logger.warn(
    'no secretKeyBase was configured: generated one for this run only. Sessions, LongPoll ' +
      'sessions and tokens will not survive a restart or work across nodes; set secretKeyBase ' +
      '(or SECRET_KEY_BASE) before production',
  )
  return randomBytes(64).toString('base64')
}

/** Checks the `url` option and fills its defaults. */
export function resolveUrl(url: EndpointUrl | undefined): Required<EndpointUrl> {
  if (url !== undefined && (typeof url !== 'object' || typeof url.host !== 'string')) {
    throw new CinderError(
      'CINDER_ERR_ENDPOINT_OPTIONS',
      `url must look like { host: 'example.com', scheme?: 'https', port?: 443 }; got: ${describe(url)}`,
    )
  }
  const scheme = url?.scheme ?? 'http'
  if (scheme !== 'http' && scheme !== 'https') {
    throw new CinderError(
      'CINDER_ERR_ENDPOINT_OPTIONS',
      `url.scheme must be 'http' or 'https'; got: ${describe(scheme)}`,
    )
  }
  return {
    host: url?.host ?? 'localhost',
    scheme,
    port: url?.port ?? (scheme === 'https' ? 443 : 80),
    path: url?.path ?? '/',
  }
}
