// TEMPORARY until src/process lands: the few process operations PubSub needs.
export interface Pid {
  readonly id: number
}
export function isPid(value: unknown): value is Pid {
  return typeof value === 'object' && value !== null && 'id' in value
}
export function sendTo(_pid: Pid, _message: unknown): void {}
export function onProcessExit(_pid: Pid, _callback: () => void): void {}
