/**
 * The conformance server on N worker processes (`--workers N`): `runCluster`
 * forks them, they share the port (node:cluster round-robin) and join one
 * PubSub through the `cluster` adapter, so a broadcast reaches the sockets of
 * every worker. Why: a process may hold only so many file descriptors (one
 * per socket), so a population beyond that needs several processes.
 *
 * The primary prints `listening on <port>` once every worker is ready (the
 * port the workers got, also for `--port 0`), stops the workers on
 * SIGTERM/SIGINT (runCluster) and, when started with an IPC channel (a
 * benchmark's child), also when its parent goes away.
 */
import cluster from 'node:cluster'
import { runCluster } from '../../src/extend.ts'
import { type ConformanceOptions, startConformanceServer } from './conformance-server.ts'

/** Runs in the primary and in each worker (the same script, see runCluster). */
export async function runConformanceCluster(
  workers: number,
  options: ConformanceOptions,
): Promise<void> {
  let port = options.port ?? 4000
  if (cluster.isPrimary)
    cluster.on('listening', (_worker, address) => {
      port = address.port
    })
  const started = await runCluster({
    workers,
    argv: ['--workers', String(workers)],
    start: ({ node }) =>
      startConformanceServer({
        ...options,
        presence: { ...options.presence, pubsub: 'cluster', node },
      }),
  })
  if (started.role !== 'primary') return
  if (process.send !== undefined) process.once('disconnect', () => void started.stop())
  void started.ended.then((code) => process.exit(code))
  console.log(`listening on ${port}`)
}
