/**
 * What `runCluster`'s primary and its workers say to each other over the IPC channel of
 * `node:cluster`, beside the PubSub relay's messages (tagged `cinder.cluster`):
 * - worker → primary `[RUNNER_TAG, 'ready']` once its `start` resolved;
 * - worker → primary `[RUNNER_TAG, 'failed', why]` when its `start` threw (it then exits);
 * - primary → worker `[RUNNER_TAG, 'stop']`: stop what `start` returned, then exit.
 */

/** Tags the runner's own IPC messages. */
export const RUNNER_TAG = 'cinder.runner'

/** Whether `message` is one of the runner's (`[RUNNER_TAG, kind, …]`). */
export function isRunnerMessage(message: unknown): message is readonly unknown[] {
  return Array.isArray(message) && message[0] === RUNNER_TAG
}
