// Finds out whether a test service (Redis, NATS) listens on 127.0.0.1. Under
// CI=true a missing service is a failure, never a skip (see .ci/run).
import { connect } from 'node:net'

/** Resolves to undefined when something accepts connections on `port`, else to why not. */
export function probe(port: number, timeoutMs = 1000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.setTimeout(timeoutMs)
    socket.once('connect', () => {
      socket.destroy()
      resolve(undefined)
    })
    socket.once('timeout', () => {
      socket.destroy()
      resolve(`no answer within ${timeoutMs} ms`)
    })
    socket.once('error', (err) => resolve(err.message))
  })
}

/** Throws under CI; otherwise returns a skip reason naming the missing service. */
export async function requireService(
  name: string,
  port: number,
): Promise<{ skip: string } | undefined> {
  const why = await probe(port)
  if (why === undefined) return undefined
  const message = `${name} is not listening on 127.0.0.1:${port} (${why})`
  if (process.env.CI === 'true') throw new Error(`${message}; under CI=true this is a failure`)
  return { skip: `${message}; start it to run these tests` }
}
