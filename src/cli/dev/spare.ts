/**
 * A warm spare of `cinder dev`'s server: a Node process that has already loaded the loader
 * (tsx) and Cinder, the slow part of a start, and waits. On the runner's `start` message it
 * runs the application's entry, as `node <entry> <args>` would, so a restart after a save costs
 * only the application's own modules. It exits when the runner goes away.
 *
 *   node [--conditions=…] --import tsx spare.js
 *   → { ready: true }                     preloaded
 *   ← { start: { entry, args } }
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

/** What a spare loads ahead of the application: the package the application imports. */
const PRELOAD = ['cinder']

export interface ReadyMessage {
  readonly ready: true
}

export interface StartMessage {
  readonly start: { readonly entry: string; readonly args: readonly string[] }
}

process.on('disconnect', () => process.exit(0))
const started = new Promise<StartMessage['start']>((done) => {
  process.once('message', (message: StartMessage) => done(message.start))
})
for (const specifier of PRELOAD) await import(specifier).catch(() => undefined)
process.send?.({ ready: true } satisfies ReadyMessage)
const { entry, args } = await started
const path = resolve(entry)
// The application sees the argv of `node <entry> <args>` (node:cluster forks argv[1]).
process.argv = [process.argv[0] ?? process.execPath, path, ...args]
// The channel stays open (its loss stops the server) but no longer keeps Node running.
process.channel?.unref()
await import(pathToFileURL(path).href)
