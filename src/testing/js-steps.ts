/**
 * A binding's JS commands, as far as a test without a browser can run them
 * (Phoenix.LiveViewTest does the same): `push` sends its event, `patch` and
 * `navigate` move the view; the commands that only change the DOM (show,
 * hide, classes, attributes, focus, dispatch…) have nothing to do here.
 */

/** One step a test runs for a binding. */
export type JsStep =
  | {
      readonly kind: 'push'
      readonly event: string
      readonly value: Readonly<Record<string, unknown>>
      readonly target: unknown
    }
  | { readonly kind: 'patch' | 'navigate'; readonly href: string }

/** The steps of `binding` when it holds JS commands (`[[…]]`), else undefined (a plain event name). */
export function jsSteps(binding: string): JsStep[] | undefined {
  if (!binding.startsWith('[')) return undefined
  const ops = JSON.parse(binding) as unknown
  if (!Array.isArray(ops)) throw new Error(`a JS binding is a list of commands, got: ${binding}`)
  const steps: JsStep[] = []
  for (const op of ops) {
    const [kind, args] = Array.isArray(op) ? (op as [unknown, Record<string, unknown>]) : []
    if (kind === 'push' && typeof args?.event === 'string') {
      const value = isRecord(args.value) ? args.value : {}
      steps.push({ kind: 'push', event: args.event, value, target: args.target })
    } else if ((kind === 'patch' || kind === 'navigate') && typeof args?.href === 'string') {
      steps.push({ kind, href: args.href })
    }
  }
  return steps
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
