// Parses the Prometheus text format with the official Python client's parser
// (Debian's python3-prometheus-client, which .ci/run installs), so the
// exposition is checked by code that is not Cinder's.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

export interface ParsedSample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  /** `'+Inf'`, `'-Inf'` and `'NaN'` for the non-finite values. */
  readonly value: number | string
}

export interface ParsedFamily {
  readonly name: string
  readonly type: string
  readonly documentation: string
  readonly samples: readonly ParsedSample[]
}

const PYTHON = '/usr/bin/python3'

const SCRIPT = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
def value(v):
    if math.isnan(v): return 'NaN'
    if math.isinf(v): return '+Inf' if v > 0 else '-Inf'
    return v
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({'name': f.name, 'type': f.type, 'documentation': f.documentation,
                'samples': [{'name': s.name, 'labels': s.labels, 'value': value(s.value)} for s in f.samples]})
print(json.dumps(out))
`

/** Why the parser cannot run here, or undefined when it can. */
export function parserMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`
  const probe = spawnSync(PYTHON, ['-c', 'import prometheus_client.parser'], { encoding: 'utf8' })
  return probe.status === 0
    ? undefined
    : 'python3-prometheus-client is not installed (apt-get install python3-prometheus-client)'
}

/** Parses `text`; throws with the parser's own message when it refuses it. */
export function parsePrometheus(text: string): ParsedFamily[] {
  const run = spawnSync(PYTHON, ['-c', SCRIPT], { input: text, encoding: 'utf8' })
  if (run.status !== 0)
    throw new Error(`the Prometheus parser refused the exposition: ${run.stderr}`)
  return JSON.parse(run.stdout) as ParsedFamily[]
}
