/**
 * Cinder as a benchmark child process: the conformance server
 * (test/support/conformance-server.ts, unchanged) plus the control hook every
 * benchmarked server shares (see control.ts).
 *
 *   node --expose-gc --import tsx bench/peers/cinder.ts --port 4000
 */
import { startConformanceServer } from '../../test/support/conformance-server.ts'
import { type RunningServer, serve } from './control.ts'

/** Starts the conformance server on 127.0.0.1. */
export async function startCinderServer(port: number): Promise<RunningServer> {
  const endpoint = await startConformanceServer({ port, host: '127.0.0.1' })
  return { port: endpoint.port, stop: () => endpoint.stop() }
}

const entry = process.argv[1]
if (entry !== undefined && /cinder\.(js|ts)$/.test(entry)) void serve(startCinderServer)
